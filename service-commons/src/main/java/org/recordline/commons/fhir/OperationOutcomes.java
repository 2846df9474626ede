package org.recordline.commons.fhir;

import ca.uhn.fhir.context.FhirContext;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.recordline.events.ValidationIssue;

/** Builds FHIR {@code OperationOutcome} bodies; the only error shape of FHIR endpoints. */
public final class OperationOutcomes {

    /** Media type of FHIR JSON. */
    public static final String FHIR_JSON = "application/fhir+json";

    private OperationOutcomes() {
    }

    /** An error outcome about one place in the submitted resource (FHIRPath {@code expression}, may be null). */
    public static String error(FhirContext ctx, IssueType type, String diagnostics, String expression) {
        OperationOutcome oo = new OperationOutcome();
        var issue = oo.addIssue().setSeverity(IssueSeverity.ERROR).setCode(type).setDiagnostics(diagnostics);
        if (expression != null) {
            issue.addExpression(expression);
        }
        return ctx.newJsonParser().encodeResourceToString(oo);
    }

    /** An error outcome, as FHIR JSON. */
    public static String error(FhirContext ctx, IssueType type, String diagnostics) {
        return error(ctx, type, diagnostics, null);
    }

    /** An outcome listing validation issues, as FHIR JSON. */
    public static String of(FhirContext ctx, List<ValidationIssue> issues) {
        OperationOutcome oo = new OperationOutcome();
        for (ValidationIssue i : issues) {
            var issue = oo.addIssue().setSeverity(IssueSeverity.fromCode(i.severity()))
                    .setCode(IssueType.fromCode(i.code())).setDiagnostics(i.message());
            if (i.expression() != null) {
                issue.addExpression(i.expression());
            }
        }
        return ctx.newJsonParser().encodeResourceToString(oo);
    }
}
