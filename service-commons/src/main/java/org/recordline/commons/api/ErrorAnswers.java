package org.recordline.commons.api;

import ca.uhn.fhir.context.FhirContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.recordline.commons.messaging.ConsumerRetry;
import org.recordline.commons.persistence.DatabaseProbe;

/**
 * What a failed request is answered, whatever threw: HTTP errors raised on purpose keep their status; a database or
 * broker that cannot be reached right now is a {@code 503} with {@code Retry-After}, as transient for a caller as it
 * is for a consumer; anything else is logged with an incident id (no request data) and answered {@code 500} with
 * that id. The body is the path's error shape ({@link ErrorResponses}); never a stack trace or class name.
 */
@ApplicationScoped
public class ErrorAnswers {

    private static final Logger LOG = Logger.getLogger(ErrorAnswers.class);
    /** Seconds a client should wait before retrying after a 503. */
    public static final String RETRY_AFTER_SECONDS = "5";

    private final FhirContext fhir;
    private final DatabaseProbe database;

    public ErrorAnswers(FhirContext fhir, DatabaseProbe database) {
        this.fhir = fhir;
        this.database = database;
    }

    /** The answer to {@code failure} on {@code path}. */
    public Response answer(Throwable failure, String path) {
        if (failure instanceof WebApplicationException wae && wae.getResponse() != null
                && wae.getResponse().getStatus() < 500) {
            int status = wae.getResponse().getStatus();
            Response.StatusType known = Response.Status.fromStatusCode(status);
            String title = known != null ? known.getReasonPhrase() : Response.Status.Family.familyOf(status).name();
            return ErrorResponses.response(fhir, path, status, title, null).build();
        }
        if (ConsumerRetry.isTransient(failure) || !database.reachable()) {
            LOG.warnf("request failed while a service it needs is unreachable, answered 503: %s",
                    ConsumerRetry.rootCauseName(failure));
            return ErrorResponses.response(fhir, path, 503, "Service Unavailable",
                    "a service this request needs (database or broker) cannot be reached right now; retry later")
                    .header("Retry-After", RETRY_AFTER_SECONDS).build();
        }
        String incident = UUID.randomUUID().toString();
        LOG.errorf(failure, "unexpected error, incident %s", incident);
        return ErrorResponses.response(fhir, path, 500, "Internal Server Error", "incident " + incident).build();
    }
}
