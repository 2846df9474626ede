package org.recordline.index.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;

/** Survivorship: trust, then recency, then completeness; identifiers united; every value's source named. */
class GoldenRecordsTest {

    private static JsonNode json(String s) throws Exception {
        return EventCodec.mapper().readTree(s);
    }

    private static final Instant EARLY = Instant.parse("2026-01-01T00:00:00Z");
    private static final Instant LATE = Instant.parse("2026-06-01T00:00:00Z");

    @Test
    void theMostTrustedSourceWinsThenTheMostRecentThenTheMostComplete() throws Exception {
        var north = new GoldenRecords.Source("north|1", "north", EARLY, json("{\"resourceType\":\"Patient\","
                + "\"identifier\":[{\"system\":\"urn:n\",\"value\":\"N1\"}],\"name\":[{\"family\":\"Gonzalez\","
                + "\"given\":[\"Maria\"],\"prefix\":[\"Ms\"]}],\"birthDate\":\"1975-03-14\","
                + "\"telecom\":[{\"system\":\"email\",\"value\":\"m@example.org\"}]}"));
        var south = new GoldenRecords.Source("south|9", "south", LATE, json("{\"resourceType\":\"Patient\","
                + "\"identifier\":[{\"system\":\"urn:s\",\"value\":\"S9\"},{\"system\":\"urn:n\",\"value\":\"N1\"}],"
                + "\"name\":[{\"family\":\"Gonzales\"}],\"gender\":\"female\",\"birthDate\":\"1975-03-15\","
                + "\"telecom\":[{\"system\":\"phone\",\"value\":\"555-0101\"}]}"));
        // no trust configured: the most recent (south) wins every field it has
        var even = GoldenRecords.build("P1", List.of(north, south), Map.of());
        assertEquals("Gonzales", even.patient().at("/name/0/family").asText());
        assertEquals("1975-03-15", even.patient().get("birthDate").asText());
        assertEquals("south|9", even.provenance().get("birthDate").asText());
        assertEquals("555-0101", even.patient().at("/telecom/0/value").asText());
        assertEquals(2, even.patient().get("identifier").size(), "identifiers are united, each once");
        assertEquals("P1", even.patient().get("id").asText());
        // north trusted more: its values win where it has them; south fills what north lacks
        var trusted = GoldenRecords.build("P1", List.of(north, south), Map.of("north", 5));
        assertEquals("Gonzalez", trusted.patient().at("/name/0/family").asText());
        assertEquals("north|1", trusted.provenance().get("name").asText());
        assertEquals("female", trusted.patient().get("gender").asText());
        assertEquals("south|9", trusted.provenance().get("gender").asText());
        // same trust, same time: the fuller name wins
        var sameTime = new GoldenRecords.Source("south|9", "south", EARLY, south.patient());
        assertEquals("Gonzalez", GoldenRecords.build("P1", List.of(sameTime, north), Map.of()).patient()
                .at("/name/0/family").asText());
    }

    @Test
    void trustIsReadFromSettings() {
        assertEquals(Map.of("ehr-north", 3, "ehr-south", 1),
                GoldenRecords.parseTrust(List.of("ehr-north=3", " ehr-south = 1 ")));
        assertEquals(Map.of(), GoldenRecords.parseTrust(List.of("none")));
        assertThrows(IllegalArgumentException.class, () -> GoldenRecords.parseTrust(List.of("ehr-north")));
    }
}
