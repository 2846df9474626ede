package org.recordline.index.api;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Locale;
import java.util.Set;
import java.util.function.Supplier;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.index.domain.ReviewQueue;

/**
 * The possible-match review queue of the records technicians: {@code GET /possible-matches} (each shown match an
 * audited read), {@code POST /possible-matches/{id}/accept} and {@code /reject} with a reason. A refused action is
 * audited too.
 */
@Path("/possible-matches")
@RolesAllowed({Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
public class PossibleMatchResource {

    private static final Set<String> STATUSES = Set.of("open", "accepted", "rejected");

    /** A technician's reason for a decision. */
    public record Reason(String reason) {
    }

    private final SecurityIdentity identity;
    private final AuditTrail audit;
    private final ReviewQueue queue;

    public PossibleMatchResource(SecurityIdentity identity, AuditTrail audit, ReviewQueue queue) {
        this.identity = identity;
        this.audit = audit;
        this.queue = queue;
    }

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response list(@QueryParam("status") @DefaultValue("open") String status,
                         @QueryParam("page") @DefaultValue("0") int page,
                         @QueryParam("size") @DefaultValue("50") int size) {
        if (!STATUSES.contains(status) || page < 0 || size < 1 || size > 200) {
            return problem(400, "status is open, accepted or rejected; page 0 or more; size 1 to 200");
        }
        return Response.ok(queue.list(status.toUpperCase(Locale.ROOT), page, size, Principals.actor(identity)))
                .build();
    }

    @POST
    @Path("/{id}/accept")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response accept(@PathParam("id") long id, Reason body) {
        String actor = Principals.actor(identity);
        return act(AuditActions.MATCH_ACCEPTED, id, body, () -> queue.accept(id, actor, body.reason().strip()));
    }

    @POST
    @Path("/{id}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response reject(@PathParam("id") long id, Reason body) {
        String actor = Principals.actor(identity);
        return act(AuditActions.MATCH_REJECTED, id, body, () -> queue.reject(id, actor, body.reason().strip()));
    }

    private Response act(String action, long id, Reason body, Supplier<ReviewQueue.Item> work) {
        String refusal = body == null || body.reason() == null || body.reason().isBlank() ? "a reason is required"
                : body.reason().length() > 500 ? "the reason is longer than 500 characters" : null;
        if (refusal != null) {
            refused(action, id, refusal);
            return problem(422, refusal);
        }
        try {
            return Response.ok(work.get()).build();
        } catch (ReviewQueue.Refused e) {
            refused(action, id, e.getMessage());
            return problem(e.status(), e.getMessage());
        }
    }

    private void refused(String action, long id, String why) {
        String actor = Principals.actor(identity);
        QuarkusTransaction.requiringNew().run(() -> audit.record(action, AuditActions.FAILURE, actor, null, null,
                "treatment", "possible match " + id + ": " + why));
    }

    private static Response problem(int status, String detail) {
        String title = switch (status) {
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 422 -> "Unprocessable Content";
            default -> "Bad Request";
        };
        return Response.status(status).type(ProblemDetail.MEDIA_TYPE)
                .entity(ProblemDetail.of(status, title, detail, "/possible-matches")).build();
    }
}
