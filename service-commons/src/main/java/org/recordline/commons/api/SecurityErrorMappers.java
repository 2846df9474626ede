package org.recordline.commons.api;

import ca.uhn.fhir.context.FhirContext;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.recordline.commons.security.BearerChallenge;

/**
 * Bodies for refusals that reach the REST layer: a role check ({@code @RolesAllowed}) that fails is a 403, and an
 * authentication failure that surfaces here (rather than in the challenge, see {@link
 * org.recordline.commons.security.BearerChallenge}) a 401. Same shapes as every other error.
 */
public class SecurityErrorMappers {

    private final FhirContext fhir;

    public SecurityErrorMappers(FhirContext fhir) {
        this.fhir = fhir;
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e, RoutingContext ctx) {
        return ErrorResponses.response(fhir, ctx.normalizedPath(), 403, "Forbidden",
                "the token's roles do not allow this request").build();
    }

    @ServerExceptionMapper
    public Response unauthorized(UnauthorizedException e, RoutingContext ctx) {
        return ErrorResponses.response(fhir, ctx.normalizedPath(), 401, "Unauthorized", "a bearer token is required")
                .header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response refusedToken(AuthenticationFailedException e, RoutingContext ctx) {
        return ErrorResponses.response(fhir, ctx.normalizedPath(), 401, "Unauthorized",
                BearerChallenge.REFUSED_TOKEN).header("WWW-Authenticate", "Bearer").build();
    }

    @ServerExceptionMapper
    public Response invalidParameter(InvalidParameterException e, RoutingContext ctx) {
        return ErrorResponses.response(fhir, ctx.normalizedPath(), 400, "Bad Request", e.getMessage()).build();
    }
}
