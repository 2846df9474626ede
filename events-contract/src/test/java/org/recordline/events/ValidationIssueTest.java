package org.recordline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Which findings hold a record back, and which severities the contract accepts at all. */
class ValidationIssueTest {

    private static ValidationIssue issue(String severity) {
        return new ValidationIssue(severity, "required", "patient-birthdate", "Patient.birthDate", "missing");
    }

    @Test
    void errorAndFatalAreBlocking() {
        assertTrue(issue("error").blocking());
        assertTrue(issue("fatal").blocking());
    }

    @Test
    void warningAndInformationAreNotBlocking() {
        assertFalse(issue("warning").blocking());
        assertFalse(issue("information").blocking());
    }

    @Test
    void absentOrUnknownSeverityIsRefusedByTheContract() {
        for (String s : new String[] {null, "", "severe", "Warning", "ERROR", "info"}) {
            InvalidEventException e = assertThrows(InvalidEventException.class, () -> issue(s));
            assertTrue(e.getMessage().contains("severity"), e.getMessage());
        }
    }

    @Test
    void anEventCarryingAnUnknownSeverityDoesNotDecodeAndTheReasonSaysWhy() {
        String json = "{\"submissionId\":\"s1\",\"sourceSystem\":\"a\",\"sourceRecordKey\":\"a|1\","
                + "\"quarantinedAt\":\"2026-11-26T10:00:00Z\",\"issues\":[{\"severity\":\"severe\",\"code\":\"required\","
                + "\"rule\":\"r\",\"message\":\"m\"}]}";
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(json.getBytes(StandardCharsets.UTF_8), RecordQuarantined.class));
        assertTrue(e.getMessage().contains("severity") && e.getMessage().contains("severe"), e.getMessage());
        String validated = "{\"submissionId\":\"s1\",\"sourceSystem\":\"a\",\"sourceRecordKey\":\"a|1\","
                + "\"validatedAt\":\"2026-11-26T10:00:00Z\",\"warnings\":[{\"code\":\"required\",\"rule\":\"r\"}],"
                + "\"fhir\":{\"resourceType\":\"Patient\"}}";
        assertThrows(InvalidEventException.class,
                () -> EventCodec.decode(validated.getBytes(StandardCharsets.UTF_8), RecordValidated.class));
    }

    @Test
    void aNulCharacterInAFindingIsReplacedSoThatEveryStoreCanKeepIt() {
        ValidationIssue i = new ValidationIssue("error", "structure", "fhir-unknown-element", "Patient.x\u0000y",
                "unknown element 'x\u0000y'");
        assertEquals("Patient.x\uFFFDy", i.expression());
        assertEquals("unknown element 'x\uFFFDy'", i.message());
    }
}
