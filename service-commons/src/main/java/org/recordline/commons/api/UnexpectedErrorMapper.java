package org.recordline.commons.api;

import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Last line of defence for every request: any exception, and the {@code AssertionError} a JDBC driver can raise when
 * its server vanishes mid-statement, is answered by {@link ErrorAnswers} (the path's error shape; 4xx kept, 503 when
 * the database or broker is unreachable, otherwise 500 with an incident id).
 */
public class UnexpectedErrorMapper {

    private final ErrorAnswers answers;

    public UnexpectedErrorMapper(ErrorAnswers answers) {
        this.answers = answers;
    }

    @ServerExceptionMapper
    public Response exception(Exception e, RoutingContext ctx) {
        return answers.answer(e, ctx.normalizedPath());
    }

    @ServerExceptionMapper
    public Response assertion(AssertionError e, RoutingContext ctx) {
        return answers.answer(e, ctx.normalizedPath());
    }
}
