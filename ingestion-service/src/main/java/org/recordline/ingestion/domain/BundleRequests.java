package org.recordline.ingestion.domain;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * The request semantics of a {@code transaction} or {@code batch} Bundle, applied at intake so that downstream services
 * see stable ids and plain references.
 *
 * <p>Every entry gets the id it will have in Recordline:
 * <ul>
 *   <li>{@code PUT Type/id}: that id;</li>
 *   <li>{@code POST} with {@code ifNoneExist: identifier=system|value}, and {@code PUT Type?identifier=system|value}:
 *       the name-based UUID of {@code Type|system|value} ({@link #identifierId}), so a conditional create of the same
 *       identifier, from any source, in any submission, is always the same resource;</li>
 *   <li>{@code POST} otherwise: the UUID of a {@code urn:uuid:} fullUrl, else the resource's own id, else a name-based
 *       UUID of the Bundle's content and the entry's position (the same on every resend).</li>
 * </ul>
 * Then every {@code reference} is rewritten to {@code Type/id}: {@code urn:uuid:} (and absolute) references to an
 * entry's fullUrl, and conditional references {@code Type?identifier=system|value} to {@link #identifierId}, whether or
 * not that resource has arrived yet. Other conditional criteria cannot be resolved without a search and are refused.
 *
 * <p>A transaction is all or nothing: the first faulty entry refuses it (400, naming the entry). A batch keeps its good
 * entries and reports each faulty one ({@link EntryOutcome}); with none good, it is refused.
 */
public final class BundleRequests {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UUID_URN = Pattern.compile(
            "urn:uuid:([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})");
    private static final Pattern TYPE = Pattern.compile("[A-Z][A-Za-z]{1,63}");
    private static final Pattern TYPE_ID = Pattern.compile("([A-Z][A-Za-z]{1,63})/([A-Za-z0-9\\-.]{1,64})");
    private static final Pattern CONDITIONAL = Pattern.compile("([A-Z][A-Za-z]{1,63})\\?(.*)");

    /**
     * What became of one entry.
     *
     * @param status      HTTP status of the entry ({@code 201} taken, {@code 400} refused)
     * @param location    {@code Type/id} the entry is filed under, when taken
     * @param diagnostics why it was refused (names elements, never values), when refused
     */
    @com.fasterxml.jackson.annotation.JsonInclude(com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
    public record EntryOutcome(int status, String location, String diagnostics) {

        /** One line: status, tab, location or diagnostics. */
        String line() {
            return status + "\t" + (location != null ? location : diagnostics.replace('\n', ' ').replace('\t', ' '));
        }

        static EntryOutcome ofLine(String line) {
            int tab = line.indexOf('\t');
            int status = Integer.parseInt(line.substring(0, tab));
            String rest = line.substring(tab + 1);
            return status < 300 ? new EntryOutcome(status, rest, null) : new EntryOutcome(status, null, rest);
        }
    }

    /**
     * A resolved Bundle.
     *
     * @param type           the Bundle's type, transaction or batch
     * @param json           the Bundle with ids set and references rewritten; a batch without its refused entries
     * @param entries        one outcome per entry of the request, in order
     * @param accepted       entries taken
     * @param patientLocalId id of the first Patient taken, or null
     */
    public record Resolution(String type, String json, List<EntryOutcome> entries, int accepted, String patientLocalId) {
    }

    private BundleRequests() {
    }

    /** Whether a Bundle of {@code type} ({@code Bundle.type}) carries requests this class resolves. */
    public static boolean carriesRequests(String type) {
        return "transaction".equals(type) || "batch".equals(type);
    }

    /** The id Recordline gives the {@code type} resource with identifier {@code system|value} (system may be empty). */
    public static String identifierId(String type, String system, String value) {
        return UUID.nameUUIDFromBytes((type + "|" + system + "|" + value).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** The outcomes kept for a submission: a first line {@code #type} (transaction or batch), then one a line. */
    public static String encode(String bundleType, List<EntryOutcome> entries) {
        StringBuilder b = new StringBuilder("#").append(bundleType).append('\n');
        for (EntryOutcome e : entries) {
            b.append(e.line()).append('\n');
        }
        return b.toString();
    }

    /** The outcomes {@link #encode} wrote; empty for null. */
    public static List<EntryOutcome> decode(String text) {
        List<EntryOutcome> out = new ArrayList<>();
        if (text != null) {
            for (String line : text.split("\n")) {
                if (!line.isEmpty() && line.charAt(0) != '#') {
                    out.add(EntryOutcome.ofLine(line));
                }
            }
        }
        return out;
    }

    /** The Bundle type {@link #encode} recorded ({@code transaction} or {@code batch}); null for null. */
    public static String bundleType(String text) {
        return text == null || !text.startsWith("#") ? null : text.substring(1, text.indexOf('\n'));
    }

    /**
     * Resolves the transaction or batch Bundle {@code json} (already parsed strictly, so its shape is FHIR's).
     *
     * <p>One streaming pass reads what the resolution needs (each entry's fullUrl, request, type and id, and where
     * every {@code reference} value lies); the document is then written once with the changed ids and references
     * spliced in at their places, so nothing else of it is parsed into objects or re-encoded. A batch with refused
     * entries (which must be cut out) takes the slower path through a JSON tree ({@link #resolveTree}); both give the
     * same result (a test compares them).
     *
     * @throws RejectedSubmissionException 400 for a faulty transaction, or a batch with no good entry
     */
    public static Resolution resolve(String json) {
        Scan scan;
        try {
            scan = Scan.of(json);
        } catch (java.io.IOException | IllegalStateException e) {
            throw new RejectedSubmissionException(400, IssueType.STRUCTURE, "the Bundle is not a JSON object");
        }
        boolean transaction = "transaction".equals(scan.type);
        int n = scan.entries.size();
        String[] keys = new String[n];
        Map<String, String> byFullUrl = new HashMap<>();
        Map<String, Integer> byKey = new HashMap<>();
        String[] contentSeed = {null};
        boolean faulty = false;
        for (int i = 0; i < n; i++) {
            EntryMeta entry = scan.entries.get(i);
            try {
                String key = key(entry, i, json, contentSeed);
                Integer earlier = byKey.putIfAbsent(key, i);
                if (earlier != null) {
                    throw new Fault("names the same resource as entry " + earlier);
                }
                keys[i] = key;
                if (entry.fullUrl != null && byFullUrl.putIfAbsent(entry.fullUrl, key) != null) {
                    throw new Fault("has the same fullUrl as an earlier entry");
                }
            } catch (Fault f) {
                if (transaction) {
                    throw refusal(i, f.getMessage());
                }
                faulty = true;
            }
        }
        List<Edit> edits = new ArrayList<>();
        for (Ref ref : scan.refs) {
            if (keys[ref.entry()] == null) {
                continue;
            }
            try {
                String resolved = resolveReference(ref.value(), byFullUrl, ref.path());
                if (resolved != null && !resolved.equals(ref.value())) {
                    edits.add(new Edit(ref.start(), ref.end(), quoted(resolved)));
                }
            } catch (Fault f) {
                if (transaction) {
                    throw refusal(ref.entry(), f.getMessage());
                }
                faulty = true;
            }
        }
        if (faulty) {
            // refused batch entries are cut out of the document: the tree does that simply, and batches are rare
            return resolveTree(json);
        }
        List<EntryOutcome> outcomes = new ArrayList<>(n);
        String patient = null;
        for (int i = 0; i < n; i++) {
            EntryMeta entry = scan.entries.get(i);
            String id = keys[i].substring(keys[i].indexOf('/') + 1);
            if (entry.idStart >= 0) {
                if (!id.equals(entry.ownId)) {
                    edits.add(new Edit(entry.idStart, entry.idEnd, quoted(id)));
                }
            } else {
                edits.add(new Edit(entry.resourceStart + 1, entry.resourceStart + 1, quoted("id") + ":" + quoted(id)
                        + (entry.resourceEmpty ? "" : ",")));
            }
            outcomes.add(new EntryOutcome(201, keys[i], null));
            if (patient == null && keys[i].startsWith("Patient/")) {
                patient = id;
            }
        }
        edits.sort(java.util.Comparator.comparingInt(Edit::start));
        StringBuilder out = new StringBuilder(json.length() + 64);
        int at = 0;
        for (Edit e : edits) {
            out.append(json, at, e.start()).append(e.text());
            at = e.end();
        }
        out.append(json, at, json.length());
        return new Resolution(transaction ? "transaction" : "batch", out.toString(), outcomes, n, patient);
    }

    /** A JSON string literal of {@code s}. */
    private static String quoted(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** A splice: characters {@code [start, end)} of the document become {@code text}. */
    private record Edit(int start, int end, String text) {
    }

    /** A {@code reference} string value in entry {@code entry}'s resource: its characters (quotes included). */
    private record Ref(int entry, int start, int end, String value, Where path) {
    }

    /** Where a reference lies ({@code resource.a.b}), made into text only for an error message. */
    private record Where(Where parent, String name) {
        @Override
        public String toString() {
            return parent == null ? name : parent + "." + name;
        }
    }

    private static final Where RESOURCE = new Where(null, "resource");

    /** What the resolution needs of one entry. */
    static final class EntryMeta {
        String fullUrl;
        boolean hasRequest;
        String method;
        String url;
        String ifNoneExist;
        boolean hasResource;
        String type;
        String ownId;
        int resourceStart = -1;
        boolean resourceEmpty = true;
        int idStart = -1;
        int idEnd = -1;
    }

    /** One streaming pass over a Bundle: its type, its entries' metadata, and where every reference lies. */
    private static final class Scan {
        private static final com.fasterxml.jackson.core.JsonFactory FACTORY = new com.fasterxml.jackson.core.JsonFactory();
        String type;
        final List<EntryMeta> entries = new ArrayList<>();
        final List<Ref> refs = new ArrayList<>();
        private final com.fasterxml.jackson.core.JsonParser p;

        private Scan(com.fasterxml.jackson.core.JsonParser p) {
            this.p = p;
        }

        static Scan of(String json) throws java.io.IOException {
            try (com.fasterxml.jackson.core.JsonParser p = FACTORY.createParser(json)) {
                Scan s = new Scan(p);
                if (p.nextToken() != com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    throw new IllegalStateException("not an object");
                }
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    com.fasterxml.jackson.core.JsonToken t = p.nextToken();
                    if ("type".equals(name) && t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                        s.type = p.getText();
                    } else if ("entry".equals(name) && t == com.fasterxml.jackson.core.JsonToken.START_ARRAY) {
                        while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                            s.entry();
                        }
                    } else {
                        p.skipChildren();
                    }
                }
                return s;
            }
        }

        private int start() {
            return (int) p.currentTokenLocation().getCharOffset();
        }

        private int end() {
            return (int) p.currentLocation().getCharOffset();
        }

        private void entry() throws java.io.IOException {
            EntryMeta m = new EntryMeta();
            int index = entries.size();
            entries.add(m);
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                String name = p.currentName();
                com.fasterxml.jackson.core.JsonToken t = p.nextToken();
                if ("fullUrl".equals(name) && t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                    m.fullUrl = p.getText();
                } else if ("request".equals(name) && t == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    m.hasRequest = true;
                    while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                        String field = p.currentName();
                        if (p.nextToken() == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                            switch (field) {
                                case "method" -> m.method = p.getText();
                                case "url" -> m.url = p.getText();
                                case "ifNoneExist" -> m.ifNoneExist = p.getText();
                                default -> { }
                            }
                        } else {
                            p.skipChildren();
                        }
                    }
                } else if ("resource".equals(name) && t == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                    m.hasResource = true;
                    m.resourceStart = start();
                    resource(m, index);
                } else {
                    p.skipChildren();
                }
            }
        }

        private void resource(EntryMeta m, int index) throws java.io.IOException {
            while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                m.resourceEmpty = false;
                String name = p.currentName();
                com.fasterxml.jackson.core.JsonToken t = p.nextToken();
                if (t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING) {
                    if ("resourceType".equals(name)) {
                        m.type = p.getText();
                    } else if ("id".equals(name)) {
                        m.idStart = start();
                        m.ownId = p.getText();
                        m.idEnd = end();
                    } else if ("reference".equals(name)) {
                        reference(index, RESOURCE);
                    }
                } else if (t.isStructStart()) {
                    walk(t, index, new Where(RESOURCE, name));
                }
            }
        }

        private void reference(int index, Where path) throws java.io.IOException {
            int s = start();
            String value = p.getText();
            refs.add(new Ref(index, s, end(), value, path));
        }

        /** Walks the container just opened (path: the object's), recording every textual {@code reference}. */
        private void walk(com.fasterxml.jackson.core.JsonToken open, int index, Where path) throws java.io.IOException {
            if (open == com.fasterxml.jackson.core.JsonToken.START_OBJECT) {
                while (p.nextToken() == com.fasterxml.jackson.core.JsonToken.FIELD_NAME) {
                    String name = p.currentName();
                    com.fasterxml.jackson.core.JsonToken t = p.nextToken();
                    if (t == com.fasterxml.jackson.core.JsonToken.VALUE_STRING && "reference".equals(name)) {
                        reference(index, path);
                    } else if (t.isStructStart()) {
                        walk(t, index, new Where(path, name));
                    }
                }
            } else {
                com.fasterxml.jackson.core.JsonToken t;
                while ((t = p.nextToken()) != com.fasterxml.jackson.core.JsonToken.END_ARRAY) {
                    if (t.isStructStart()) {
                        walk(t, index, path);
                    }
                }
            }
        }
    }

    /** As {@link #resolve}, through a JSON tree: the path of a batch with refused entries, and the test's reference. */
    static Resolution resolveTree(String json) {
        ObjectNode root;
        try {
            root = (ObjectNode) JSON.readTree(json);
        } catch (JsonProcessingException | ClassCastException e) {
            throw new RejectedSubmissionException(400, IssueType.STRUCTURE, "the Bundle is not a JSON object");
        }
        boolean transaction = "transaction".equals(root.path("type").asText());
        JsonNode entryNode = root.path("entry");
        int n = entryNode.isArray() ? entryNode.size() : 0;
        String[] keys = new String[n];
        String[] errors = new String[n];
        Map<String, String> byFullUrl = new HashMap<>();
        Map<String, Integer> byKey = new HashMap<>();
        String[] contentSeed = {null};

        for (int i = 0; i < n; i++) {
            JsonNode entry = entryNode.get(i);
            try {
                String key = key(meta(entry), i, json, contentSeed);
                Integer earlier = byKey.putIfAbsent(key, i);
                if (earlier != null) {
                    throw new Fault("names the same resource as entry " + earlier);
                }
                keys[i] = key;
                String fullUrl = entry.path("fullUrl").asText(null);
                if (fullUrl != null && byFullUrl.putIfAbsent(fullUrl, key) != null) {
                    throw new Fault("has the same fullUrl as an earlier entry");
                }
            } catch (Fault f) {
                errors[i] = f.getMessage();
                if (transaction) {
                    throw refusal(i, f.getMessage());
                }
            }
        }
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) {
                continue;
            }
            ObjectNode resource = (ObjectNode) entryNode.get(i).get("resource");
            try {
                resource.put("id", keys[i].substring(keys[i].indexOf('/') + 1));
                rewrite(resource, byFullUrl, "resource");
            } catch (Fault f) {
                errors[i] = f.getMessage();
                if (transaction) {
                    throw refusal(i, f.getMessage());
                }
            }
        }

        List<EntryOutcome> outcomes = new ArrayList<>(n);
        int accepted = 0;
        String patient = null;
        String firstError = null;
        int firstErrorAt = -1;
        for (int i = n - 1; i >= 0; i--) {
            if (errors[i] != null) {
                ((ArrayNode) entryNode).remove(i);
                firstError = errors[i];
                firstErrorAt = i;
            }
        }
        for (int i = 0; i < n; i++) {
            if (errors[i] != null) {
                outcomes.add(new EntryOutcome(400, null, "Bundle.entry[" + i + "] " + errors[i]));
            } else {
                outcomes.add(new EntryOutcome(201, keys[i], null));
                accepted++;
                if (patient == null && keys[i].startsWith("Patient/")) {
                    patient = keys[i].substring("Patient/".length());
                }
            }
        }
        if (accepted == 0 && n > 0) {
            throw refusal(firstErrorAt, "(no entry of the batch could be taken; the first) " + firstError);
        }
        return new Resolution(transaction ? "transaction" : "batch", root.toString(), outcomes, accepted, patient);
    }

    private static RejectedSubmissionException refusal(int entry, String reason) {
        return new RejectedSubmissionException(400, IssueType.INVALID, "Bundle.entry[" + entry + "] " + reason,
                "Bundle.entry[" + entry + "]");
    }

    /** The metadata of an entry of the tree. */
    private static EntryMeta meta(JsonNode entry) {
        EntryMeta m = new EntryMeta();
        m.fullUrl = entry.path("fullUrl").isTextual() ? entry.get("fullUrl").asText() : null;
        m.hasRequest = entry.path("request").isObject();
        m.method = entry.path("request").path("method").asText(null);
        m.url = entry.path("request").path("url").asText(null);
        m.ifNoneExist = entry.path("request").path("ifNoneExist").asText(null);
        m.hasResource = entry.path("resource").isObject();
        m.type = entry.path("resource").path("resourceType").asText(null);
        m.ownId = entry.path("resource").path("id").isTextual() ? entry.path("resource").get("id").asText() : null;
        return m;
    }

    /** {@code Type/id} of entry {@code i}. */
    private static String key(EntryMeta entry, int i, String json, String[] contentSeed) {
        if (!entry.hasResource) {
            throw new Fault("has no resource (Recordline takes records: POST and PUT)");
        }
        String type = entry.type == null ? "" : entry.type;
        if (!entry.hasRequest) {
            throw new Fault("has no request (required in a transaction or batch)");
        }
        String method = entry.method == null ? "" : entry.method;
        String url = entry.url == null ? "" : entry.url;
        if ("PUT".equals(method)) {
            Matcher m = TYPE_ID.matcher(url);
            if (m.matches()) {
                requireType(type, m.group(1));
                if (entry.ownId != null && !entry.ownId.equals(m.group(2))) {
                    throw new Fault("has a resource id that differs from the id in request.url");
                }
                return type + "/" + m.group(2);
            }
            Matcher c = CONDITIONAL.matcher(url);
            if (c.matches()) {
                requireType(type, c.group(1));
                return type + "/" + byIdentifier(type, c.group(2), "request.url");
            }
            throw new Fault("has a PUT whose request.url is neither Type/id nor Type?identifier=system|value");
        }
        if (!"POST".equals(method)) {
            throw new Fault("has method " + (method.isEmpty() ? "(none)" : method)
                    + "; Recordline takes records (POST and PUT)");
        }
        requireType(type, url.endsWith("/") ? url.substring(0, url.length() - 1) : url);
        String ifNoneExist = entry.ifNoneExist;
        if (ifNoneExist != null) {
            String criteria = ifNoneExist.startsWith(type + "?") ? ifNoneExist.substring(type.length() + 1)
                    : ifNoneExist.startsWith("?") ? ifNoneExist.substring(1) : ifNoneExist;
            return type + "/" + byIdentifier(type, criteria, "request.ifNoneExist");
        }
        Matcher u = UUID_URN.matcher(entry.fullUrl == null ? "" : entry.fullUrl);
        if (u.matches()) {
            return type + "/" + u.group(1).toLowerCase(java.util.Locale.ROOT);
        }
        if (entry.ownId != null) {
            return type + "/" + entry.ownId;
        }
        if (contentSeed[0] == null) {
            contentSeed[0] = UUID.nameUUIDFromBytes(json.getBytes(StandardCharsets.UTF_8)).toString();
        }
        return type + "/" + UUID.nameUUIDFromBytes((contentSeed[0] + "#" + i).getBytes(StandardCharsets.UTF_8));
    }

    private static void requireType(String type, String named) {
        if (!TYPE.matcher(named).matches()) {
            throw new Fault("has a request.url that does not name a resource type");
        }
        if (!named.equals(type)) {
            throw new Fault("posts a " + type + " to " + named);
        }
    }

    /** The id of {@code identifier=system|value} criteria; anything else cannot be resolved without a search. */
    private static String byIdentifier(String type, String criteria, String where) {
        if (!criteria.startsWith("identifier=") || criteria.indexOf('&') >= 0) {
            throw new Fault("has a " + where + " with search criteria other than identifier=system|value, which"
                    + " Recordline does not resolve");
        }
        String token = java.net.URLDecoder.decode(criteria.substring("identifier=".length()), StandardCharsets.UTF_8);
        int bar = token.indexOf('|');
        String system = bar < 0 ? "" : token.substring(0, bar);
        String value = bar < 0 ? token : token.substring(bar + 1);
        if (value.isEmpty()) {
            throw new Fault("has a " + where + " whose identifier has no value");
        }
        return identifierId(type, system, value);
    }

    /** Rewrites every {@code reference} under {@code node}. */
    private static void rewrite(JsonNode node, Map<String, String> byFullUrl, String path) {
        if (node.isObject()) {
            ObjectNode o = (ObjectNode) node;
            JsonNode ref = o.get("reference");
            if (ref != null && ref.isTextual()) {
                String resolved = resolveReference(ref.textValue(), byFullUrl, path);
                if (resolved != null) {
                    o.put("reference", resolved);
                }
            }
            Iterator<Map.Entry<String, JsonNode>> fields = o.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (f.getValue().isContainerNode()) {
                    rewrite(f.getValue(), byFullUrl, path + "." + f.getKey());
                }
            }
        } else if (node.isArray()) {
            for (JsonNode item : node) {
                if (item.isContainerNode()) {
                    rewrite(item, byFullUrl, path);
                }
            }
        }
    }

    /** What {@code ref} becomes; null to leave it (a relative, contained or outside reference). */
    private static String resolveReference(String ref, Map<String, String> byFullUrl, Object path) {
        String entry = byFullUrl.get(ref);
        if (entry != null) {
            return entry;
        }
        if (ref.startsWith("urn:uuid:")) {
            throw new Fault("has a urn:uuid reference matching no entry's fullUrl (at " + path + ".reference)");
        }
        Matcher c = CONDITIONAL.matcher(ref);
        if (c.matches()) {
            return c.group(1) + "/" + byIdentifier(c.group(1), c.group(2), "conditional reference (at " + path
                    + ".reference)");
        }
        return null;
    }

    /** A fault of one entry. */
    private static final class Fault extends RuntimeException {
        Fault(String message) {
            super(message, null, false, false);
        }
    }
}
