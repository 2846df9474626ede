package org.recordline.validation.conformance.fast;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Hand-coded invariants of the base specification (cheap ones only) and extension checks. */
final class Invariants {

    private Invariants() {
    }

    static void check(Walker w, Model.Special special, JsonNode o, Walker.Path path) {
        switch (special) {
            case PERIOD:
                period(w, o, path);
                break;
            case QUANTITY:
                if (o.has("code") && !o.has("system")) {
                    w.error("invariant", "fhir-invariant:qty-3", path,
                            "if a code for the unit is present, the system must also be present");
                }
                break;
            case ATTACHMENT:
                if (o.has("data") && !o.has("contentType")) {
                    w.error("invariant", "fhir-invariant:att-1", path,
                            "if the attachment has data, it must have a contentType");
                }
                break;
            case OBSERVATION:
                observation(w, o, path);
                break;
            case PATIENT_CONTACT:
                if (!o.has("name") && !o.has("telecom") && !o.has("address") && !o.has("organization")) {
                    w.error("invariant", "fhir-invariant:pat-1", path,
                            "a contact must have at least a name, telecom, address or organization");
                }
                break;
            default:
                break;
        }
    }

    private static void period(Walker w, JsonNode o, Walker.Path path) {
        String start = o.path("start").textValue();
        String end = o.path("end").textValue();
        if (start == null || end == null) {
            return;
        }
        Integer cmp = compareDateTimes(start, end);
        if (cmp != null && cmp > 0) {
            w.error("invariant", "fhir-invariant:per-1", path, "the period starts after it ends");
        }
    }

    /**
     * Compares two FHIR dates/dateTimes as FHIRPath does: null when undecidable. When the precisions differ and the
     * common part is equal, FHIRPath gives an empty result, which the reference validator counts as a failed
     * invariant; this returns 1 in that case so that per-1 agrees with it.
     */
    static Integer compareDateTimes(String a, String b) {
        boolean ta = a.length() > 10;
        boolean tb = b.length() > 10;
        try {
            if (ta && tb) {
                return OffsetDateTime.parse(a).toInstant().compareTo(OffsetDateTime.parse(b).toInstant());
            }
            String da = ta ? a.substring(0, 10) : a;
            String db = tb ? b.substring(0, 10) : b;
            int common = Math.min(da.length(), db.length());
            int c = da.substring(0, common).compareTo(db.substring(0, common));
            if (c != 0) {
                return c;
            }
            return a.length() == b.length() ? 0 : 1;
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static final String[] VALUE_NAMES = {"valueQuantity", "valueCodeableConcept", "valueString",
        "valueBoolean", "valueInteger", "valueRange", "valueRatio", "valueSampledData", "valueTime",
        "valueDateTime", "valuePeriod"};

    private static boolean hasValue(JsonNode o) {
        for (String n : VALUE_NAMES) {
            if (o.has(n)) {
                return true;
            }
        }
        return false;
    }

    private static void observation(Walker w, JsonNode o, Walker.Path path) {
        if (o.has("dataAbsentReason") && hasValue(o)) {
            w.error("invariant", "fhir-invariant:obs-6", path,
                    "dataAbsentReason may only be present when there is no value");
        }
        JsonNode comps = o.get("component");
        JsonNode codings = o.path("code").path("coding");
        if (comps == null || !comps.isArray() || !hasValue(o) || !codings.isArray() || codings.size() == 0) {
            return;
        }
        Set<String> codes = new HashSet<>();
        for (JsonNode c : codings) {
            String s = c.path("system").textValue();
            String k = c.path("code").textValue();
            if (s != null && k != null) {
                codes.add(s + "|" + k);
            }
        }
        for (int i = 0; i < comps.size(); i++) {
            JsonNode comp = comps.get(i);
            for (JsonNode c : comp.path("code").path("coding")) {
                String s = c.path("system").textValue();
                String k = c.path("code").textValue();
                if (s != null && k != null && codes.contains(s + "|" + k)) {
                    w.error("invariant", "fhir-invariant:obs-7", path.child("component", i),
                            "a component has the same code as the observation, so the observation itself must not "
                                    + "have a value");
                    break;
                }
            }
        }
    }

    // ------------------------------------------------------------------ extensions

    static void extension(Walker w, JsonNode o, Walker.Path path, String parentType, String parentPath,
            String parentUrl) {
        String url = o.path("url").textValue();
        boolean hasExt = o.has("extension");
        String valueName = null;
        Iterator<String> names = o.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (n.startsWith("value") && n.length() > 5 && Character.isUpperCase(n.charAt(5))) {
                valueName = n;
            } else if (valueName == null && n.startsWith("_value") && n.length() > 6) {
                valueName = n.substring(1);
            }
        }
        if (hasExt == (valueName != null)) {
            w.error("invariant", "fhir-invariant:ext-1", path,
                    "an extension must have either extensions or a value, not both and not neither");
        }
        if (url == null) {
            return;
        }
        if (url.indexOf('|') >= 0) {
            w.error("value", "fhir-extension-url", path.child("url"), "the extension URL must not contain a version");
            return;
        }
        boolean absolute = url.indexOf(':') >= 0;
        FastConformance fc = w.conformance();
        Model.ExtensionDef def = absolute ? fc.extensionDef(url) : null;
        if (def == null) {
            if (absolute && parentUrl == null) {
                w.issue("information", "not-supported", "fhir-extension-unknown", path,
                        "the extension definition is not known, so the extension was not checked");
            }
            return;
        }
        if (valueName != null) {
            String type = valueName.substring(5);
            if (def.valueProhibited) {
                w.error("structure", "fhir-extension-value", path,
                        "the extension definition does not allow a value (it is a complex extension)");
            } else if (!def.valueTypes.isEmpty() && !typeAllowed(def.valueTypes, type)) {
                w.error("structure", "fhir-extension-value", path,
                        "the extension value type is not one of the types the extension definition allows");
            }
        }
        if (def.subExtensions != null && hasExt) {
            JsonNode subs = o.get("extension");
            if (subs.isArray()) {
                for (int i = 0; i < subs.size(); i++) {
                    String su = subs.get(i).path("url").textValue();
                    if (su != null && su.indexOf(':') < 0 && !def.subExtensions.contains(su)) {
                        w.error("structure", "fhir-extension-unknown-sub", path.child("extension", i),
                                "the sub-extension url is not defined by the extension definition");
                    }
                }
            }
        }
        if (def.elementContexts != null && !def.elementContexts.isEmpty() && parentType != null
                && !contextAllowed(fc, def.elementContexts, parentType, parentPath, parentUrl)) {
            w.error("structure", "fhir-extension-context", path,
                    "the extension definition does not allow this extension at this place");
        }
    }

    private static boolean typeAllowed(List<String> allowed, String capitalisedType) {
        for (String t : allowed) {
            if (t.equalsIgnoreCase(capitalisedType)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contextAllowed(FastConformance fc, List<String> contexts, String parentType,
            String parentPath, String parentUrl) {
        String base = fc.baseTypeOf(parentType);
        boolean backbone = parentType.indexOf('.') > 0;
        boolean resource = fc.isResourceType(parentType);
        String lastSeg = parentPath == null ? null : parentPath.substring(parentPath.lastIndexOf('.') + 1);
        for (String c : contexts) {
            if (c.startsWith("ext:")) {
                if (parentUrl != null && c.substring(4).equals(parentUrl)) {
                    return true;
                }
                continue;
            }
            if (c.equals(parentType) || c.equals(parentPath) || "Element".equals(c) || "Base".equals(c)
                    || c.equals(base) || c.indexOf('(') >= 0 || c.indexOf('[') >= 0) {
                return true;
            }
            if (backbone && "BackboneElement".equals(c)) {
                return true;
            }
            if (resource && ("Resource".equals(c) || "DomainResource".equals(c))) {
                return true;
            }
            if (lastSeg != null && c.indexOf('.') > 0 && c.endsWith("." + lastSeg)) {
                return true;
            }
            if (fc.resourceModel(c) == null && !fc.isKnownType(c) && c.indexOf('.') < 0) {
                return true;
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ bundles

    private static final Pattern RESTFUL = Pattern.compile(
            "https?://.+/([A-Z][A-Za-z]+)/([A-Za-z0-9\\-.]{1,64})(/_history/[A-Za-z0-9\\-.]{1,64})?");

    static void bundle(Walker w, JsonNode b, Walker.Path path) {
        String type = b.path("type").textValue();
        FastConformance fc = w.conformance();
        if (type == null) {
            return;
        }
        boolean searchOrHistory = "searchset".equals(type) || "history".equals(type);
        if (b.has("total") && !searchOrHistory) {
            w.error("invariant", "fhir-invariant:bdl-1", path.child("total"),
                    "total is only allowed in a search set or a history");
        }
        JsonNode links = b.get("link");
        if (links != null && links.isArray()) {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < links.size(); i++) {
                String rel = links.get(i).path("relation").textValue();
                if (rel != null && Set.of("self", "first", "previous", "prev", "next", "last").contains(rel)
                        && !seen.add(rel)) {
                    w.error("invalid", "fhir-bundle-link", path.child("link", i),
                            "this link relation type may only occur once");
                }
            }
        }
        JsonNode entries = b.get("entry");
        if (entries == null || !entries.isArray()) {
            if ("document".equals(type) || "message".equals(type)) {
                w.error("invariant", "document".equals(type) ? "fhir-invariant:bdl-11" : "fhir-invariant:bdl-12",
                        path, "a " + type + " Bundle must have a first entry");
            }
            return;
        }
        boolean requestExpected = "batch".equals(type) || "transaction".equals(type) || "history".equals(type);
        boolean responseExpected = "batch-response".equals(type) || "transaction-response".equals(type)
                || "history".equals(type);
        boolean fullUrlRequired = "document".equals(type) || "message".equals(type) || "collection".equals(type);
        Map<String, Integer> fullUrls = new HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode e = entries.get(i);
            if (!e.isObject()) {
                continue;
            }
            Walker.Path ep = path.child("entry", i);
            JsonNode res = e.get("resource");
            boolean hasRes = res != null && res.isObject();
            if (!e.has("resource") && !e.has("request") && !e.has("response")) {
                w.error("invariant", "fhir-invariant:bdl-5", ep,
                        "an entry must have a resource, a request or a response");
            }
            if (e.has("search") && !"searchset".equals(type)) {
                w.error("invariant", "fhir-invariant:bdl-2", ep, "entry.search is only allowed in a search set");
            }
            if (e.has("request") != requestExpected) {
                w.error("invariant", "fhir-invariant:bdl-3", ep, requestExpected
                        ? "entry.request is required in a batch, transaction or history Bundle"
                        : "entry.request is only allowed in a batch, transaction or history Bundle");
            }
            if (e.has("response") != responseExpected) {
                w.error("invariant", "fhir-invariant:bdl-4", ep, responseExpected
                        ? "entry.response is required in a batch-response, transaction-response or history Bundle"
                        : "entry.response is only allowed in a batch-response, transaction-response or history Bundle");
            }
            String fu = e.path("fullUrl").textValue();
            if (fu != null) {
                if (fu.contains("/_history/")) {
                    w.error("invariant", "fhir-invariant:bdl-8", ep.child("fullUrl"),
                            "fullUrl cannot be a version specific reference");
                }
                if (fu.indexOf(':') < 0) {
                    w.error("value", "fhir-bundle-fullurl", ep.child("fullUrl"), "the fullUrl must be an absolute URL");
                }
                if (!"history".equals(type)) {
                    String key = fu + "|" + (hasRes ? res.path("meta").path("versionId").asText("") : "");
                    if (fullUrls.putIfAbsent(key, i) != null) {
                        w.error("invariant", "fhir-invariant:bdl-7", ep.child("fullUrl"),
                                "fullUrl must be unique in a Bundle (unless the entries have different versionIds)");
                    }
                }
                if (hasRes) {
                    Matcher mm = RESTFUL.matcher(fu);
                    if (mm.matches() && fc.isResourceType(mm.group(1))) {
                        String rt = res.path("resourceType").textValue();
                        String id = res.path("id").textValue();
                        if ((rt != null && !rt.equals(mm.group(1))) || (id != null && !id.equals(mm.group(2)))) {
                            w.error("invalid", "fhir-bundle-fullurl", ep.child("fullUrl"),
                                    "the fullUrl looks like a RESTful URL, so it must end with the type and id of "
                                            + "the entry's resource");
                        }
                    }
                }
            } else if (fullUrlRequired && hasRes) {
                w.error("required", "fhir-bundle-fullurl", ep,
                        "except in transactions and batches, each entry with a resource must have a fullUrl");
            }
            if ("searchset".equals(type) && hasRes) {
                String mode = e.path("search").path("mode").textValue();
                String rt = res.path("resourceType").textValue();
                if ("outcome".equals(mode) && rt != null && !"OperationOutcome".equals(rt)) {
                    w.error("invalid", "fhir-bundle-search", ep.child("resource"),
                            "an entry with search mode 'outcome' must be an OperationOutcome");
                } else if (("match".equals(mode) || "include".equals(mode)) && !res.has("id")) {
                    w.error("invalid", "fhir-bundle-search", ep.child("resource"), "search results must have ids");
                }
            }
        }
        if ("document".equals(type)) {
            JsonNode ident = b.get("identifier");
            if (ident == null || !ident.has("system") || !ident.has("value")) {
                w.error("invariant", "fhir-invariant:bdl-9", path,
                        "a document must have an identifier with a system and a value");
            }
            if (!b.has("timestamp")) {
                w.error("invariant", "fhir-invariant:bdl-10", path, "a document must have a timestamp");
            }
            if (entries.size() == 0
                    || !"Composition".equals(entries.get(0).path("resource").path("resourceType").textValue())) {
                w.error("invariant", "fhir-invariant:bdl-11", path,
                        "a document must have a Composition as its first resource");
            }
        }
        if ("message".equals(type) && (entries.size() == 0
                || !"MessageHeader".equals(entries.get(0).path("resource").path("resourceType").textValue()))) {
            w.error("invariant", "fhir-invariant:bdl-12", path,
                    "a message must have a MessageHeader as its first resource");
        }
    }
}
