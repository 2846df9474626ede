package org.recordline.events;

/**
 * One finding of the completeness check, shaped like a FHIR {@code OperationOutcome.issue}.
 *
 * @param severity   {@code fatal}, {@code error}, {@code warning} or {@code information}
 * @param code       FHIR issue type code, e.g. {@code required}, {@code invalid}, {@code structure}
 * @param rule       Recordline's id of the rule that found it, e.g. {@code patient-birthdate}
 * @param expression FHIRPath of the element concerned, e.g. {@code Bundle.entry[3].resource.birthDate}
 * @param message    human-readable explanation; never contains patient data
 */
public record ValidationIssue(String severity, String code, String rule, String expression, String message) {

    /** Whether this issue blocks the record (severity error or fatal). */
    public boolean blocking() {
        return "error".equals(severity) || "fatal".equals(severity);
    }
}
