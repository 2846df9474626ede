package org.recordline.validation.conformance.fast;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.recordline.events.ValidationIssue;

/** One validation run: walks a resource's JSON tree against the compiled models. Not thread-safe; one per call. */
final class Walker {

    static final int MAX_ISSUES = 500;
    static final int MAX_DEPTH = 128;

    /** A lazily rendered FHIRPath location. */
    static final class Path {
        final Path parent;
        final String segment;
        final int index;

        Path(Path parent, String segment, int index) {
            this.parent = parent;
            this.segment = segment;
            this.index = index;
        }

        Path child(String seg) {
            return new Path(this, seg, -1);
        }

        Path child(String seg, int idx) {
            return new Path(this, seg, idx);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            render(sb);
            return sb.toString();
        }

        private void render(StringBuilder sb) {
            if (parent != null) {
                parent.render(sb);
                if (segment != null) {
                    sb.append('.');
                }
            }
            if (segment != null) {
                sb.append(segment);
            }
            if (index >= 0) {
                sb.append('[').append(index).append(']');
            }
        }
    }

    /** References and contained ids of one resource and the resources it contains. */
    static final class Scope {
        final JsonNode root;
        final Set<String> containedIds = new HashSet<>();
        final List<String> localRefs = new ArrayList<>();
        final List<Path> localRefPaths = new ArrayList<>();
        final Set<String> hashValues = new HashSet<>();
        final Set<String> containedReferringToContainer = new HashSet<>();
        String currentContained;

        Scope(JsonNode root) {
            this.root = root;
        }
    }

    private final FastConformance fc;
    final List<ValidationIssue> issues = new ArrayList<>();
    private final ArrayDeque<Set<String>> bundleFullUrls = new ArrayDeque<>();
    private Scope scope;
    private int depth;

    Walker(FastConformance fc) {
        this.fc = fc;
    }

    void issue(String severity, String code, String rule, Path path, String message) {
        if (issues.size() < MAX_ISSUES) {
            issues.add(new ValidationIssue(severity, code, rule, path == null ? "" : path.toString(), message));
        }
    }

    void error(String code, String rule, Path path, String message) {
        issue("error", code, rule, path, message);
    }

    // ------------------------------------------------------------------ resources

    void root(JsonNode n) {
        if (n == null || !n.isObject()) {
            issue("fatal", "structure", "fhir-json", null, "the content is not a JSON object");
            return;
        }
        String rt = n.path("resourceType").textValue();
        resource(n, new Path(null, rt != null && fc.isResourceType(rt) ? rt : "Resource", -1), null, false);
    }

    /**
     * Validates a resource. The path names the resource itself (for the root, its type; for an entry,
     * {@code Bundle.entry[0].resource}).
     */
    void resource(JsonNode r, Path path, Scope containerScope, boolean contained) {
        JsonNode rtNode = r.get("resourceType");
        if (rtNode == null || !rtNode.isTextual()) {
            error("structure", "fhir-resource-type", path,
                    "the resource has no resourceType property, so its type cannot be determined");
            return;
        }
        String rt = rtNode.textValue();
        Model.ObjectModel m = fc.resourceModel(rt);
        if (m == null) {
            error("structure", "fhir-resource-type", path, "the resourceType is not a known FHIR R4 resource type");
            return;
        }
        if (m.abstractType) {
            error("structure", "fhir-resource-type", path, "the resourceType names an abstract type");
            return;
        }
        Scope saved = scope;
        Scope own = containerScope == null ? new Scope(r) : containerScope;
        scope = own;
        String savedContained = own.currentContained;
        try {
            if (contained) {
                JsonNode idn = r.get("id");
                String id = idn == null ? null : idn.textValue();
                own.currentContained = id;
                if (id != null) {
                    own.containedIds.add(id);
                }
                if (r.has("contained")) {
                    error("invariant", "fhir-invariant:dom-2", path,
                            "a contained resource cannot itself contain resources");
                }
                JsonNode meta = r.get("meta");
                if (meta != null && meta.isObject()) {
                    if (meta.has("versionId") || meta.has("lastUpdated")) {
                        error("invariant", "fhir-invariant:dom-4", path,
                                "a contained resource cannot have a meta.versionId or a meta.lastUpdated");
                    }
                    if (meta.has("security")) {
                        error("invariant", "fhir-invariant:dom-5", path,
                                "a contained resource cannot have a security label");
                    }
                }
            }
            JsonNode idn = r.get("id");
            if (idn != null && idn.isTextual()) {
                String id = idn.textValue();
                boolean ok = contained ? validIdChars(id) : Primitives.ID.matcher(id).matches();
                if (!ok && !id.isEmpty()) {
                    error("value", "fhir-resource-id", path.child("id"),
                            "the resource id is not valid (1-64 characters A-Z, a-z, 0-9, '-' or '.')");
                }
            }
            object(r, m, path, rt, null, null, null);
            if (containerScope == null) {
                finishScope(own, path);
            }
        } finally {
            own.currentContained = savedContained;
            scope = saved;
        }
    }

    private static boolean validIdChars(String id) {
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'
                    || c == '.')) {
                return false;
            }
        }
        return true;
    }

    private void finishScope(Scope s, Path path) {
        for (int i = 0; i < s.localRefs.size(); i++) {
            String target = s.localRefs.get(i);
            if (!s.containedIds.contains(target)) {
                error("invariant", "fhir-invariant:ref-1", s.localRefPaths.get(i),
                        "the local reference does not point to a contained resource of this resource");
            }
        }
        if (!s.containedIds.isEmpty()) {
            String div = s.root.path("text").path("div").textValue();
            for (String id : s.containedIds) {
                if (s.hashValues.contains("#" + id) || s.containedReferringToContainer.contains(id)) {
                    continue;
                }
                if (div != null && div.contains("#" + id)) {
                    continue;
                }
                issue("warning", "invariant", "fhir-invariant:dom-3", path.child("contained"),
                        "a contained resource is neither referenced from elsewhere in the resource nor refers to "
                                + "its container");
            }
        }
    }

    // ------------------------------------------------------------------ objects

    /**
     * Walks one JSON object against a model.
     *
     * @param defPath    definition path of the element holding this object (e.g. Patient.address)
     * @param parentType type/model name of the object that holds this one (for extension contexts)
     * @param parentPath definition path of the object that holds this one
     * @param parentUrl  url of the enclosing extension, if this object is a sub-extension
     */
    void object(JsonNode o, Model.ObjectModel m, Path path, String defPath, String parentType, String parentPath,
            String parentUrl) {
        if (o.isEmpty()) {
            error("invalid", "fhir-invariant:ele-1", path,
                    "the object is empty: all FHIR elements must have a value or children");
            return;
        }
        if (++depth > MAX_DEPTH) {
            depth--;
            error("too-costly", "fhir-depth", path, "the content is nested too deeply to be checked");
            return;
        }
        boolean bundle = m.special == Model.Special.BUNDLE;
        if (bundle) {
            bundleFullUrls.push(collectFullUrls(o));
        }
        boolean ext = m.special == Model.Special.EXTENSION;
        String prevUrl = ext ? enterExtension(o.path("url").textValue()) : null;
        try {
            for (Map.Entry<String, JsonNode> f : o.properties()) {
                String name = f.getKey();
                JsonNode v = f.getValue();
                Model.Prop p = m.props.get(name);
                if (p != null) {
                    property(o, p, v, path, m, defPath);
                    continue;
                }
                if (name.startsWith("_")) {
                    Model.Prop bp = m.props.get(name.substring(1));
                    if (bp != null && bp.kind == Model.Kind.PRIMITIVE) {
                        companion(o, bp, v, path);
                        continue;
                    }
                }
                if (m.resource && "resourceType".equals(name)) {
                    continue;
                }
                error("structure", "fhir-unknown-element", path.child(name),
                        "the element is not defined for " + (m.resource ? "the resource " : "") + m.name);
            }
            for (Model.Element e : m.required) {
                if (!present(o, e)) {
                    error("required", "fhir-cardinality-min", path.child(e.name),
                            "the element " + e.path + " is required (minimum " + e.min + ") but is missing");
                }
            }
            for (Model.Element e : m.choices) {
                int n = 0;
                for (int i = 0; i < e.jsonNames.size(); i++) {
                    String jn = e.jsonNames.get(i);
                    if (jn.charAt(0) != '_' && o.has(jn)) {
                        n++;
                    }
                }
                if (n > 1) {
                    error("structure", "fhir-cardinality-max", path.child(e.name),
                            "the choice element " + e.path + " has more than one type of value (maximum 1)");
                }
            }
            switch (m.special) {
                case NONE:
                    break;
                case EXTENSION:
                    Invariants.extension(this, o, path, parentType, parentPath, parentUrl);
                    break;
                case REFERENCE:
                    reference(o, path);
                    break;
                case BUNDLE:
                    Invariants.bundle(this, o, path);
                    break;
                default:
                    Invariants.check(this, m.special, o, path);
            }
        } finally {
            if (bundle) {
                bundleFullUrls.pop();
            }
            if (ext) {
                leaveExtension(prevUrl);
            }
            depth--;
        }
    }

    private static boolean present(JsonNode o, Model.Element e) {
        List<String> names = e.jsonNames;
        for (int i = 0; i < names.size(); i++) {
            if (o.has(names.get(i))) {
                return true;
            }
        }
        return false;
    }

    private void property(JsonNode owner, Model.Prop p, JsonNode v, Path path, Model.ObjectModel ownerModel,
            String ownerDefPath) {
        Model.Element e = p.element;
        if (e.array) {
            if (!v.isArray()) {
                error("structure", "fhir-array", path.child(p.segment), "the element " + e.path
                        + " repeats, so it must be a JSON array, but a JSON " + Primitives.describe(v) + " was found");
                return;
            }
            int n = v.size();
            if (n == 0) {
                error("invalid", "fhir-invariant:ele-1", path.child(p.segment),
                        "an array cannot be empty: the property should be left out if it has no values");
                return;
            }
            if (n > e.max) {
                error("structure", "fhir-cardinality-max", path.child(p.segment),
                        "the element " + e.path + " has more values than its maximum of " + e.max);
            }
            JsonNode comp = p.kind == Model.Kind.PRIMITIVE ? owner.get("_" + p.jsonName) : null;
            for (int i = 0; i < n; i++) {
                JsonNode item = v.get(i);
                if (item.isNull()) {
                    boolean paired = comp != null && comp.isArray() && i < comp.size() && comp.get(i).isObject();
                    if (!paired) {
                        error("invalid", "fhir-invariant:ele-1", path.child(p.segment, i),
                                "a null in an array is only allowed when the matching _" + p.jsonName
                                        + " entry holds an id or extensions");
                    }
                    continue;
                }
                single(item, p, path.child(p.segment, i), ownerModel, ownerDefPath);
            }
        } else {
            if (v.isArray()) {
                error("structure", "fhir-array", path.child(p.segment), "the element " + e.path
                        + " does not repeat (maximum 1), so it cannot be a JSON array");
                return;
            }
            if (v.isNull()) {
                error("invalid", "fhir-invariant:ele-1", path.child(p.segment), "the element cannot be null");
                return;
            }
            single(v, p, path.child(p.segment), ownerModel, ownerDefPath);
        }
    }

    private void single(JsonNode v, Model.Prop p, Path ip, Model.ObjectModel ownerModel, String ownerDefPath) {
        switch (p.kind) {
            case PRIMITIVE: {
                Primitives.Problem pr = Primitives.check(p.primitive, v);
                if (pr != null) {
                    issue(pr.severity(), pr.code(), pr.rule(), ip, pr.message());
                    if ("error".equals(pr.severity())) {
                        return;
                    }
                }
                if (v.isTextual()) {
                    String s = v.textValue();
                    if (!s.isEmpty() && s.charAt(0) == '#' && scope != null) {
                        scope.hashValues.add(s);
                    }
                    if (p.element.requiredBinding != null && p.primitive == Primitives.Kind.CODE) {
                        if (Boolean.FALSE.equals(p.element.requiredBinding.containsCode(s))) {
                            error("code-invalid", "fhir-binding-required", ip,
                                    "the code is not in the value set " + p.element.requiredBinding.url
                                            + ", which the binding requires");
                        }
                    }
                }
                return;
            }
            case RESOURCE:
                if (!v.isObject()) {
                    error("structure", "fhir-type", ip,
                            "a resource must be a JSON object, but a JSON " + Primitives.describe(v) + " was found");
                    return;
                }
                if (++depth > MAX_DEPTH) {
                    depth--;
                    error("too-costly", "fhir-depth", ip, "the content is nested too deeply to be checked");
                    return;
                }
                try {
                    boolean contained = "contained".equals(p.element.name);
                    resource(v, ip, contained ? scope : null, contained);
                } finally {
                    depth--;
                }
                return;
            default:
                break;
        }
        if (!v.isObject()) {
            error("structure", "fhir-type", ip, "a " + p.type + " value must be a JSON object, but a JSON "
                    + Primitives.describe(v) + " was found");
            return;
        }
        if (p.model == null) {
            return;
        }
        String defPath = p.element.choice ? p.element.path.substring(0, p.element.path.length() - 3)
                : p.element.path;
        object(v, p.model, ip, defPath, ownerModel.name, ownerDefPath,
                ownerModel.special == Model.Special.EXTENSION ? ownerUrl : null);
        if (p.element.requiredBinding != null) {
            if (p.model.special == Model.Special.CODING) {
                Boolean in = codingIn(v, p.element.requiredBinding);
                if (Boolean.FALSE.equals(in)) {
                    error("code-invalid", "fhir-binding-required", ip, "the coding is not in the value set "
                            + p.element.requiredBinding.url + ", which the binding requires");
                }
            } else if (p.model.special == Model.Special.CODEABLE_CONCEPT) {
                JsonNode codings = v.get("coding");
                if (codings != null && codings.isArray() && codings.size() > 0) {
                    boolean anyTrueOrUnknown = false;
                    for (JsonNode c : codings) {
                        Boolean in = codingIn(c, p.element.requiredBinding);
                        if (!Boolean.FALSE.equals(in)) {
                            anyTrueOrUnknown = true;
                            break;
                        }
                    }
                    if (!anyTrueOrUnknown) {
                        error("code-invalid", "fhir-binding-required", ip,
                                "none of the codings is in the value set " + p.element.requiredBinding.url
                                        + ", which the binding requires");
                    }
                }
            }
        }
    }

    /** Url of the extension currently being walked (set while walking an Extension's children). */
    private String ownerUrl;

    String enterExtension(String url) {
        String prev = ownerUrl;
        ownerUrl = url;
        return prev;
    }

    void leaveExtension(String prev) {
        ownerUrl = prev;
    }

    private static Boolean codingIn(JsonNode coding, CodeSets.CodeSet set) {
        if (coding == null || !coding.isObject()) {
            return null;
        }
        String system = coding.path("system").textValue();
        String code = coding.path("code").textValue();
        if (system == null || code == null) {
            return null;
        }
        return set.containsCoding(system, code);
    }

    private void companion(JsonNode owner, Model.Prop p, JsonNode v, Path path) {
        Model.ObjectModel em = fc.elementModel();
        Path cp = path.child("_" + p.jsonName);
        if (p.element.array) {
            if (!v.isArray()) {
                error("structure", "fhir-array", cp,
                        "the element repeats, so its _ companion must be a JSON array");
                return;
            }
            JsonNode values = owner.get(p.jsonName);
            if (values != null && values.isArray() && values.size() != v.size()) {
                error("structure", "fhir-array", cp,
                        "the _ companion array must have as many items as the value array");
            }
            for (int i = 0; i < v.size(); i++) {
                JsonNode item = v.get(i);
                if (item.isNull()) {
                    if (values == null || !values.isArray() || i >= values.size() || values.get(i).isNull()) {
                        error("invalid", "fhir-invariant:ele-1", path.child(p.segment, i),
                                "the element has neither a value nor an id or extensions");
                    }
                    continue;
                }
                if (!item.isObject()) {
                    error("structure", "fhir-type", cp, "_ companion items must be JSON objects");
                    continue;
                }
                if (em != null) {
                    object(item, em, path.child(p.segment, i), p.element.path, p.type, stripX(p.element.path),
                            null);
                }
            }
        } else {
            if (!v.isObject()) {
                error("structure", "fhir-type", cp, "a _ companion must be a JSON object");
                return;
            }
            if (em != null) {
                object(v, em, path.child(p.segment), p.element.path, p.type, stripX(p.element.path), null);
            }
        }
    }

    private static String stripX(String path) {
        return path.endsWith("[x]") ? path.substring(0, path.length() - 3) : path;
    }

    // ------------------------------------------------------------------ references and bundles

    private static Set<String> collectFullUrls(JsonNode bundle) {
        Set<String> urls = new HashSet<>();
        JsonNode entries = bundle.get("entry");
        if (entries != null && entries.isArray()) {
            for (JsonNode e : entries) {
                String fu = e.path("fullUrl").textValue();
                if (fu != null) {
                    urls.add(fu);
                }
            }
        }
        return urls;
    }

    private void reference(JsonNode o, Path path) {
        JsonNode rn = o.get("reference");
        if (rn == null || !rn.isTextual()) {
            return;
        }
        String ref = rn.textValue();
        if (ref.isEmpty()) {
            return;
        }
        Path rp = path.child("reference");
        if (ref.charAt(0) == '#') {
            if (scope == null) {
                return;
            }
            if (ref.length() == 1) {
                if (scope.currentContained != null) {
                    scope.containedReferringToContainer.add(scope.currentContained);
                }
            } else {
                scope.localRefs.add(ref.substring(1));
                scope.localRefPaths.add(rp);
            }
            return;
        }
        for (int i = 0; i < ref.length(); i++) {
            if (Character.isWhitespace(ref.charAt(i))) {
                error("value", "fhir-reference-format", rp, "the reference is not valid: it contains whitespace");
                return;
            }
        }
        if (ref.startsWith("urn:uuid:")) {
            Set<String> urls = bundleFullUrls.peek();
            if (urls != null && !urls.contains(ref)) {
                issue("warning", "not-found", "fhir-reference-unresolved", rp,
                        "the urn:uuid reference does not match the fullUrl of any entry in the Bundle");
            } else if (!Primitives.UUID.matcher(ref).matches()) {
                issue("warning", "value", "fhir-reference-format", rp,
                        "the reference is not a valid urn:uuid (a lowercase UUID is expected)");
            }
            return;
        }
        if (ref.startsWith("urn:oid:")) {
            if (!Primitives.OID.matcher(ref).matches()) {
                error("value", "fhir-reference-format", rp, "the reference is not a valid urn:oid");
            }
            return;
        }
        if (ref.contains(":")) {
            return;
        }
        int end = 0;
        while (end < ref.length() && ref.charAt(end) != '/' && ref.charAt(end) != '?') {
            end++;
        }
        String type = ref.substring(0, end);
        if (end < ref.length() && !type.isEmpty() && Character.isUpperCase(type.charAt(0))
                && !fc.isResourceType(type)) {
            error("value", "fhir-reference-type", rp, "the reference names a resource type that FHIR R4 does not define");
        }
    }

    // accessors for Invariants
    FastConformance conformance() {
        return fc;
    }
}
