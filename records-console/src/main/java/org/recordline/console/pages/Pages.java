package org.recordline.console.pages;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.Response;
import java.util.function.Supplier;

/** What every page shares: the viewer, calls to the services, and the pages shown when something ends a page. */
@RequestScoped
public class Pages {

    @Inject
    SecurityIdentity identity;

    public Viewer viewer() {
        return Viewer.of(identity);
    }

    /** {@code template} with the viewer and the current section ({@code nav}) set. */
    public TemplateInstance page(Template template, String nav) {
        return template.data("viewer", viewer()).data("nav", nav);
    }

    /**
     * Calls a service as the signed-in person. A 401, 403 or 5xx, or no answer at all, ends the page (see
     * {@link Refused}); other answers, refusals with a reason included, are the page's to show.
     */
    public Answer call(Supplier<Response> call) {
        try {
            return Refused.unlessFatal(Answer.of(call.get()));
        } catch (ProcessingException unreachable) {
            throw new Refused(503, "A service did not answer. Try again shortly.");
        }
    }

    /**
     * A desk action as the signed-in person (records technician or admin): on success the browser goes to
     * {@code next} (303, so a reload does not repeat it); a refusal ends the page with the service's reason.
     */
    public Response act(Supplier<Response> action, String next) {
        return act(action, answer -> next);
    }

    /** {@link #act(Supplier, String)}, going where the service's answer says (e.g. to the person an unlink made). */
    public Response act(Supplier<Response> action, java.util.function.Function<Answer, String> next) {
        requireDesk();
        Answer a = call(action);
        if (!a.ok()) {
            throw new Refused(a.status() == 404 ? 404 : 409, a.reason());
        }
        return Response.seeOther(java.net.URI.create(next.apply(a))).build();
    }

    /** Ends the page (400) unless {@code id} looks like the ids the services give (UUIDs). */
    public static void requireId(String id, String what) {
        if (id == null || !id.matches("[0-9a-fA-F-]{1,64}")) {
            throw new Refused(400, "Not " + what + ".");
        }
    }

    /** Ends the page unless the viewer may work the desk (records technician or admin). */
    public void requireDesk() {
        if (!viewer().desk()) {
            throw new ForbiddenException();
        }
    }

    /** Ends the page unless the viewer is an auditor or admin. */
    public void requireAudit() {
        if (!viewer().audit()) {
            throw new ForbiddenException();
        }
    }
}
