package org.recordline.validation.review;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.recordline.events.ValidationIssue;

/**
 * A batch Bundle is judged entry by entry (a transaction, and any other submission, as a whole): when only some of
 * its entries hold it back, those entries go to the quarantine and the rest go on. Each part is a batch Bundle of its
 * own with the submission's Patient entry first, so that each can be filed under the person on its own: the part
 * that goes on now, and the held part once a technician's correction passes.
 *
 * @param passing the entries that go on, as a batch Bundle (FHIR JSON)
 * @param held    the Patient entry and the entries held back, as a batch Bundle (FHIR JSON)
 */
public record BatchSplit(String passing, String held) {

    private static final Pattern ENTRY = Pattern.compile("^Bundle\\.entry\\[(\\d+)\\]");

    /**
     * The entries of a batch Bundle that its blocking findings hold back, in order; empty when the submission passes
     * or fails as a whole: it is no batch, a blocking finding concerns the Bundle itself or its Patient entry, or
     * every entry is held.
     */
    static List<Integer> heldEntries(JsonNode tree, List<ValidationIssue> issues) {
        if (!"Bundle".equals(tree.path("resourceType").asText()) || !"batch".equals(tree.path("type").asText())) {
            return List.of();
        }
        JsonNode entries = tree.path("entry");
        Set<Integer> held = new TreeSet<>();
        for (ValidationIssue i : issues) {
            if (!i.blocking()) {
                continue;
            }
            Matcher m = i.expression() == null ? null : ENTRY.matcher(i.expression());
            if (m == null || !m.find()) {
                return List.of(); // about the submission as a whole
            }
            int k = Integer.parseInt(m.group(1));
            if (k >= entries.size() || isPatient(entries.get(k))) {
                return List.of(); // nothing can be filed without its person
            }
            held.add(k);
        }
        return held.size() >= entries.size() ? List.of() : List.copyOf(held);
    }

    private static boolean isPatient(JsonNode entry) {
        return "Patient".equals(entry.path("resource").path("resourceType").asText());
    }

    /** Splits {@code document}, a batch Bundle, into the entries that go on and the Patient with those held. */
    public static BatchSplit of(String document, List<Integer> heldEntries) {
        try {
            ObjectNode bundle = (ObjectNode) Review.JSON.readTree(document);
            ArrayNode entries = (ArrayNode) bundle.get("entry");
            ObjectNode passing = bundle.deepCopy();
            ObjectNode held = bundle.deepCopy();
            ArrayNode passingEntries = passing.putArray("entry");
            ArrayNode heldEntriesNode = held.putArray("entry");
            List<JsonNode> patient = new ArrayList<>();
            for (int k = 0; k < entries.size(); k++) {
                JsonNode e = entries.get(k);
                if (heldEntries.contains(k)) {
                    heldEntriesNode.add(e);
                } else {
                    passingEntries.add(e);
                    if (isPatient(e)) {
                        patient.add(e);
                    }
                }
            }
            patient.forEach(p -> heldEntriesNode.insert(0, p));
            // each part is a Bundle of its own: the original's id would name two resources
            held.remove("id");
            passing.remove("id");
            return new BatchSplit(Review.JSON.writeValueAsString(passing), Review.JSON.writeValueAsString(held));
        } catch (JsonProcessingException | ClassCastException | NullPointerException e) {
            throw new IllegalArgumentException("not a batch Bundle that can be split", e);
        }
    }
}
