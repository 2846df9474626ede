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
 * Last line of defence: answers problem details instead of a stack trace. HTTP errors raised on purpose keep their
 * status; anything unexpected is logged with an incident id (no request data) and answered 500 with that id.
 */
@Provider
public class UnexpectedErrorMapper implements ExceptionMapper<Exception> {

    private static final Logger LOG = Logger.getLogger(UnexpectedErrorMapper.class);

    @Context
    UriInfo uriInfo;

    @Override
    public Response toResponse(Exception e) {
        String path = uriInfo == null ? null : uriInfo.getPath();
        if (e instanceof WebApplicationException wae && wae.getResponse() != null
                && wae.getResponse().getStatus() < 500) {
            int status = wae.getResponse().getStatus();
            Response.Status.Family family = Response.Status.Family.familyOf(status);
            String title = Response.Status.fromStatusCode(status) != null
                    ? Response.Status.fromStatusCode(status).getReasonPhrase() : family.name();
            return Response.status(status).type(ProblemDetail.MEDIA_TYPE)
                    .entity(ProblemDetail.of(status, title, null, path)).build();
        }
        String incident = UUID.randomUUID().toString();
        LOG.errorf(e, "unexpected error, incident %s", incident);
        return Response.status(500).type(ProblemDetail.MEDIA_TYPE)
                .entity(ProblemDetail.of(500, "Internal Server Error", "incident " + incident, path)).build();
    }
}
