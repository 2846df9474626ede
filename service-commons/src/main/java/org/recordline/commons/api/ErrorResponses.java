package org.recordline.commons.api;

import ca.uhn.fhir.context.FhirContext;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.events.EventCodec;

/**
 * The one shape of every error answer: a FHIR {@code OperationOutcome} on FHIR paths ({@code /fhir} and below), RFC
 * 9457 problem details everywhere else. Used by the exception mappers (JAX-RS) and by the authentication challenge
 * (Vert.x), so a 401 looks like a 404 to the client that has to parse it.
 */
public final class ErrorResponses {

    private ErrorResponses() {
    }

    /** Whether {@code path} is a FHIR endpoint, whose clients expect an OperationOutcome. */
    public static boolean isFhir(String path) {
        return path != null && (path.equals("/fhir") || path.startsWith("/fhir/"));
    }

    /** The FHIR issue type that matches an HTTP status. */
    public static IssueType issueType(int status) {
        return switch (status) {
            case 401 -> IssueType.LOGIN;
            case 403 -> IssueType.FORBIDDEN;
            case 404 -> IssueType.NOTFOUND;
            case 413 -> IssueType.TOOCOSTLY;
            case 503 -> IssueType.TRANSIENT;
            default -> status >= 500 ? IssueType.EXCEPTION : status == 400 ? IssueType.INVALID : IssueType.PROCESSING;
        };
    }

    /** A JAX-RS answer with the error body for {@code path}. */
    public static Response.ResponseBuilder response(FhirContext fhir, String path, int status, String title,
                                                    String detail) {
        return Response.status(status).type(contentType(path)).entity(body(fhir, path, status, title, detail));
    }

    /** Ends a Vert.x response with the error body for the request's path (nothing if it has ended already). */
    public static void end(FhirContext fhir, RoutingContext ctx, int status, String title, String detail) {
        HttpServerResponse r = ctx.response();
        if (r.ended()) {
            return;
        }
        String path = ctx.normalizedPath();
        r.setStatusCode(status).putHeader("Content-Type", contentType(path)).putHeader("Cache-Control", "no-store");
        if (status == 401 && !r.headers().contains("WWW-Authenticate")) {
            r.putHeader("WWW-Authenticate", "Bearer");
        }
        r.end(body(fhir, path, status, title, detail));
    }

    private static String contentType(String path) {
        return isFhir(path) ? OperationOutcomes.FHIR_JSON : ProblemDetail.MEDIA_TYPE;
    }

    private static String body(FhirContext fhir, String path, int status, String title, String detail) {
        if (isFhir(path)) {
            return OperationOutcomes.error(fhir, issueType(status), detail == null ? title : title + ": " + detail);
        }
        String instance = path == null ? null : path.length() > 200 ? path.substring(0, 200) : path;
        return new String(EventCodec.encode(ProblemDetail.of(status, title, detail, instance)),
                java.nio.charset.StandardCharsets.UTF_8);
    }
}
