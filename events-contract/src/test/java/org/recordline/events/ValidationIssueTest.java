package org.recordline.events;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Which findings hold a record back. */
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
    void absentOrUnknownSeverityIsNotBlocking() {
        assertFalse(issue(null).blocking());
        assertFalse(issue("").blocking());
        assertFalse(issue("severe").blocking());
    }
}
