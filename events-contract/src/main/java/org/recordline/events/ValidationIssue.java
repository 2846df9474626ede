package org.recordline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Set;

/**
 * One finding of the completeness check, shaped like a FHIR {@code OperationOutcome.issue}.
 *
 * <p>The gate fails closed: only {@code warning} and {@code information} let a record through, and a severity outside
 * FHIR's four codes breaks the contract, so an event carrying one is refused (and dead-lettered by its consumer)
 * instead of being read as harmless.
 *
 * @param severity   {@code fatal}, {@code error}, {@code warning} or {@code information}; anything else is refused
 * @param code       FHIR issue type code, e.g. {@code required}, {@code invalid}, {@code structure}
 * @param rule       Recordline's id of the rule that found it, e.g. {@code patient-birthdate}
 * @param expression FHIRPath of the element concerned, e.g. {@code Bundle.entry[3].resource.birthDate}
 * @param message    human-readable explanation; never contains patient data
 * @param pack       the rule pack and its version that holds the rule, e.g. {@code recordline-core@2026.11.1};
 *                   absent for findings of the built-in layers (conformance, code checks). Added in place: an
 *                   optional field, so readers of earlier events are unaffected.
 */
public record ValidationIssue(String severity, String code, String rule, String expression, String message,
                              @JsonInclude(JsonInclude.Include.NON_NULL) String pack) {

    /** FHIR {@code IssueSeverity} codes, the only severities the contract accepts. */
    public static final Set<String> SEVERITIES = Set.of("fatal", "error", "warning", "information");

    public ValidationIssue {
        if (severity == null || !SEVERITIES.contains(severity)) {
            throw new InvalidEventException("validation issue severity must be one of fatal, error, warning, "
                    + "information; got " + (severity == null ? "none" : quoted(severity)));
        }
        // PostgreSQL's text and jsonb cannot hold U+0000: a finding that names an element whose name holds one
        // shows U+FFFD in its place, so that every store downstream can keep it
        expression = withoutNul(expression);
        message = withoutNul(message);
    }

    private static String withoutNul(String s) {
        return s == null || s.indexOf('\u0000') < 0 ? s : s.replace('\u0000', '\uFFFD');
    }

    /** A finding of a built-in layer, which belongs to no rule pack. */
    public ValidationIssue(String severity, String code, String rule, String expression, String message) {
        this(severity, code, rule, expression, message, null);
    }

    /** The same finding with another severity (a pack may lower or raise a layer's findings). */
    public ValidationIssue withSeverity(String newSeverity) {
        return new ValidationIssue(newSeverity, code, rule, expression, message, pack);
    }

    /** Whether this issue blocks the record: everything but {@code warning} and {@code information}. */
    public boolean blocking() {
        return !"warning".equals(severity) && !"information".equals(severity);
    }

    private static String quoted(String s) {
        return "\"" + (s.length() > 20 ? s.substring(0, 20) + "…" : s) + "\"";
    }
}
