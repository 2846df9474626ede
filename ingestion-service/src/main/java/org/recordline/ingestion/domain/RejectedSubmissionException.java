package org.recordline.ingestion.domain;

import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/** A submission refused before it was recorded; becomes a 4xx with an OperationOutcome. */
public class RejectedSubmissionException extends RuntimeException {

    private final int status;
    private final IssueType issueType;

    public RejectedSubmissionException(int status, IssueType issueType, String message) {
        super(message);
        this.status = status;
        this.issueType = issueType;
    }

    public int status() {
        return status;
    }

    public IssueType issueType() {
        return issueType;
    }
}
