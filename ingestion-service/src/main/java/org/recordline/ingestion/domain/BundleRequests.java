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
     * @throws RejectedSubmissionException 400 for a faulty transaction, or a batch with no good entry
     */
    public static Resolution resolve(String json) {
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
                String key = key(entry, i, json, contentSeed);
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

    /** {@code Type/id} of entry {@code i}. */
    private static String key(JsonNode entry, int i, String json, String[] contentSeed) {
        JsonNode resource = entry.path("resource");
        if (!resource.isObject()) {
            throw new Fault("has no resource (Recordline takes records: POST and PUT)");
        }
        String type = resource.path("resourceType").asText();
        JsonNode request = entry.path("request");
        if (!request.isObject()) {
            throw new Fault("has no request (required in a transaction or batch)");
        }
        String method = request.path("method").asText();
        String url = request.path("url").asText();
        if ("PUT".equals(method)) {
            Matcher m = TYPE_ID.matcher(url);
            if (m.matches()) {
                requireType(type, m.group(1));
                String own = resource.path("id").asText(null);
                if (own != null && !own.equals(m.group(2))) {
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
        String ifNoneExist = request.path("ifNoneExist").asText(null);
        if (ifNoneExist != null) {
            String criteria = ifNoneExist.startsWith(type + "?") ? ifNoneExist.substring(type.length() + 1)
                    : ifNoneExist.startsWith("?") ? ifNoneExist.substring(1) : ifNoneExist;
            return type + "/" + byIdentifier(type, criteria, "request.ifNoneExist");
        }
        Matcher u = UUID_URN.matcher(entry.path("fullUrl").asText(""));
        if (u.matches()) {
            return type + "/" + u.group(1).toLowerCase(java.util.Locale.ROOT);
        }
        String own = resource.path("id").asText(null);
        if (own != null) {
            return type + "/" + own;
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
    private static String resolveReference(String ref, Map<String, String> byFullUrl, String path) {
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
