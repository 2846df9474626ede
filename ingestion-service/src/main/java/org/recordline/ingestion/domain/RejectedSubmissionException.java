package org.recordline.ingestion.domain;

import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/** A submission refused before it was recorded; becomes a 4xx with an OperationOutcome. */
public class RejectedSubmissionException extends RuntimeException {

    private final int status;
    private final IssueType issueType;
    private final String expression;

    public RejectedSubmissionException(int status, IssueType issueType, String message) {
        this(status, issueType, message, null);
    }

    /**
     * @param expression FHIRPath-style location of the problem in the submission (e.g. {@code Patient.text.div}), or
     *                   null when it concerns the whole body
     */
    public RejectedSubmissionException(int status, IssueType issueType, String message, String expression) {
        super(message);
        this.status = status;
        this.issueType = issueType;
        this.expression = expression;
    }

    public int status() {
        return status;
    }

    public IssueType issueType() {
        return issueType;
    }

    /** Where in the submission, or null. */
    public String expression() {
        return expression;
    }

    /** The message with its location, for the OperationOutcome's diagnostics. */
    public String diagnostics() {
        return expression == null ? getMessage() : getMessage() + " at " + expression;
    }
}
