package org.recordline.examples.subscriber;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The copy's rules without a broker: re-keying on moves, events of one source record out of order, duplicates. */
class PersonCopyTest {

    private static final Instant T = Instant.parse("2026-11-28T10:00:00Z");

    private static RecordChange change(String type, String person, String previous, String source, int minute,
                                       String... resources) {
        return new RecordChange(type, person, previous, source, "sub", List.of(resources), T.plusSeconds(60L * minute));
    }

    @Test
    void aMoveReKeysTheSourceRecordAndEverythingFiledUnderIt() {
        PersonCopy copy = new PersonCopy();
        assertEquals(PersonCopy.Outcome.FILED, copy.apply("1", change("PERSON_CREATED", "A", null, "n|1", 1,
                "Patient/1")));
        assertEquals(PersonCopy.Outcome.FILED, copy.apply("2", change("RECORDS_FILED", "A", null, "n|1", 2,
                "Observation/o")));
        assertEquals(PersonCopy.Outcome.FILED, copy.apply("3", change("PERSON_CREATED", "B", null, "s|2", 3,
                "Patient/2")));
        assertEquals(PersonCopy.Outcome.MOVED, copy.apply("4", change("MERGED", "B", "A", "n|1", 4,
                "Patient/1", "Observation/o")));
        assertEquals(Map.of("B", Set.of("n|1", "s|2")), copy.snapshot());
        assertEquals(Set.of("Observation/o", "Patient/1", "Patient/2"), copy.resourcesOf("B"));
        assertEquals(Set.of(), copy.resourcesOf("A"));
        assertEquals(PersonCopy.Outcome.MOVED, copy.apply("5", change("UNMERGED", "A", "B", "n|1", 5,
                "Patient/1", "Observation/o")));
        assertEquals(Map.of("A", Set.of("n|1"), "B", Set.of("s|2")), copy.snapshot());
    }

    @Test
    void aLateFilingFromAnotherPartitionDoesNotMoveTheRecordBack() {
        PersonCopy copy = new PersonCopy();
        // the link (keyed by B) is read before the filing under A (keyed by A, another partition) that preceded it
        assertEquals(PersonCopy.Outcome.MOVED, copy.apply("2", change("LINKED", "B", "A", "n|1", 2, "Patient/1")));
        assertEquals(PersonCopy.Outcome.LATE, copy.apply("1", change("RECORDS_FILED", "A", null, "n|1", 1,
                "Patient/1", "Observation/early")));
        assertEquals(Map.of("B", Set.of("n|1")), copy.snapshot());
        assertEquals(Set.of("Observation/early", "Patient/1"), copy.resourcesOf("B"));
    }

    @Test
    void anUnknownChangeTypeWithAPreviousPersonIsAMoveAndAnEventIdIsAppliedOnce() {
        PersonCopy copy = new PersonCopy();
        copy.apply("1", change("PERSON_CREATED", "A", null, "n|1", 1, "Patient/1"));
        RecordChange future = change("TRANSFERRED", "C", "A", "n|1", 2, "Patient/1");
        assertTrue(future.isMove());
        assertEquals(PersonCopy.Outcome.MOVED, copy.apply("2", future));
        assertEquals(PersonCopy.Outcome.DUPLICATE, copy.apply("2", change("RECORDS_FILED", "A", null, "n|1", 3,
                "Patient/x")));
        assertEquals(Map.of("C", Set.of("n|1")), copy.snapshot());
        assertEquals(Set.of("Patient/1"), copy.resourcesOf("C"));
    }

    @Test
    void parsesThePayloadIgnoringUnknownFieldsAndRefusesABrokenOne() {
        RecordChange c = RecordChange.parse(("{\"submissionId\":\"s\",\"enterprisePersonId\":\"B\","
                + "\"sourceRecordKey\":\"n|1\",\"changeType\":\"LINKED\",\"matchRule\":\"manual-link\","
                + "\"resources\":[{\"resourceType\":\"Patient\",\"id\":\"1\"}],\"changedAt\":\"2026-11-28T10:00:00.5Z\","
                + "\"fhir\":{\"resourceType\":\"Patient\"},\"previousEnterprisePersonId\":\"A\",\"later\":1}")
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(new RecordChange("LINKED", "B", "A", "n|1", "s", List.of("Patient/1"),
                Instant.parse("2026-11-28T10:00:00.5Z")), c);
        assertThrows(IllegalArgumentException.class, () -> RecordChange.parse("[]".getBytes()));
        assertThrows(IllegalArgumentException.class, () -> RecordChange.parse("{\"a\":1,\"a\":2}".getBytes()));
        IllegalArgumentException noPrevious = assertThrows(IllegalArgumentException.class,
                () -> RecordChange.parse(("{\"enterprisePersonId\":\"B\",\"sourceRecordKey\":\"n|1\","
                        + "\"changeType\":\"MERGED\",\"resources\":[],\"changedAt\":\"2026-11-28T10:00:00Z\"}")
                        .getBytes()));
        assertEquals("MERGED without previousEnterprisePersonId", noPrevious.getMessage());
    }

    @Test
    void optionsParseTheStartAndRefuseMistakes() {
        RecordChangeSubscriber.Options o = RecordChangeSubscriber.Options.parse("--since", "2026-11-01T00:00:00Z",
                "--group", "billing");
        assertEquals(Instant.parse("2026-11-01T00:00:00Z"), o.since());
        assertEquals("billing", o.groupId());
        assertEquals("localhost:9092", o.bootstrapServers());
        assertTrue(RecordChangeSubscriber.Options.parse("--from-beginning").fromBeginning());
        assertThrows(IllegalArgumentException.class, () -> RecordChangeSubscriber.Options.parse("--since", "yesterday"));
        assertThrows(IllegalArgumentException.class, () -> RecordChangeSubscriber.Options.parse("--group"));
        assertThrows(IllegalArgumentException.class, () -> RecordChangeSubscriber.Options.parse("--from-begining"));
        assertThrows(IllegalArgumentException.class, () -> RecordChangeSubscriber.Options.parse("--from-beginning",
                "--since", "2026-11-01T00:00:00Z"));
    }
}
