package org.recordline.audit.api;

import ca.uhn.fhir.context.FhirContext;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.recordline.audit.domain.AuditLog;
import org.recordline.audit.domain.AuditQueries;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.audit.RequestAudit;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.events.AuditEvent;
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
 * Auditors' questions to the log: entries by submission, patient (any of their ids), actor, action, outcome and time,
 * as JSON or as a FHIR Bundle of BALP AuditEvents; and a patient's accounting of disclosures, as JSON or as a document
 * to hand to the patient. Every answer is itself an {@code audit.read} entry.
 */
@Path("/audit")
@Tag(name = "Audit log")
@RolesAllowed({Roles.AUDITOR, Roles.ADMIN})
public class AuditQueryResource {

    static final int MAX_LIMIT = 1000;
    /** How far back an accounting of disclosures looks by default: six years (HIPAA's 45 CFR 164.528). */
    static final java.time.Period DISCLOSURE_PERIOD = java.time.Period.ofYears(6);

    private final SecurityIdentity identity;
    private final AuditLog log;
    private final AuditQueries queries;
    private final RequestAudit request;
    private final FhirContext fhir;
    private final io.quarkus.qute.Template document;

    public AuditQueryResource(SecurityIdentity identity, AuditLog log, AuditQueries queries, RequestAudit request,
                              FhirContext fhir,
                              @io.quarkus.qute.Location("disclosures.html") io.quarkus.qute.Template document) {
        this.identity = identity;
        this.log = log;
        this.queries = queries;
        this.request = request;
        this.fhir = fhir;
        this.document = document;
    }

    /**
     * One audit entry.
     *
     * @param seq          position in the log
     * @param eventId      the event's id
     * @param occurredAt   when the act happened
     * @param recordedAt   when the log recorded it
     * @param service      the service that acted
     * @param action       what happened
     * @param outcome      success, failure or denied
     * @param actor        who acted
     * @param submissionId the submission concerned
     * @param patientRef   the patient concerned
     * @param purpose      why
     * @param detail       short detail
     * @param context      roles, on whose behalf, client address, correlation id, the patient's ids, the records
     * @param entryHash    the entry's chain hash (hex)
     */
    public record AuditEntryView(long seq, String eventId, Instant occurredAt, Instant recordedAt, String service,
                                 String action, String outcome, String actor, String submissionId,
                                 String patientRef, String purpose, String detail, AuditEvent.Context context,
                                 String entryHash) {

        static AuditEntryView of(AuditQueries.Entry e) {
            return new AuditEntryView(e.seq(), e.eventId(), e.occurredAt(), e.recordedAt(), e.service(), e.action(),
                    e.outcome(), e.actor(), e.submissionId(), e.patientRef(), e.purpose(), e.detail(), e.context(),
                    HexFormat.of().formatHex(e.entryHash()));
        }
    }

    /**
     * {@code GET /audit/events}: entries in log order, filtered (AND); {@code Accept: application/fhir+json} gives a
     * Bundle of BALP AuditEvents.
     */
    @GET
    @Path("/events")
    @Produces({MediaType.APPLICATION_JSON, OperationOutcomes.FHIR_JSON})
    @Operation(operationId = "findAuditEvents", summary = "Audit entries in log order",
            description = "Filtered by submission, patient (any of their ids, including persons merged into them), actor, action, outcome and time; paged with after. JSON, or with Accept: application/fhir+json a Bundle of FHIR BALP AuditEvents. An audited read.")
    @APIResponse(responseCode = "200", description = "The entries.", content = {
            @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.ARRAY,
                    implementation = AuditEntryView.class), examples = @ExampleObject(name = "events", value = OpenApiInfo.EVENTS)),
            @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT,
                    description = "a FHIR R4 Bundle (collection) of BALP AuditEvents"))})
    @APIResponse(responseCode = "400", description = "None of submission, patient, actor, from; outcome not success, failure or denied; from or to not RFC 3339 timestamps of the years 1 to 9999.")
    public Response events(@Parameter(description = "a submission id") @QueryParam("submission") String submission,
                           @Parameter(description = "an enterprise person id or source-system|local-id") @QueryParam("patient") String patient,
                           @Parameter(description = "who acted") @QueryParam("actor") String actor,
                           @Parameter(description = "an action, e.g. submission.received (repeatable)") @QueryParam("action") List<String> actions,
                           @Parameter(description = "success, failure or denied") @QueryParam("outcome") String outcome,
                           @Parameter(description = "RFC 3339, inclusive") @QueryParam("from") String from,
                           @Parameter(description = "RFC 3339") @QueryParam("to") String to,
                           @Parameter(description = "entries after this seq (paging)") @QueryParam("after") Long after,
                           @Parameter(description = "most entries returned") @QueryParam("limit") @DefaultValue("200") int limit,
                           @Parameter(hidden = true) @HeaderParam(HttpHeaders.ACCEPT) String accept) {
        boolean asFhir = accept != null && accept.contains(OperationOutcomes.FHIR_JSON);
        if (submission == null && patient == null && actor == null && from == null) {
            return problem("/audit/events", "give at least one of submission, patient, actor, from");
        }
        if (outcome != null && !Set.of(AuditActions.SUCCESS, AuditActions.FAILURE, AuditActions.DENIED)
                .contains(outcome)) {
            return problem("/audit/events", "parameter 'outcome' must be success, failure or denied");
        }
        Instant start;
        Instant end;
        try {
            start = from == null ? null : time(from);
            end = to == null ? null : time(to);
        } catch (DateTimeParseException e) {
            return problem("/audit/events", "from and to are RFC 3339 timestamps of the years 1 to 9999, e.g."
                    + " 2026-11-26T00:00:00Z");
        }
        Set<String> ids = patient == null ? null : queries.patientIds(patient);
        List<AuditQueries.Entry> entries = queries.find(new AuditQueries.Filter(submission, ids, actor,
                actions == null || actions.isEmpty() ? null : Set.copyOf(actions), outcome, start, end, after,
                Math.min(Math.max(1, limit), MAX_LIMIT)));
        // reading the log is itself accountable
        auditRead(submission, patient, ids, "entries=" + entries.size() + (actor != null ? " actor-filter" : "")
                + (asFhir ? " as FHIR AuditEvent Bundle" : ""));
        if (asFhir) {
            return Response.ok(fhir.newJsonParser().encodeResourceToString(BalpExport.bundle(entries)),
                    OperationOutcomes.FHIR_JSON).build();
        }
        return Response.ok(entries.stream().map(AuditEntryView::of).toList(), MediaType.APPLICATION_JSON).build();
    }

    private static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    /** A time parameter: RFC 3339, within the years 1 to 9999 (what the database and a document can hold). */
    static Instant time(String value) {
        Instant t = Instant.parse(value);
        if (t.isBefore(EARLIEST) || t.isAfter(LATEST)) {
            throw new DateTimeParseException("out of range", value, 0);
        }
        return t;
    }

    /**
     * {@code GET /audit/disclosures?patient=}: every disclosure of the patient's records (reads of patient data by
     * anyone, successful) over a period, by any of their ids; {@code from} defaults to six years ago, {@code to} to
     * now. JSON, or {@code Accept: text/html} for a document to hand to the patient.
     */
    @GET
    @Path("/disclosures")
    @Produces({MediaType.APPLICATION_JSON, MediaType.TEXT_HTML})
    @Operation(operationId = "accountingOfDisclosures", summary = "The accounting of disclosures of a patient's records",
            description = "Every successful read of the patient's data, by any of their ids, over a period (from defaults to six years ago, to to now). JSON, or with Accept: text/html a document to hand to the patient. An audited read.")
    @APIResponse(responseCode = "200", description = "The accounting.", content = {
            @Content(mediaType = "application/json", schema = @Schema(implementation = Disclosures.Accounting.class)),
            @Content(mediaType = "text/html", schema = @Schema(type = SchemaType.STRING,
                    description = "the accounting as a document (escaped HTML)"))})
    @APIResponse(responseCode = "400", description = "No patient; from or to not RFC 3339 timestamps of the years 1 to 9999.")
    public Response disclosures(@Parameter(description = "an enterprise person id or source-system|local-id") @QueryParam("patient") String patient,
                                @Parameter(description = "RFC 3339; default six years before to") @QueryParam("from") String from,
                                @Parameter(description = "RFC 3339; default now") @QueryParam("to") String to,
                                @Parameter(hidden = true) @HeaderParam(HttpHeaders.ACCEPT) String accept) {
        if (patient == null || patient.isBlank()) {
            return problem("/audit/disclosures", "parameter 'patient' is required: an enterprise person id or"
                    + " source-system|local-id");
        }
        Instant end;
        Instant start;
        try {
            end = to == null ? Instant.now() : time(to);
            start = from == null ? end.atOffset(ZoneOffset.UTC).minus(DISCLOSURE_PERIOD).toInstant()
                    : time(from);
        } catch (DateTimeParseException e) {
            return problem("/audit/disclosures", "from and to are RFC 3339 timestamps of the years 1 to 9999, e.g."
                    + " 2026-11-26T00:00:00Z");
        }
        Set<String> ids = queries.patientIds(patient);
        Disclosures.Accounting accounting = Disclosures.of(patient, ids, start, end,
                queries.find(new AuditQueries.Filter(null, ids, null, AuditQueries.DISCLOSURES, AuditActions.SUCCESS,
                        start, end, null, Disclosures.MAX)));
        boolean html = accept != null && accept.contains(MediaType.TEXT_HTML)
                && !accept.contains(MediaType.APPLICATION_JSON);
        auditRead(null, patient, ids, "accounting of disclosures=" + accounting.disclosures().size()
                + (html ? " as document" : ""));
        return html ? Response.ok(document.data("doc", Disclosures.document(accounting)).render(),
                MediaType.TEXT_HTML + ";charset=UTF-8").build()
                : Response.ok(accounting, MediaType.APPLICATION_JSON).build();
    }

    private void auditRead(String submission, String patient, Set<String> ids, String detail) {
        AuditEvent.Context context = request.context().about(null, null,
                patient == null ? null : ids.stream().filter(i -> i.contains("|")).toList(), null);
        log.append(new AuditEvent(UUID.randomUUID().toString(), Instant.now(), "audit-service",
                AuditActions.AUDIT_READ, AuditActions.SUCCESS, Principals.actor(identity), submission, patient,
                request.purpose(), detail, context));
    }

    private static Response problem(String path, String detail) {
        return Response.status(400).type(ProblemDetail.MEDIA_TYPE)
                .entity(ProblemDetail.of(400, "Bad Request", detail, path)).build();
    }
}
