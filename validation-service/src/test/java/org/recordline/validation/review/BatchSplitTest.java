package org.recordline.validation.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recordline.events.ValidationIssue;

/** Which entries of a batch are held back, and the two Bundles a batch splits into. */
class BatchSplitTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String BATCH = "{\"resourceType\":\"Bundle\",\"id\":\"b1\",\"type\":\"batch\",\"entry\":["
            + "{\"fullUrl\":\"urn:uuid:0\",\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o0\"}},"
            + "{\"fullUrl\":\"urn:uuid:1\",\"resource\":{\"resourceType\":\"Patient\",\"id\":\"p\"}},"
            + "{\"fullUrl\":\"urn:uuid:2\",\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o2\"}},"
            + "{\"fullUrl\":\"urn:uuid:3\",\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o3\"}}]}";

    private static JsonNode tree(String s) throws Exception {
        return JSON.readTree(s);
    }

    private static ValidationIssue error(String where) {
        return new ValidationIssue("error", "required", "r", where, "m");
    }

    @Test
    void onlyABatchIsJudgedEntryByEntry() throws Exception {
        List<ValidationIssue> one = List.of(error("Bundle.entry[2].resource.status"),
                new ValidationIssue("warning", "x", "w", "Bundle.entry[0].resource", "m"));
        assertEquals(List.of(2), BatchSplit.heldEntries(tree(BATCH), one));
        assertEquals(List.of(), BatchSplit.heldEntries(tree(BATCH.replace("\"batch\"", "\"transaction\"")), one));
        assertEquals(List.of(), BatchSplit.heldEntries(tree(BATCH.replace("\"batch\"", "\"collection\"")), one));
        assertEquals(List.of(0, 3), BatchSplit.heldEntries(tree(BATCH),
                List.of(error("Bundle.entry[3].resource.code"), error("Bundle.entry[0].resource"),
                        error("Bundle.entry[3].resource.status"))));
        assertEquals(List.of(), BatchSplit.heldEntries(tree(BATCH), List.of()), "nothing blocking: nothing held");
    }

    @Test
    void aFindingAboutTheWholeOrThePatientOrEveryEntryHoldsTheWhole() throws Exception {
        assertEquals(List.of(), BatchSplit.heldEntries(tree(BATCH),
                List.of(error("Bundle.entry[2].resource"), error("Bundle.entry"))));
        assertEquals(List.of(), BatchSplit.heldEntries(tree(BATCH),
                List.of(error("Bundle.entry[2].resource"), error(null))));
        assertEquals(List.of(), BatchSplit.heldEntries(tree(BATCH), List.of(error("Bundle.entry[1].resource.name"))));
        assertEquals(List.of(), BatchSplit.heldEntries(tree(BATCH), List.of(error("Bundle.entry[0]"),
                error("Bundle.entry[2]"), error("Bundle.entry[3]"), error("Bundle.entry[1]"))));
        assertEquals(List.of(), BatchSplit.heldEntries(tree(BATCH), List.of(error("Bundle.entry[9].resource"))));
        // "entry[2]" must be the Bundle's own entry, not one of a contained or nested Bundle further down
        assertEquals(List.of(), BatchSplit.heldEntries(tree(BATCH), List.of(error("Bundle.link[0].entry[2]"))));
    }

    @Test
    void theHeldPartCarriesThePatientFirstAndThePassingPartTheRest() throws Exception {
        BatchSplit s = BatchSplit.of(BATCH, List.of(0, 3));
        JsonNode passing = tree(s.passing());
        JsonNode held = tree(s.held());
        assertEquals(List.of("p", "o2"), ids(passing));
        assertEquals(List.of("p", "o0", "o3"), ids(held));
        assertEquals("batch", passing.get("type").asText());
        assertEquals("batch", held.get("type").asText());
        assertEquals(false, passing.has("id"));
        assertEquals(false, held.has("id"));
        assertThrows(IllegalArgumentException.class, () -> BatchSplit.of("[]", List.of(0)));
    }

    private static List<String> ids(JsonNode bundle) {
        List<String> out = new java.util.ArrayList<>();
        bundle.get("entry").forEach(e -> out.add(e.path("resource").path("id").asText()));
        return out;
    }
}
