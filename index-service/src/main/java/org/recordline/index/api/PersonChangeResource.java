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
 * A records technician's corrections of the index: {@code POST /persons/{id}/link}, {@code /unlink},
 * {@code /merge} and {@code /unmerge}, each with a reason, and {@code GET /persons/{id}/history} (an audited read).
 * A refused action is audited too, with outcome {@code failure}.
 */
@Path("/persons")
@Tag(name = "Person changes")
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
    @Operation(operationId = "linkSourceRecord", summary = "Move a source record to this person",
            description = "With the technician's reason; announced as a record change, audited.")
    @RequestBody(required = true, content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = SourceRecordChange.class), examples = @ExampleObject(name = "change", value = OpenApiInfo.LINK)))
    @APIResponse(responseCode = "200", description = "What the change did.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = PersonChangeResource.ChangeView.class), examples = @ExampleObject(name = "merge", value = OpenApiInfo.CHANGE)))
    @APIResponse(responseCode = "404", description = "No such person or source record.")
    @APIResponse(responseCode = "409", description = "The change does not apply (already filed there, not filed there, the only record, merged meanwhile, a person into itself, no merge to undo).")
    @APIResponse(responseCode = "422", description = "No body, no reason, or a value too long.")
    public Response link(@Parameter(description = "the enterprise person id") @PathParam("id") String id, SourceRecordChange body) {
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
    @Operation(operationId = "unlinkSourceRecord", summary = "Move a source record of this person into a new person",
            description = "With the technician's reason; announced as a record change, audited.")
    @RequestBody(required = true, content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = SourceRecordChange.class), examples = @ExampleObject(name = "change", value = OpenApiInfo.LINK)))
    @APIResponse(responseCode = "201", description = "Unlinked: the new person.",
            headers = @Header(name = "Location", description = "/persons/{new person id}", schema = @Schema(type = SchemaType.STRING)),
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = ChangeView.class)))
    @APIResponse(responseCode = "404", description = "No such person or source record.")
    @APIResponse(responseCode = "409", description = "The change does not apply (already filed there, not filed there, the only record, merged meanwhile, a person into itself, no merge to undo).")
    @APIResponse(responseCode = "422", description = "No body, no reason, or a value too long.")
    public Response unlink(@Parameter(description = "the enterprise person id") @PathParam("id") String id, SourceRecordChange body) {
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
    @Operation(operationId = "mergePersons", summary = "Merge person from into this one",
            description = "With the technician's reason; announced as a record change, audited.")
    @RequestBody(required = true, content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = PersonsChange.class), examples = @ExampleObject(name = "change", value = OpenApiInfo.MERGE)))
    @APIResponse(responseCode = "200", description = "What the change did.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = PersonChangeResource.ChangeView.class), examples = @ExampleObject(name = "merge", value = OpenApiInfo.CHANGE)))
    @APIResponse(responseCode = "404", description = "No such person or source record.")
    @APIResponse(responseCode = "409", description = "The change does not apply (already filed there, not filed there, the only record, merged meanwhile, a person into itself, no merge to undo).")
    @APIResponse(responseCode = "422", description = "No body, no reason, or a value too long.")
    public Response merge(@Parameter(description = "the enterprise person id") @PathParam("id") String id, PersonsChange body) {
        String actor = Principals.actor(identity);
        return act(AuditActions.PERSONS_MERGED, id, "merge", personsRefusal(body), () -> Response.ok(ChangeView.of(
                PersonLinks.Action.MERGE, links.merge(id, body.from(), actor, body.reason().strip()))).build());
    }

    /** Undoes the latest merge of person {@code from} into this one. */
    @POST
    @Path("/{id}/unmerge")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "unmergePersons", summary = "Undo the latest merge of person from into this one",
            description = "With the technician's reason; announced as a record change, audited.")
    @RequestBody(required = true, content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = PersonsChange.class), examples = @ExampleObject(name = "change", value = OpenApiInfo.MERGE)))
    @APIResponse(responseCode = "200", description = "What the change did.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = PersonChangeResource.ChangeView.class), examples = @ExampleObject(name = "unmerge", value = OpenApiInfo.CHANGE)))
    @APIResponse(responseCode = "404", description = "No such person or source record.")
    @APIResponse(responseCode = "409", description = "The change does not apply (already filed there, not filed there, the only record, merged meanwhile, a person into itself, no merge to undo).")
    @APIResponse(responseCode = "422", description = "No body, no reason, or a value too long.")
    public Response unmerge(@Parameter(description = "the enterprise person id") @PathParam("id") String id, PersonsChange body) {
        String actor = Principals.actor(identity);
        return act(AuditActions.PERSONS_UNMERGED, id, "unmerge", personsRefusal(body), () -> Response.ok(
                ChangeView.of(PersonLinks.Action.UNMERGE, links.unmerge(id, body.from(), actor,
                        body.reason().strip()))).build());
    }

    /** The person's history: every change that moved source records to or from them, newest first. */
    @GET
    @Path("/{id}/history")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getPersonHistory", summary = "Every change that moved source records to or from this person, newest first")
    @APIResponse(responseCode = "200", description = "The changes.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = ChangeView.class)))
    @APIResponse(responseCode = "404", description = "No such person.")
    public Response history(@Parameter(description = "the enterprise person id") @PathParam("id") String id) {
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
