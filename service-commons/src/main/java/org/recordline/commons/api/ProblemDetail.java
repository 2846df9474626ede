package org.recordline.commons.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * RFC 9457 problem details, the error body of every non-FHIR endpoint. Never carries stack traces, class names or
 * patient data.
 *
 * @param type     URI identifying the problem type ({@code about:blank} when the status says it all)
 * @param title    short summary of the problem type
 * @param status   the HTTP status code
 * @param detail   explanation specific to this occurrence
 * @param instance the request path
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ProblemDetail(String type, String title, int status, String detail, String instance) {

    /** Media type of problem details. */
    public static final String MEDIA_TYPE = "application/problem+json";

    public static ProblemDetail of(int status, String title, String detail, String instance) {
        return new ProblemDetail("about:blank", title, status, detail, instance);
    }
}
