package org.recordline.ingestion.domain;

import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.recordline.commons.fhir.JsonShapeException;

/**
 * A submission refused before it was recorded; becomes a 4xx with an OperationOutcome. The same shape as
 * service-commons' {@link JsonShapeException} (status, issue type, location), which the pre-parse check throws.
 */
public class RejectedSubmissionException extends JsonShapeException {

    public RejectedSubmissionException(int status, IssueType issueType, String message) {
        this(status, issueType, message, null);
    }

    /**
     * @param expression FHIRPath-style location of the problem in the submission (e.g. {@code Patient.text.div}), or
     *                   null when it concerns the whole body
     */
    public RejectedSubmissionException(int status, IssueType issueType, String message, String expression) {
        super(status, issueType, message, expression);
    }

    /** The message with its location, for the OperationOutcome's diagnostics. */
    public String diagnostics() {
        return expression() == null ? getMessage() : getMessage() + " at " + expression();
    }
}
