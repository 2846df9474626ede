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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The possible-match review queue of the records technicians: {@code GET /possible-matches} (each shown match an
 * audited read), {@code POST /possible-matches/{id}/accept} and {@code /reject} with a reason. A refused action is
 * audited too.
 */
@Path("/possible-matches")
@Tag(name = "Possible matches")
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
    @Operation(operationId = "listPossibleMatches", summary = "The review queue of possible matches",
            description = "Each item the uncertain source record, the candidate person and the score.")
    @APIResponse(responseCode = "200", description = "One page of possible matches.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = org.recordline.index.domain.ReviewQueue.Item.class)))
    @APIResponse(responseCode = "400", description = "status is not open, accepted or rejected; page below 0; size outside 1 to 200; or not a number.")
    public Response list(@Parameter(description = "open, accepted or rejected") @QueryParam("status") @DefaultValue("open") String status,
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
    @Operation(operationId = "acceptPossibleMatch", summary = "Accept: file the record under the candidate person",
            description = "Announced as a LINKED record change, audited.")
    @RequestBody(required = true, content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = Reason.class), examples = @ExampleObject(name = "reason", value = OpenApiInfo.REASON)))
    @APIResponse(responseCode = "200", description = "The decided item.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = org.recordline.index.domain.ReviewQueue.Item.class)))
    @APIResponse(responseCode = "404", description = "No such possible match.")
    @APIResponse(responseCode = "409", description = "The possible match is no longer open, the record is filed under the candidate already, or the candidate was merged.")
    @APIResponse(responseCode = "422", description = "No reason, or one longer than 500 characters.")
    public Response accept(@Parameter(description = "the possible match") @PathParam("id") long id, Reason body) {
        String actor = Principals.actor(identity);
        return act(AuditActions.MATCH_ACCEPTED, id, body, () -> queue.accept(id, actor, body.reason().strip()));
    }

    @POST
    @Path("/{id}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "rejectPossibleMatch", summary = "Reject: the record and the candidate stay apart",
            description = "Audited.")
    @RequestBody(required = true, content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = Reason.class), examples = @ExampleObject(name = "reason", value = OpenApiInfo.REASON)))
    @APIResponse(responseCode = "200", description = "The decided item.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = org.recordline.index.domain.ReviewQueue.Item.class)))
    @APIResponse(responseCode = "404", description = "No such possible match.")
    @APIResponse(responseCode = "409", description = "The possible match is no longer open, the record is filed under the candidate already, or the candidate was merged.")
    @APIResponse(responseCode = "422", description = "No reason, or one longer than 500 characters.")
    public Response reject(@Parameter(description = "the possible match") @PathParam("id") long id, Reason body) {
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
