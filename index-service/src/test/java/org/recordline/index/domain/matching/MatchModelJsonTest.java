package org.recordline.index.domain.matching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The match model as configuration: the shipped one reads, round-trips, and a broken one is refused with reason. */
class MatchModelJsonTest {

    @Test
    void theShippedModelReadsAndRoundTrips() {
        MatchModelJson shipped = MatchModelJson.builtIn();
        assertEquals("recordline-default-2026.11", shipped.version());
        // log2(0.90 / 0.0002): an exact birth date
        assertEquals(Math.log(0.90 / 0.0002) / Math.log(2), shipped.model().weight(Field.BIRTH_DATE, 0), 1e-9);
        MatchModelJson again = MatchModelJson.parse(shipped.toJson());
        assertEquals(shipped.version(), again.version());
        assertEquals(shipped.model().score(new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
                again.model().score(new int[] {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}), 1e-9);
    }

    @Test
    void nameFrequenciesTravelWithTheModelAndLowerACommonNamesWeight() {
        MatchModelJson shipped = MatchModelJson.builtIn();
        MatchModelJson withNames = MatchModelJson.parse(new MatchModelJson("v2", shipped.model(),
                Map.of(Field.FAMILY, Map.of("smith", 0.01), Field.GIVEN, Map.of())).toJson());
        assertEquals(0.01, withNames.frequency(Field.FAMILY, "smith"));
        assertEquals(0.0, withNames.frequency(Field.FAMILY, "pemberton"));
        Demographics smith = new Demographics("Ann", "Smith", null, null, null, null, null, null, null, null, null);
        Demographics rare = new Demographics("Ann", "Pemberton", null, null, null, null, null, null, null, null, null);
        int[] exactNames = new int[Field.values().length];
        java.util.Arrays.fill(exactNames, Field.MISSING);
        exactNames[Field.GIVEN.ordinal()] = 0;
        exactNames[Field.FAMILY.ordinal()] = 0;
        assertTrue(PersonMatcher.score(withNames, exactNames, smith) < PersonMatcher.score(withNames, exactNames, rare));
    }

    @Test
    void aModelMissingALevelOrHoldingAnImpossibleProbabilityIsRefused() {
        ObjectNode doc = MatchModelJson.builtIn().toJson();
        ((ArrayNode) doc.get("fields").get("sex").get("m")).remove(1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MatchModelJson.parse(doc));
        assertTrue(e.getMessage().contains("sex needs 2 m probabilities"), e.getMessage());
        ObjectNode bad = MatchModelJson.builtIn().toJson();
        ((ArrayNode) bad.get("fields").get("mrn").get("u")).set(0, 1.5);
        assertThrows(IllegalArgumentException.class, () -> MatchModelJson.parse(bad));
        ObjectNode noVersion = MatchModelJson.builtIn().toJson();
        noVersion.remove("version");
        assertThrows(IllegalArgumentException.class, () -> MatchModelJson.parse(noVersion));
    }
}
