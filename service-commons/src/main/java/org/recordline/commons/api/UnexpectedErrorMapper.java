package org.recordline.commons.api;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Last line of defence: answers problem details (an OperationOutcome under {@code /fhir}) instead of a stack trace.
 * HTTP errors raised on purpose keep their status; anything unexpected is logged with an incident id (no request
 * data) and answered 500 with that id.
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<Exception> {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class);

    @Context
    UriInfo uriInfo;

    @jakarta.inject.Inject
    ca.uhn.fhir.context.FhirContext fhir;

    @Override
    public Response toResponse(Exception e) {
        String path = uriInfo == null ? null : uriInfo.getPath();
        if (e instanceof WebApplicationException wae && wae.getResponse() != null
                && wae.getResponse().getStatus() < 500) {
            int status = wae.getResponse().getStatus();
            Response.Status.Family family = Response.Status.Family.familyOf(status);
            String title = Response.Status.fromStatusCode(status) != null
                    ? Response.Status.fromStatusCode(status).getReasonPhrase() : family.name();
            return respond(status, title, null, path, org.hl7.fhir.r4.model.OperationOutcome.IssueType.PROCESSING);
        }
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected error, incident %s", incident);
        return respond(500, "Internal Server Error", "incident " + incident, path,
                org.hl7.fhir.r4.model.OperationOutcome.IssueType.EXCEPTION);
    }

    private Response respond(int status, String title, String detail, String path,
                             org.hl7.fhir.r4.model.OperationOutcome.IssueType type) {
        if (path != null && (path.equals("/fhir") || path.startsWith("/fhir/"))) {
            return Response.status(status).type(org.recordline.commons.fhir.OperationOutcomes.FHIR_JSON)
                    .entity(org.recordline.commons.fhir.OperationOutcomes.error(fhir, type,
                            detail == null ? title : title + ": " + detail)).build();
        }
        return Response.status(status).type(ProblemDetail.MEDIA_TYPE)
                .entity(ProblemDetail.of(status, title, detail, path)).build();
    }
}
