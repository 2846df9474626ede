package org.recordline.validation.api;

import com.fasterxml.jackson.annotation.JsonRawValue;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.events.ValidationIssue;
import org.recordline.validation.domain.QuarantineDesk;
import org.recordline.validation.persistence.QuarantineStore;
import org.recordline.validation.persistence.QuarantineStore.Entry;
import org.recordline.validation.persistence.QuarantineStore.Filter;
import org.recordline.validation.persistence.QuarantineStore.HistoryItem;
import org.recordline.validation.persistence.QuarantineStore.Status;
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
 * The quarantine desk of the records technicians: the work queue, each entry's history, claims, notes, corrections
 * and dismissals, and quality by source. Answers carry ids and reasons, not records, except the endpoints that return
 * a record, which are audited reads. Every action is audited, a refused one too.
 */
@Path("/quarantine")
@Tag(name = "Quarantine")
@RolesAllowed({Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
public class QuarantineResource {


    private final SecurityIdentity identity;
    private final AuditTrail audit;
    private final QuarantineStore store;
    private final QuarantineDesk desk;
    private final CorrectionShape shape;

    public QuarantineResource(SecurityIdentity identity, AuditTrail audit, QuarantineStore store, QuarantineDesk desk,
                              CorrectionShape shape) {
        this.identity = identity;
        this.audit = audit;
        this.store = store;
        this.desk = desk;
        this.shape = shape;
    }

    /**
     * A queue entry (no patient data: ids and reasons only).
     *
     * @param submissionId   the quarantined submission
     * @param sourceSystem   who submitted it
     * @param resourceType   type of the submitted root resource
     * @param status         OPEN, RESOLVED or DISMISSED
     * @param version        1 as submitted, one more for each correction
     * @param quarantinedAt  when it entered the queue
     * @param claimedBy      who holds a live claim, if anyone
     * @param claimExpiresAt when that claim ends
     * @param rules          the rule ids of its blocking findings
     * @param issues         every finding, as JSON
     */
    public record QueueEntry(String submissionId, String sourceSystem, String resourceType, String status, int version,
                             Instant quarantinedAt, String claimedBy, Instant claimExpiresAt, List<String> rules,
                             @JsonRawValue String issues) {

        static QueueEntry of(Entry e, Instant now) {
            return new QueueEntry(e.submissionId(), e.sourceSystem(), e.resourceType(), e.status().name(),
                    e.version(), e.quarantinedAt(), e.claimantAt(now), e.claimantAt(now) == null ? null
                    : e.claimExpiresAt(), blockingRules(e.issuesJson()), e.issuesJson());
        }
    }

    /** An entry with its history. */
    public record EntryDetail(QueueEntry entry, Instant resolvedAt, String resolvedBy, String resolutionReason,
                              List<HistoryView> history) {
    }

    /** A history item as shown (the findings of a version as JSON; its record is read separately). */
    public record HistoryView(Instant at, String actor, String kind, int version, String text,
                              @JsonRawValue String issues) {
    }

    /** A note or a dismissal. */
    public record TextBody(String text, String reason) {
    }

    /** The work queue, oldest first, filtered; a search by patient identifier is an audited query. */
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "listQuarantine", summary = "The work queue, oldest first, filtered",
            description = "A search by patient identifier is an audited query; so is every look at the queue.")
    @APIResponse(responseCode = "200", description = "One page of queue entries.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY, implementation = QueueEntry.class), examples = @ExampleObject(name = "queue", value = OpenApiInfo.QUEUE)))
    @APIResponse(responseCode = "400", description = "status is not open, resolved or dismissed, a filter value is longer than 300 characters, or a numeric parameter is not a number.")
    public Response list(@Parameter(description = "open, resolved or dismissed") @QueryParam("status") @DefaultValue("open") String status,
                         @QueryParam("source") String source, @QueryParam("rule") String rule,
                         @QueryParam("patientIdentifier") String patientIdentifier,
                         @QueryParam("claimedBy") String claimedBy,
                         @QueryParam("olderThanHours") Integer olderThanHours,
                         @QueryParam("page") @DefaultValue("0") int page,
                         @QueryParam("size") @DefaultValue("50") int size) {
        Status st;
        try {
            st = Status.valueOf(status.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return problem(400, "Bad Request", "status must be open, resolved or dismissed");
        }
        for (String s : new String[] {source, rule, patientIdentifier, claimedBy}) {
            if (s != null && s.length() > 300) {
                return problem(400, "Bad Request", "a filter value is longer than 300 characters");
            }
        }
        Instant now = Instant.now();
        Filter f = new Filter(st, blankToNull(source), blankToNull(rule), blankToNull(patientIdentifier),
                "me".equals(claimedBy) ? Principals.actor(identity) : blankToNull(claimedBy),
                olderThanHours == null ? null : now.minusSeconds(3600L * Math.max(0, olderThanHours)),
                Math.min(Math.max(0, page), 100_000), Math.min(Math.max(1, size), 500));
        List<QueueEntry> rows = store.list(f).stream().map(e -> QueueEntry.of(e, now)).toList();
        // the queue shows records held back from patients' charts (and a search by identifier names a patient):
        // every look at it is accounted for
        auditAlone(AuditActions.RECORD_READ, AuditActions.SUCCESS, null, null,
                (f.patientIdentifier() != null ? "search by patient identifier, " : "work queue, ") + rows.size()
                        + " entries");
        return Response.ok(rows).build();
    }

    /** One entry with its history (notes may name the patient: an audited read). */
    @GET
    @Path("/{submissionId}")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "getQuarantineEntry", summary = "One entry with its history",
            description = "Notes may name the patient: an audited read.")
    @APIResponse(responseCode = "200", description = "The entry, its resolution and its history.",
            content = @Content(mediaType = "application/json", schema = @Schema(implementation = EntryDetail.class)))
    @APIResponse(responseCode = "404", description = "No such quarantined record.")
    public Response entry(@Parameter(description = "the quarantined submission's id") @PathParam("submissionId") String submissionId) {
        String actor = Principals.actor(identity);
        Entry e = submissionId.length() > 36 ? null : store.find(submissionId, false).orElse(null);
        if (e == null) {
            auditAlone(AuditActions.RECORD_READ, AuditActions.FAILURE, null, null, "not found");
            return problem(404, "Not Found", "no such quarantined record");
        }
        List<HistoryView> history = store.history(submissionId).stream().map(QuarantineResource::view).toList();
        auditAlone(AuditActions.RECORD_READ, AuditActions.SUCCESS, e.submissionId(), e.sourceRecordKey(),
                "quarantine entry and history");
        return Response.ok(new EntryDetail(QueueEntry.of(e, Instant.now()), e.resolvedAt(), e.resolvedBy(),
                e.resolutionReason(), history)).build();
    }

    /** The current version of the record itself, as FHIR JSON: a read of patient data, audited. */
    @GET
    @Path("/{submissionId}/record")
    @Produces(OperationOutcomes.FHIR_JSON)
    @Operation(operationId = "getQuarantinedRecord", summary = "The current version of the record (FHIR JSON)",
            description = "A read of patient data, audited.")
    @APIResponse(responseCode = "200", description = "The record as FHIR R4 JSON.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT, description = "a FHIR R4 resource or Bundle")))
    @APIResponse(responseCode = "404", description = "No such quarantined record.")
    public Response record(@Parameter(description = "the quarantined submission's id") @PathParam("submissionId") String submissionId) {
        return readRecord(submissionId, () -> submissionId.length() > 36 ? null
                : store.fhir(submissionId).orElse(null), "quarantined record");
    }

    /** One version of the record as submitted or corrected: an audited read. */
    @GET
    @Path("/{submissionId}/versions/{version}/record")
    @Produces(OperationOutcomes.FHIR_JSON)
    @Operation(operationId = "getQuarantinedRecordVersion", summary = "One version of the record, as submitted or corrected",
            description = "A read of patient data, audited.")
    @APIResponse(responseCode = "200", description = "That version as FHIR R4 JSON.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT, description = "a FHIR R4 resource or Bundle")))
    @APIResponse(responseCode = "400", description = "version is not a number.")
    @APIResponse(responseCode = "404", description = "No such quarantined record, or no such version of it.")
    public Response versionRecord(@Parameter(description = "the quarantined submission's id") @PathParam("submissionId") String submissionId,
                                  @Parameter(description = "1 as submitted, one more for each correction")
                                  @PathParam("version") int version) {
        return readRecord(submissionId, () -> submissionId.length() > 36 ? null : version == 1
                ? store.versionRecord(submissionId, 1).or(() -> firstVersion(submissionId)).orElse(null)
                : store.versionRecord(submissionId, version).orElse(null), "version " + version);
    }

    @POST
    @Path("/{submissionId}/claim")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "claimQuarantineEntry", summary = "Claim the record for the caller",
            description = "A claim lasts a while and keeps others from acting on the record.")
    @APIResponse(responseCode = "200", description = "Claimed.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT), examples = @ExampleObject(name = "claim", value = OpenApiInfo.CLAIM)))
    @APIResponse(responseCode = "404", description = "No such quarantined record.")
    @APIResponse(responseCode = "409", description = "The record is no longer open, or claimed by another technician.")
    public Response claim(@Parameter(description = "the quarantined submission's id") @PathParam("submissionId") String submissionId) {
        return act(submissionId, AuditActions.QUARANTINE_CLAIMED, () -> {
            Instant until = desk.claim(submissionId, Principals.actor(identity));
            return Response.ok(java.util.Map.of("claimedBy", Principals.actor(identity), "claimExpiresAt",
                    until.toString())).build();
        });
    }

    @DELETE
    @Path("/{submissionId}/claim")
    @Operation(operationId = "releaseQuarantineClaim", summary = "Release a claim",
            description = "The claimant's own, or anyone's for an admin.")
    @APIResponse(responseCode = "204", description = "Released.")
    @APIResponse(responseCode = "404", description = "No such quarantined record.")
    @APIResponse(responseCode = "409", description = "The record is no longer open, or claimed by another technician.")
    public Response release(@Parameter(description = "the quarantined submission's id") @PathParam("submissionId") String submissionId) {
        return act(submissionId, AuditActions.QUARANTINE_RELEASED, () -> {
            desk.release(submissionId, Principals.actor(identity), identity.hasRole(Roles.ADMIN));
            return Response.noContent().build();
        });
    }

    @POST
    @Path("/{submissionId}/notes")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "annotateQuarantineEntry", summary = "Add a note",
            description = "The caller must hold the claim.")
    @RequestBody(required = true, content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = TextBody.class),
            examples = @ExampleObject(name = "note", value = OpenApiInfo.NOTE)))
    @APIResponse(responseCode = "201", description = "Noted.")
    @APIResponse(responseCode = "404", description = "No such quarantined record.")
    @APIResponse(responseCode = "409", description = "The record is no longer open, or claimed by another technician (or not claimed by the caller).")
    @APIResponse(responseCode = "422", description = "No text, or a text longer than the limit.")
    public Response annotate(@Parameter(description = "the quarantined submission's id") @PathParam("submissionId") String submissionId, TextBody body) {
        return act(submissionId, AuditActions.QUARANTINE_NOTE, () -> {
            desk.annotate(submissionId, Principals.actor(identity), body == null ? null : body.text());
            return Response.status(201).build();
        });
    }

    /** Corrects the record; it is reviewed again at once under the same submission. */
    @PUT
    @Path("/{submissionId}/record")
    @Consumes({OperationOutcomes.FHIR_JSON, MediaType.APPLICATION_JSON})
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "correctQuarantinedRecord", summary = "Correct the record",
            description = "It is reviewed again at once under the same submission: resolved and sent on to the index when it passes, else it stays open with the new version and its findings. The caller must hold the claim.")
    @RequestBody(required = true, description = "The corrected FHIR R4 resource or Bundle (JSON)", content = {
            @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT)),
            @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT))})
    @APIResponse(responseCode = "200", description = "Reviewed again: the status reached (RESOLVED or OPEN), the version and its findings.",
            content = @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT), examples = @ExampleObject(name = "resolved", value = OpenApiInfo.CORRECTED)))
    @APIResponse(responseCode = "400", description = "Not acceptable JSON (malformed, duplicate keys, limits), named.")
    @APIResponse(responseCode = "404", description = "No such quarantined record.")
    @APIResponse(responseCode = "409", description = "The record is no longer open, or claimed by another technician (or not claimed by the caller).")
    public Response correct(@Parameter(description = "the quarantined submission's id") @PathParam("submissionId") String submissionId, String fhir) {
        String refusal = shape.problem(fhir);
        if (refusal != null) {
            auditAlone(AuditActions.QUARANTINE_CORRECTED, AuditActions.FAILURE,
                    submissionId.length() > 36 ? null : submissionId, null, refusal);
            return problem(400, "Bad Request", refusal);
        }
        return act(submissionId, AuditActions.QUARANTINE_CORRECTED, () -> {
            QuarantineDesk.Correction c = desk.correct(submissionId, Principals.actor(identity), fhir);
            return Response.ok(java.util.Map.of("status", c.status().name(), "version", c.version(),
                    "issues", c.issues())).build();
        });
    }

    @POST
    @Path("/{submissionId}/dismiss")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(operationId = "dismissQuarantineEntry", summary = "Dismiss the record, with a reason",
            description = "It is not filed; the submitter's status becomes DISMISSED. The caller must hold the claim.")
    @RequestBody(required = true, content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = TextBody.class),
            examples = @ExampleObject(name = "dismissal", value = OpenApiInfo.DISMISS)))
    @APIResponse(responseCode = "204", description = "Dismissed.")
    @APIResponse(responseCode = "404", description = "No such quarantined record.")
    @APIResponse(responseCode = "409", description = "The record is no longer open, or claimed by another technician (or not claimed by the caller).")
    @APIResponse(responseCode = "422", description = "No reason, or a reason longer than the limit.")
    public Response dismiss(@Parameter(description = "the quarantined submission's id") @PathParam("submissionId") String submissionId, TextBody body) {
        return act(submissionId, AuditActions.QUARANTINE_DISMISSED, () -> {
            desk.dismiss(submissionId, Principals.actor(identity), body == null ? null : body.reason());
            return Response.noContent().build();
        });
    }

    /** Quality by source over the last {@code days} days: share passing, top failing rules, time in quarantine. */
    @GET
    @Path("/quality")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(operationId = "quarantineQuality", summary = "Quality by source",
            description = "Over the last days days (1 to 366): share passing, top failing rules, time in quarantine.")
    public List<QuarantineStore.SourceQuality> quality(@Parameter(description = "1 to 366") @QueryParam("days") @DefaultValue("30") int days) {
        return store.quality(Math.min(Math.max(1, days), 366), Instant.now());
    }

    private Response act(String submissionId, String action, Supplier<Response> work) {
        if (submissionId.length() > 36) {
            auditAlone(action, AuditActions.FAILURE, null, null, "not found");
            return problem(404, "Not Found", "no such quarantined record");
        }
        try {
            return work.get();
        } catch (QuarantineDesk.Refused r) {
            auditAlone(action, AuditActions.FAILURE, submissionId, null, r.getMessage());
            return problem(r.status(), r.status() == 404 ? "Not Found" : r.status() == 409 ? "Conflict"
                    : "Unprocessable Content", r.getMessage());
        } catch (RuntimeException e) {
            // the act rolled back: account for the attempt, then let the shared mappers answer (503 for an outage)
            auditAlone(action, AuditActions.FAILURE, submissionId, null, "failed: " + e.getClass().getSimpleName());
            throw e;
        }
    }

    private Response readRecord(String submissionId, Supplier<String> read, String what) {
        String fhir = read.get();
        if (fhir == null) {
            auditAlone(AuditActions.RECORD_READ, AuditActions.FAILURE, null, null, "not found");
            return problem(404, "Not Found", "no such quarantined record");
        }
        String key = store.find(submissionId, false).map(Entry::sourceRecordKey).orElse(null);
        auditAlone(AuditActions.RECORD_READ, AuditActions.SUCCESS, submissionId, key, what);
        return Response.ok(fhir, OperationOutcomes.FHIR_JSON).build();
    }

    private java.util.Optional<String> firstVersion(String submissionId) {
        // entries quarantined before the desk kept versions: the current record is the first version
        return store.find(submissionId, false).filter(e -> e.version() == 1).flatMap(e -> store.fhir(submissionId));
    }

    private void auditAlone(String action, String outcome, String submissionId, String patientRef, String detail) {
        String actor = Principals.actor(identity);
        QuarkusTransaction.requiringNew().run(() -> audit.record(action, outcome, actor, submissionId, patientRef,
                "quarantine", detail));
    }

    private static HistoryView view(HistoryItem h) {
        return new HistoryView(h.at(), h.actor(), h.kind().name(), h.version(), h.text(), h.issuesJson());
    }

    private static List<String> blockingRules(String issuesJson) {
        try {
            List<ValidationIssue> issues = org.recordline.events.EventCodec.mapper().readerForListOf(
                    ValidationIssue.class).readValue(issuesJson);
            return issues.stream().filter(ValidationIssue::blocking).map(ValidationIssue::rule).distinct().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static Response problem(int status, String title, String detail) {
        return Response.status(status).type(ProblemDetail.MEDIA_TYPE)
                .entity(ProblemDetail.of(status, title, detail, null)).build();
    }
}
