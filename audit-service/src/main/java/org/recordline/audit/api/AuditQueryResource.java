package org.recordline.audit.api;

import io.quarkus.panache.common.Parameters;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.recordline.audit.domain.AuditLog;
import org.recordline.audit.persistence.AuditEntry;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.events.AuditEvent;

/** {@code GET /audit/events}: query the audit log by submission, patient, actor and time. Auditors only; audited. */
@Path("/audit/events")
public class AuditQueryResource {

    private static final int MAX_LIMIT = 1000;

    private final SecurityIdentity identity;
    private final AuditLog log;

    public AuditQueryResource(SecurityIdentity identity, AuditLog log) {
        this.identity = identity;
        this.log = log;
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
     * @param entryHash    the entry's chain hash (hex)
     */
    public record AuditEntryView(long seq, String eventId, Instant occurredAt, Instant recordedAt, String service,
                                 String action, String outcome, String actor, String submissionId,
                                 String patientRef, String purpose, String detail, String entryHash) {

        static AuditEntryView of(AuditEntry e) {
            return new AuditEntryView(e.seq, e.eventId, e.occurredAt, e.recordedAt, e.service, e.action, e.outcome,
                    e.actor, e.submissionId, e.patientRef, e.purpose, e.detail, HexFormat.of().formatHex(e.entryHash));
        }
    }

    @GET
    @RolesAllowed({Roles.AUDITOR, Roles.ADMIN})
    @Produces(MediaType.APPLICATION_JSON)
    public Response query(@QueryParam("submission") String submission, @QueryParam("patient") String patient,
                          @QueryParam("actor") String actor, @QueryParam("from") String from,
                          @QueryParam("to") String to, @QueryParam("after") Long after,
                          @QueryParam("limit") @DefaultValue("200") int limit) {
        if (submission == null && patient == null && actor == null && from == null) {
            return problem("give at least one of submission, patient, actor, from");
        }
        List<String> where = new ArrayList<>();
        Parameters params = new Parameters();
        if (submission != null) {
            where.add("submissionId = :submission");
            params.and("submission", submission);
        }
        if (patient != null) {
            where.add("patientRef = :patient");
            params.and("patient", patient);
        }
        if (actor != null) {
            where.add("actor = :actor");
            params.and("actor", actor);
        }
        try {
            if (from != null) {
                where.add("occurredAt >= :from");
                params.and("from", Instant.parse(from));
            }
            if (to != null) {
                where.add("occurredAt < :to");
                params.and("to", Instant.parse(to));
            }
        } catch (DateTimeParseException e) {
            return problem("from and to are RFC 3339 timestamps, e.g. 2026-11-26T00:00:00Z");
        }
        if (after != null) {
            // paging: pass the last seq of the previous page
            where.add("seq > :after");
            params.and("after", after);
        }
        int max = Math.min(Math.max(1, limit), MAX_LIMIT);
        List<AuditEntryView> entries = AuditEntry.<AuditEntry>find(String.join(" and ", where) + " order by seq",
                params).page(0, max).list().stream().map(AuditEntryView::of).toList();
        // reading the log is itself accountable
        log.append(new AuditEvent(UUID.randomUUID().toString(), Instant.now(), "audit-service",
                AuditActions.AUDIT_READ, AuditActions.SUCCESS, Principals.actor(identity), submission, patient,
                "audit", "entries=" + entries.size() + (actor != null ? " actor-filter" : "")));
        return Response.ok(entries).build();
    }

    private static Response problem(String detail) {
        return Response.status(400).type(ProblemDetail.MEDIA_TYPE)
                .entity(ProblemDetail.of(400, "Bad Request", detail, "/audit/events")).build();
    }
}
