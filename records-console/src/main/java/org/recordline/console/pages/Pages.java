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
