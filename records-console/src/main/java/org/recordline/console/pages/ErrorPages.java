package org.recordline.console.pages;

import io.quarkus.qute.Template;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The page shown when a page cannot be shown: no role for it (403), a session the services refuse, a service down. */
@ApplicationScoped
public class ErrorPages {

    @Inject
    Template error;

    @Inject
    SecurityIdentity identity;

    @ServerExceptionMapper
    public Response refused(Refused e) {
        return render(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    public Response forbidden(ForbiddenException e) {
        return render(403, "Your roles do not open this page or its data.");
    }

    private Response render(int status, String message) {
        Viewer viewer = identity.isAnonymous() ? null : Viewer.of(identity);
        String html = error.data("viewer", viewer).data("nav", "").data("status", status).data("message", message)
                .render();
        return Response.status(status).type("text/html;charset=UTF-8").entity(html).build();
    }
}
