package org.recordline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JSON codec of the event records: round trips, embedded FHIR, and rejection of payloads that are not events. */
class EventCodecTest {

    /** An independent mapper, so that the assertions do not depend on the codec's own configuration. */
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A small synthetic FHIR Bundle, deliberately pretty-printed so that only a semantic comparison can match. */
    private static final String FHIR = """
            {
              "resourceType": "Bundle",
              "type": "transaction",
              "entry": [
                {
                  "fullUrl": "urn:uuid:0a1b2c3d",
                  "resource": {
                    "resourceType": "Patient",
                    "id": "p-1",
                    "active": true,
                    "identifier": [ { "system": "urn:oid:1.2.3", "value": "local-1" } ],
                    "name": [ { "family": "Testperson", "given": [ "Alex", "Q" ] } ],
                    "multipleBirthInteger": 2,
                    "deceasedBoolean": false,
                    "extension": [],
                    "text": { "status": "generated", "div": "<div xmlns=\\"http://www.w3.org/1999/xhtml\\">A \\"quoted\\" ü</div>" }
                  },
                  "request": { "method": "POST", "url": "Patient" }
                }
              ]
            }
            """;

    private static final Instant AT = Instant.parse("2024-05-01T10:15:30Z");

    private static JsonNode tree(String json) throws Exception {
        return JSON.readTree(json);
    }

    private static JsonNode tree(byte[] json) throws Exception {
        return JSON.readTree(json);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static RecordIngested ingested() {
        return new RecordIngested("sub-1", "ehr-east", "ehr-east|local-1", "Bundle", 1, AT, FHIR);
    }

    // ---- RecordIngested ------------------------------------------------------------------------------------------

    @Test
    void recordIngestedEmbedsFhirAsAJsonObject() throws Exception {
        JsonNode json = tree(EventCodec.encode(ingested()));
        JsonNode fhir = json.get("fhir");
        assertNotNull(fhir);
        assertTrue(fhir.isObject(), "fhir must be an embedded object, was " + fhir.getNodeType());
        assertEquals(tree(FHIR), fhir);
        assertEquals("Bundle", fhir.get("resourceType").asText());
    }

    @Test
    void recordIngestedWritesPlainFieldsAndTimestampAsRfc3339Text() throws Exception {
        JsonNode json = tree(EventCodec.encode(ingested()));
        assertEquals("sub-1", json.get("submissionId").asText());
        assertEquals("ehr-east", json.get("sourceSystem").asText());
        assertEquals("ehr-east|local-1", json.get("sourceRecordKey").asText());
        assertEquals("Bundle", json.get("resourceType").asText());
        assertTrue(json.get("entryCount").isInt());
        assertEquals(1, json.get("entryCount").asInt());
        assertTrue(json.get("receivedAt").isTextual(), "receivedAt must be text, not a number");
        assertEquals("2024-05-01T10:15:30Z", json.get("receivedAt").asText());
    }

    @Test
    void recordIngestedRoundTrips() throws Exception {
        RecordIngested original = new RecordIngested("sub-2", "ehr-west", "ehr-west|local-9", "Bundle", 17,
                Instant.parse("2024-05-01T10:15:30.123456789Z"), FHIR);
        RecordIngested decoded = EventCodec.decode(EventCodec.encode(original), RecordIngested.class);
        assertEquals("sub-2", decoded.submissionId());
        assertEquals("ehr-west", decoded.sourceSystem());
        assertEquals("ehr-west|local-9", decoded.sourceRecordKey());
        assertEquals("Bundle", decoded.resourceType());
        assertEquals(17, decoded.entryCount());
        assertEquals(Instant.parse("2024-05-01T10:15:30.123456789Z"), decoded.receivedAt());
        assertNotNull(decoded.fhir());
        assertEquals(tree(FHIR), tree(decoded.fhir()));
        // everything but the formatting of the FHIR text survives
        assertEquals(new RecordIngested(original.submissionId(), original.sourceSystem(), original.sourceRecordKey(),
                original.resourceType(), original.entryCount(), original.receivedAt(), decoded.fhir()), decoded);
    }

    @Test
    void decodedFhirIsJsonTextOfAnObjectNotAQuotedString() throws Exception {
        RecordIngested decoded = EventCodec.decode(EventCodec.encode(ingested()), RecordIngested.class);
        assertTrue(decoded.fhir().trim().startsWith("{"), decoded.fhir());
        assertTrue(tree(decoded.fhir()).isObject());
    }

    @Test
    void decodedEventReEncodesToTheSameJson() throws Exception {
        byte[] first = EventCodec.encode(ingested());
        byte[] second = EventCodec.encode(EventCodec.decode(first, RecordIngested.class));
        assertEquals(tree(first), tree(second));
    }

    @Test
    void stringValuedFhirIsAcceptedOnDecode() throws Exception {
        String compact = JSON.writeValueAsString(tree(FHIR));
        String payload = "{\"submissionId\":\"sub-3\",\"sourceSystem\":\"ehr-east\","
                + "\"sourceRecordKey\":\"ehr-east|local-1\",\"resourceType\":\"Bundle\",\"entryCount\":1,"
                + "\"receivedAt\":\"2024-05-01T10:15:30Z\",\"fhir\":" + JSON.writeValueAsString(compact) + "}";
        RecordIngested decoded = EventCodec.decode(utf8(payload), RecordIngested.class);
        assertEquals("sub-3", decoded.submissionId());
        assertEquals(AT, decoded.receivedAt());
        assertEquals(compact, decoded.fhir());
        assertEquals(tree(FHIR), tree(decoded.fhir()));
    }

    @Test
    void unknownFieldsAreTolerated() throws Exception {
        String payload = "{\"submissionId\":\"sub-4\",\"schemaRevision\":7,\"sourceSystem\":\"ehr-east\","
                + "\"sourceRecordKey\":\"ehr-east|local-1\",\"resourceType\":\"Patient\",\"entryCount\":1,"
                + "\"receivedAt\":\"2024-05-01T10:15:30Z\",\"addedLater\":{\"nested\":[1,2,{\"x\":null}]},"
                + "\"fhir\":{\"resourceType\":\"Patient\",\"id\":\"p-1\"},\"trailingExtra\":\"x\"}";
        RecordIngested decoded = EventCodec.decode(utf8(payload), RecordIngested.class);
        assertEquals("sub-4", decoded.submissionId());
        assertEquals("ehr-east", decoded.sourceSystem());
        assertEquals("ehr-east|local-1", decoded.sourceRecordKey());
        assertEquals("Patient", decoded.resourceType());
        assertEquals(1, decoded.entryCount());
        assertEquals(AT, decoded.receivedAt());
        assertEquals(tree("{\"resourceType\":\"Patient\",\"id\":\"p-1\"}"), tree(decoded.fhir()));
    }

    @Test
    void unknownFieldsAreToleratedOnAuditEvents() {
        String payload = "{\"eventId\":\"e-1\",\"occurredAt\":\"2024-05-01T10:15:30Z\",\"service\":\"svc\","
                + "\"action\":\"record.read\",\"outcome\":\"success\",\"newField\":[true,false]}";
        AuditEvent decoded = EventCodec.decode(utf8(payload), AuditEvent.class);
        assertEquals("e-1", decoded.eventId());
        assertEquals(AT, decoded.occurredAt());
        assertEquals(AuditActions.RECORD_READ, decoded.action());
        assertNull(decoded.actor());
    }

    // ---- RecordValidated -----------------------------------------------------------------------------------------

    @Test
    void recordValidatedEmbedsFhirAndRoundTrips() throws Exception {
        ValidationIssue warning = new ValidationIssue("warning", "required", "patient-telecom",
                "Bundle.entry[0].resource.telecom", "no telecom");
        RecordValidated original = new RecordValidated("sub-5", "ehr-east", "ehr-east|local-1", AT,
                List.of(warning), FHIR);
        byte[] bytes = EventCodec.encode(original);
        JsonNode json = tree(bytes);
        assertTrue(json.get("fhir").isObject());
        assertEquals(tree(FHIR), json.get("fhir"));
        assertEquals("2024-05-01T10:15:30Z", json.get("validatedAt").asText());

        RecordValidated decoded = EventCodec.decode(bytes, RecordValidated.class);
        assertEquals(tree(FHIR), tree(decoded.fhir()));
        assertEquals(new RecordValidated("sub-5", "ehr-east", "ehr-east|local-1", AT, List.of(warning),
                decoded.fhir()), decoded);
    }

    // ---- RecordChanged -------------------------------------------------------------------------------------------

    @Test
    void recordChangedEmbedsFhirAndRoundTrips() throws Exception {
        List<RecordChanged.ResourceRef> refs = List.of(new RecordChanged.ResourceRef("Patient", "p-1"),
                new RecordChanged.ResourceRef("Observation", "o-7"));
        RecordChanged original = new RecordChanged("sub-6", "EP-000123", "ehr-east|local-1",
                RecordChanged.ChangeType.PERSON_CREATED, "new-person", refs, AT, FHIR);
        byte[] bytes = EventCodec.encode(original);
        JsonNode json = tree(bytes);
        assertTrue(json.get("fhir").isObject());
        assertEquals(tree(FHIR), json.get("fhir"));
        assertEquals("PERSON_CREATED", json.get("changeType").asText());
        assertTrue(json.get("resources").isArray());
        assertEquals("Observation", json.get("resources").get(1).get("resourceType").asText());

        RecordChanged decoded = EventCodec.decode(bytes, RecordChanged.class);
        assertEquals("sub-6", decoded.submissionId());
        assertEquals("EP-000123", decoded.enterprisePersonId());
        assertEquals("ehr-east|local-1", decoded.sourceRecordKey());
        assertEquals(RecordChanged.ChangeType.PERSON_CREATED, decoded.changeType());
        assertEquals("new-person", decoded.matchRule());
        assertEquals(refs, decoded.resources());
        assertEquals(AT, decoded.changedAt());
        assertEquals(tree(FHIR), tree(decoded.fhir()));
    }

    @Test
    void everyMoveOfASourceRecordCarriesThePersonBeforeAndRoundTrips() throws Exception {
        List<RecordChanged.ResourceRef> refs = List.of(new RecordChanged.ResourceRef("Patient", "p-1"));
        for (RecordChanged.ChangeType type : List.of(RecordChanged.ChangeType.LINKED,
                RecordChanged.ChangeType.UNLINKED, RecordChanged.ChangeType.MERGED,
                RecordChanged.ChangeType.UNMERGED)) {
            RecordChanged original = new RecordChanged("sub-6", "EP-2", "ehr-east|local-1", type, "merge", refs, AT,
                    FHIR, "EP-1");
            byte[] bytes = EventCodec.encode(original);
            JsonNode json = tree(bytes);
            assertEquals(type.name(), json.get("changeType").asText());
            assertEquals("EP-1", json.get("previousEnterprisePersonId").asText());
            RecordChanged decoded = EventCodec.decode(bytes, RecordChanged.class);
            assertEquals(type, decoded.changeType());
            assertEquals("EP-1", decoded.previousEnterprisePersonId());
            assertEquals(refs, decoded.resources());
        }
        // a filing carries no person before: the field is absent, not null
        byte[] filed = EventCodec.encode(new RecordChanged("sub-6", "EP-2", "ehr-east|local-1",
                RecordChanged.ChangeType.RECORDS_FILED, "probabilistic", refs, AT, FHIR));
        assertNull(tree(filed).get("previousEnterprisePersonId"));
    }

    @Test
    void recordChangedAcceptsStringValuedFhir() throws Exception {
        String payload = "{\"submissionId\":\"sub-7\",\"enterprisePersonId\":\"EP-1\","
                + "\"changeType\":\"RECORDS_FILED\",\"resources\":[],\"changedAt\":\"2024-05-01T10:15:30Z\","
                + "\"fhir\":\"{\\\"resourceType\\\":\\\"Patient\\\"}\"}";
        RecordChanged decoded = EventCodec.decode(utf8(payload), RecordChanged.class);
        assertEquals(RecordChanged.ChangeType.RECORDS_FILED, decoded.changeType());
        assertEquals(List.of(), decoded.resources());
        assertEquals("{\"resourceType\":\"Patient\"}", decoded.fhir());
    }

    // ---- AuditEvent and RecordQuarantined ------------------------------------------------------------------------

    @Test
    void auditEventRoundTrips() throws Exception {
        AuditEvent original = new AuditEvent("evt-9", Instant.parse("2024-05-01T10:15:30.5Z"), "index-service",
                AuditActions.RECORD_INDEXED, AuditActions.SUCCESS, "index-service", "sub-8", "EP-000123", "ingest",
                "resources=3");
        byte[] bytes = EventCodec.encode(original);
        assertEquals("2024-05-01T10:15:30.500Z", tree(bytes).get("occurredAt").asText());
        assertEquals(original, EventCodec.decode(bytes, AuditEvent.class));
    }

    @Test
    void auditEventWithAbsentOptionalFieldsRoundTrips() {
        AuditEvent original = new AuditEvent("evt-10", AT, "audit-service", AuditActions.ACCESS_DENIED,
                AuditActions.DENIED, "alice", null, null, null, null);
        AuditEvent decoded = EventCodec.decode(EventCodec.encode(original), AuditEvent.class);
        assertEquals(original, decoded);
        assertNull(decoded.submissionId());
        assertNull(decoded.detail());
    }

    @Test
    void auditEventContextRoundTripsAndIsAbsentWhenNotGiven() throws Exception {
        AuditEvent bare = new AuditEvent("evt-11", AT, "index-service", AuditActions.RECORD_READ,
                AuditActions.SUCCESS, "terry", null, "EP-1", "TREAT", null);
        assertFalse(tree(EventCodec.encode(bare)).has("context"), "an event without context keeps the old shape");
        AuditEvent full = bare.withContext(new AuditEvent.Context(List.of("records-technician"), "dr-who",
                "10.0.0.7", "corr-1", "EP-1", null, List.of("ehr-north|pat-1"), List.of("Patient/pat-1"), null));
        JsonNode json = tree(EventCodec.encode(full));
        assertEquals("ehr-north|pat-1", json.get("context").get("sourceIds").get(0).asText());
        assertFalse(json.get("context").has("truncated"), "absent context fields are left out");
        assertEquals(full, EventCodec.decode(EventCodec.encode(full), AuditEvent.class));
        // an event written before the context existed reads with none
        String old = "{\"eventId\":\"e-1\",\"occurredAt\":\"2026-11-26T10:00:00Z\",\"service\":\"s\","
                + "\"action\":\"record.read\",\"outcome\":\"success\",\"actor\":\"a\"}";
        assertNull(EventCodec.decode(utf8(old), AuditEvent.class).context());
    }

    @Test
    void recordQuarantinedRoundTrips() throws Exception {
        List<ValidationIssue> issues = List.of(
                new ValidationIssue("error", "required", "patient-birthdate", "Patient.birthDate",
                        "birth date missing"),
                new ValidationIssue("warning", "invalid", "patient-telecom", null, "odd telecom"));
        RecordQuarantined original = new RecordQuarantined("sub-11", "ehr-east", "ehr-east|local-1", AT, issues);
        byte[] bytes = EventCodec.encode(original);
        JsonNode json = tree(bytes);
        assertTrue(json.get("issues").isArray());
        assertEquals(2, json.get("issues").size());
        assertEquals("patient-birthdate", json.get("issues").get(0).get("rule").asText());

        RecordQuarantined decoded = EventCodec.decode(bytes, RecordQuarantined.class);
        assertEquals(original, decoded);
        assertTrue(decoded.issues().get(0).blocking());
    }

    @Test
    void theEntriesOfASplitBatchTravelOnlyWhenThereAreAny() throws Exception {
        RecordQuarantined whole = new RecordQuarantined("sub-13", "ehr-east", "ehr-east|local-1", AT,
                List.of(new ValidationIssue("error", "required", "r", "Bundle.entry[1]", "m")));
        assertTrue(!tree(EventCodec.encode(whole)).has("entries"), "absent, as in events written before");
        RecordQuarantined split = new RecordQuarantined("sub-13", "ehr-east", "ehr-east|local-1", AT,
                whole.issues(), List.of(2, 5));
        assertEquals("[2,5]", tree(EventCodec.encode(split)).get("entries").toString());
        assertEquals(split, EventCodec.decode(EventCodec.encode(split), RecordQuarantined.class));
        assertEquals(List.of(), EventCodec.decode(("{\"submissionId\":\"s\",\"issues\":[]}")
                .getBytes(StandardCharsets.UTF_8), RecordQuarantined.class).entries());

        RecordValidated passed = new RecordValidated("sub-13", "ehr-east", "ehr-east|local-1", AT, List.of(),
                "{\"resourceType\":\"Bundle\"}", 1.0);
        assertTrue(!tree(EventCodec.encode(passed)).has("heldBack"));
        RecordValidated rest = new RecordValidated("sub-13", "ehr-east", "ehr-east|local-1", AT, List.of(),
                "{\"resourceType\":\"Bundle\"}", 1.0, List.of(2, 5));
        assertEquals("[2,5]", tree(EventCodec.encode(rest)).get("heldBack").toString());
        assertEquals(rest, EventCodec.decode(EventCodec.encode(rest), RecordValidated.class));
    }

    @Test
    void quarantineDismissedRoundTripsWithItsKnownShape() throws Exception {
        QuarantineDismissed original = new QuarantineDismissed("sub-12", "ehr-east", "ehr-east|local-1", AT,
                "the sender's duplicate of sub-9");
        byte[] bytes = EventCodec.encode(original);
        assertEquals("{\"submissionId\":\"sub-12\",\"sourceSystem\":\"ehr-east\",\"sourceRecordKey\":"
                + "\"ehr-east|local-1\",\"dismissedAt\":\"" + tree(bytes).get("dismissedAt").asText()
                + "\",\"reason\":\"the sender's duplicate of sub-9\"}", new String(bytes, StandardCharsets.UTF_8));
        assertEquals(original, EventCodec.decode(bytes, QuarantineDismissed.class));
    }

    // ---- rejection -----------------------------------------------------------------------------------------------

    @Test
    void emptyBytesAreInvalid() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(new byte[0], RecordIngested.class));
        assertTrue(e.getMessage().contains("RecordIngested"), e.getMessage());
    }

    @Test
    void nullBytesAreInvalid() {
        assertThrows(InvalidEventException.class, () -> EventCodec.decode(null, AuditEvent.class));
    }

    @Test
    void nonJsonBytesAreInvalid() {
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(utf8("this is not json"), RecordIngested.class));
        assertTrue(e.getMessage().contains("RecordIngested"), e.getMessage());
    }

    @Test
    void binaryGarbageIsInvalid() {
        assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x01}, AuditEvent.class));
    }

    @Test
    void truncatedJsonIsInvalid() {
        assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(utf8("{\"eventId\":\"e-1\",\"service\":"), AuditEvent.class));
    }

    @Test
    void jsonArrayIsInvalid() {
        assertThrows(InvalidEventException.class, () -> EventCodec.decode(utf8("[]"), RecordIngested.class));
        assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(utf8("[{\"submissionId\":\"sub-1\"}]"), RecordQuarantined.class));
    }

    @Test
    void unparseableTimestampIsInvalid() {
        assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(utf8("{\"eventId\":\"e-1\",\"occurredAt\":\"last tuesday\"}"),
                        AuditEvent.class));
    }

    @Test
    void unknownChangeTypeIsInvalid() {
        assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(utf8("{\"submissionId\":\"s\",\"changeType\":\"PERSON_DELETED\"}"),
                        RecordChanged.class));
    }

    @Test
    void fhirDecimalsKeepTheirPrecisionThroughDecodeAndEncode() {
        String fhir = "{\"resourceType\":\"Observation\",\"valueQuantity\":{\"value\":1.50},"
                + "\"component\":[{\"valueQuantity\":{\"value\":0.12345678901234567890123}}]}";
        String json = "{\"submissionId\":\"s\",\"fhir\":" + fhir + "}";
        RecordIngested in = EventCodec.decode(utf8(json), RecordIngested.class);
        assertTrue(in.fhir().contains("1.50"), in.fhir());
        assertTrue(in.fhir().contains("0.12345678901234567890123"), in.fhir());
        String again = new String(EventCodec.encode(in), StandardCharsets.UTF_8);
        assertTrue(again.contains("\"value\":1.50"), again);
    }

    @Test
    void jsonNullTrailingGarbageAndNonObjectFhirAreInvalid() {
        assertThrows(InvalidEventException.class, () -> EventCodec.decode(utf8("null"), RecordIngested.class));
        assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(utf8("{\"submissionId\":\"s\"} garbage"), RecordIngested.class));
        assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(utf8("{\"submissionId\":\"s\",\"fhir\":\"not json\"}"), RecordIngested.class));
        assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(utf8("{\"submissionId\":\"s\",\"fhir\":[1,2]}"), RecordIngested.class));
    }

    @Test
    void duplicateKeysAreRefusedAtEveryLevelIncludingInsideEmbeddedFhir() {
        InvalidEventException top = assertThrows(InvalidEventException.class, () -> EventCodec.decode(
                utf8("{\"submissionId\":\"a\",\"submissionId\":\"b\"}"), RecordIngested.class));
        assertTrue(top.getMessage().contains("duplicate key"), top.getMessage());
        assertThrows(InvalidEventException.class, () -> EventCodec.decode(utf8("{\"submissionId\":\"s\","
                + "\"fhir\":{\"resourceType\":\"Patient\",\"resourceType\":\"Observation\"}}"), RecordIngested.class));
        assertThrows(InvalidEventException.class, () -> EventCodec.decode(utf8("{\"submissionId\":\"s\","
                + "\"fhir\":{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"A\",\"family\":\"B\"}]}}"),
                RecordIngested.class));
    }

    @Test
    void auditEventIdsAreRequiredAndNeverLongerThanTheContractAllows() {
        String hundred = "e".repeat(AuditEvent.MAX_EVENT_ID_LENGTH);
        AuditEvent ok = EventCodec.decode(utf8("{\"eventId\":\"" + hundred + "\",\"action\":\"x\"}"),
                AuditEvent.class);
        assertEquals(hundred, ok.eventId());
        InvalidEventException tooLong = assertThrows(InvalidEventException.class, () -> EventCodec.decode(
                utf8("{\"eventId\":\"" + hundred + "x\",\"action\":\"x\"}"), AuditEvent.class));
        assertTrue(tooLong.getMessage().contains("101 characters"), tooLong.getMessage());
        InvalidEventException missing = assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(utf8("{\"action\":\"x\"}"), AuditEvent.class));
        assertTrue(missing.getMessage().contains("without an eventId"), missing.getMessage());
    }
}
