package org.recordline.commons.fhir;

import org.hl7.fhir.r4.model.OperationOutcome.IssueType;

/**
 * A FHIR JSON document refused by {@link JsonShapeCheck} before anything parsed it: the answer's status (400 or 413),
 * the FHIR issue type, what is wrong and where.
 */
public class JsonShapeException extends RuntimeException {

    private final int status;
    private final IssueType issueType;
    private final String expression;

    /**
     * @param expression FHIRPath-style location of the problem (e.g. {@code Patient.text.div}), or null when it
     *                   concerns the whole document
     */
    public JsonShapeException(int status, IssueType issueType, String message, String expression) {
        super(message);
        this.status = status;
        this.issueType = issueType;
        this.expression = expression;
    }

    /** 400, or 413 for a document with more Bundle entries than allowed. */
    public int status() {
        return status;
    }

    public IssueType issueType() {
        return issueType;
    }

    /** Where in the document, or null. */
    public String expression() {
        return expression;
    }
}
