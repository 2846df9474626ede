package org.recordline.index.api;

import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.util.List;
import java.util.function.Supplier;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.index.domain.PersonLinks;

/**
 * A records technician's corrections of the index: {@code POST /persons/{id}/link}, {@code /unlink},
 * {@code /merge} and {@code /unmerge}, each with a reason, and {@code GET /persons/{id}/history} (an audited read).
 * A refused action is audited too, with outcome {@code failure}.
 */
@Path("/persons")
@RolesAllowed({Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
public class PersonChangeResource {

    /** Longest reason kept. */
    static final int MAX_REASON = 500;
    /** Longest source record key ({@code source_record.source_record_key}). */
    static final int MAX_KEY = 300;

    /**
     * A source record to link or unlink, and why.
     *
     * @param sourceRecordKey {@code source-system|local-id}
     * @param reason          the technician's reason (at most 500 characters)
     */
    public record SourceRecordChange(String sourceRecordKey, String reason) {
    }

    /**
     * A person to merge or unmerge, and why.
     *
     * @param from   the person merged (for a merge: merged into the path's person; for an unmerge: the person merged
     *               into the path's person whose merge is undone)
     * @param reason the technician's reason (at most 500 characters)
     */
    public record PersonsChange(String from, String reason) {
    }

    /**
     * What a change did.
     *
     * @param changeId         the history row ({@code GET /persons/{id}/history})
     * @param action           {@code link}, {@code unlink}, {@code merge} or {@code unmerge}
     * @param fromPersonId     the person the source records left
     * @param toPersonId       the person they went to (for an unlink, the new person)
     * @param sourceRecordKeys the source records moved
     * @param resourcesMoved   how many filed resources moved with them
     * @param fromMerged       whether {@code fromPersonId} kept no source record and now points at {@code toPersonId}
     */
    public record ChangeView(long changeId, String action, String fromPersonId, String toPersonId,
                             List<String> sourceRecordKeys, int resourcesMoved, boolean fromMerged) {

        static ChangeView of(PersonLinks.Action action, PersonLinks.Moved m) {
            return new ChangeView(m.changeId(), action.code(), m.fromPersonId(), m.toPersonId(),
                    m.records().stream().map(PersonLinks.MovedRecord::sourceRecordKey).toList(),
                    m.records().stream().mapToInt(r -> r.resources().size()).sum(), m.fromMerged());
        }
    }

    private final SecurityIdentity identity;
    private final AuditTrail audit;
    private final PersonLinks links;

    public PersonChangeResource(SecurityIdentity identity, AuditTrail audit, PersonLinks links) {
        this.identity = identity;
        this.audit = audit;
        this.links = links;
    }

    /** Moves a source record (and everything filed under it) from its person to this one. */
    @POST
    @Path("/{id}/link")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response link(@PathParam("id") String id, SourceRecordChange body) {
        String actor = Principals.actor(identity);
        return act(AuditActions.PERSON_LINKED, id, "link", sourceRecordRefusal(body), () -> Response.ok(ChangeView.of(
                PersonLinks.Action.LINK, links.link(id, body.sourceRecordKey(), actor, body.reason().strip())))
                .build());
    }

    /** Moves a source record of this person into a new person ({@code 201}, {@code Location} the new person). */
    @POST
    @Path("/{id}/unlink")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response unlink(@PathParam("id") String id, SourceRecordChange body) {
        String actor = Principals.actor(identity);
        return act(AuditActions.PERSON_UNLINKED, id, "unlink", sourceRecordRefusal(body), () -> {
            PersonLinks.Moved m = links.unlink(id, body.sourceRecordKey(), actor, body.reason().strip());
            return Response.created(URI.create("/persons/" + m.toPersonId()))
                    .entity(ChangeView.of(PersonLinks.Action.UNLINK, m)).build();
        });
    }

    /** Merges person {@code from} into this one. */
    @POST
    @Path("/{id}/merge")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response merge(@PathParam("id") String id, PersonsChange body) {
        String actor = Principals.actor(identity);
        return act(AuditActions.PERSONS_MERGED, id, "merge", personsRefusal(body), () -> Response.ok(ChangeView.of(
                PersonLinks.Action.MERGE, links.merge(id, body.from(), actor, body.reason().strip()))).build());
    }

    /** Undoes the latest merge of person {@code from} into this one. */
    @POST
    @Path("/{id}/unmerge")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public Response unmerge(@PathParam("id") String id, PersonsChange body) {
        String actor = Principals.actor(identity);
        return act(AuditActions.PERSONS_UNMERGED, id, "unmerge", personsRefusal(body), () -> Response.ok(
                ChangeView.of(PersonLinks.Action.UNMERGE, links.unmerge(id, body.from(), actor,
                        body.reason().strip()))).build());
    }

    /** The person's history: every change that moved source records to or from them, newest first. */
    @GET
    @Path("/{id}/history")
    @Produces(MediaType.APPLICATION_JSON)
    public Response history(@PathParam("id") String id) {
        List<PersonLinks.Change> changes = links.history(id, Principals.actor(identity));
        if (changes == null) {
            return problem(404, "no such person", id, "history");
        }
        return Response.ok(changes).build();
    }

    private Response act(String action, String id, String what, String refusal, Supplier<Response> work) {
        if (refusal != null) {
            refused(action, id, refusal);
            return problem(422, refusal, id, what);
        }
        try {
            return work.get();
        } catch (PersonLinks.Refused e) {
            refused(action, id, e.getMessage());
            return problem(e.status(), e.getMessage(), id, what);
        }
    }

    private static String reasonRefusal(String reason) {
        return reason == null || reason.isBlank() ? "a reason is required"
                : reason.length() > MAX_REASON ? "the reason is longer than " + MAX_REASON + " characters" : null;
    }

    private static String sourceRecordRefusal(SourceRecordChange body) {
        if (body == null) {
            return "a body with sourceRecordKey and reason is required";
        }
        if (body.sourceRecordKey() == null || body.sourceRecordKey().isBlank()
                || body.sourceRecordKey().length() > MAX_KEY) {
            return "sourceRecordKey is required (at most " + MAX_KEY + " characters)";
        }
        return reasonRefusal(body.reason());
    }

    private static String personsRefusal(PersonsChange body) {
        if (body == null) {
            return "a body with from and reason is required";
        }
        if (body.from() == null || body.from().isBlank()) {
            return "from (a person id) is required";
        }
        return reasonRefusal(body.reason());
    }

    private void refused(String action, String id, String why) {
        String actor = Principals.actor(identity);
        QuarkusTransaction.requiringNew().run(() -> audit.record(action, AuditActions.FAILURE, actor, null,
                id.length() > 36 ? null : id, "treatment", "refused: " + why));
    }

    private static Response problem(int status, String detail, String id, String what) {
        String title = switch (status) {
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 422 -> "Unprocessable Content";
            default -> "Bad Request";
        };
        String instance = "/persons/" + (id.length() > 36 ? id.substring(0, 36) : id) + "/" + what;
        return Response.status(status).type(ProblemDetail.MEDIA_TYPE)
                .entity(ProblemDetail.of(status, title, detail, instance)).build();
    }
}
