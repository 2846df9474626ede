package org.recordline.validation.api;

import io.quarkus.panache.common.Page;
import io.quarkus.panache.common.Sort;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.DefaultValue;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.validation.persistence.QuarantinedRecord;

/** The quarantine work queue: what is held back and why. Reading a record's content is audited. */
@Path("/quarantine")
public class QuarantineResource {

    private final SecurityIdentity identity;
    private final AuditTrail audit;

    public QuarantineResource(SecurityIdentity identity, AuditTrail audit) {
        this.identity = identity;
        this.audit = audit;
    }

    /**
     * A queue entry (no patient data: ids and reasons only).
     *
     * @param submissionId    the quarantined submission
     * @param sourceSystem    who submitted it
     * @param resourceType    type of the submitted root resource
     * @param status          OPEN, RESOLVED or DISMISSED
     * @param quarantinedAt   when it entered the queue
     * @param issues          the reasons, as JSON
     */
    public record QueueEntry(String submissionId, String sourceSystem, String resourceType, String status,
                             java.time.Instant quarantinedAt,
                             @com.fasterxml.jackson.annotation.JsonRawValue String issues) {
    }

    /** The open entries, oldest first. */
    @GET
    @RolesAllowed({Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
    @Produces(MediaType.APPLICATION_JSON)
    public List<QueueEntry> list(@QueryParam("page") @DefaultValue("0") int page,
                                 @QueryParam("size") @DefaultValue("50") int size) {
        List<QuarantinedRecord> rows = QuarantinedRecord.<QuarantinedRecord>find("status",
                        Sort.by("quarantinedAt"), QuarantinedRecord.Status.OPEN)
                .page(Page.of(Math.min(Math.max(0, page), 100_000), Math.min(Math.max(1, size), 500))).list();
        return rows.stream().map(r -> new QueueEntry(r.submissionId, r.sourceSystem, r.resourceType,
                r.status.name(), r.quarantinedAt, r.issues)).toList();
    }

    /** The quarantined record itself, as FHIR JSON: a read of patient data, audited. */
    @GET
    @Path("/{submissionId}/record")
    @Transactional
    @RolesAllowed({Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
    @Produces(OperationOutcomes.FHIR_JSON)
    public Response record(@PathParam("submissionId") String submissionId) {
        String actor = Principals.actor(identity);
        QuarantinedRecord r = submissionId.length() > 36 ? null : QuarantinedRecord.findById(submissionId);
        if (r == null) {
            audit.record(AuditActions.RECORD_READ, AuditActions.FAILURE, actor, null, null, "quarantine",
                    "not found");
            return Response.status(404).type(ProblemDetail.MEDIA_TYPE)
                    .entity(ProblemDetail.of(404, "Not Found", "no such quarantined record", null)).build();
        }
        audit.record(AuditActions.RECORD_READ, AuditActions.SUCCESS, actor, r.submissionId, r.sourceRecordKey,
                "quarantine", "quarantined record");
        return Response.ok(r.fhir, OperationOutcomes.FHIR_JSON).build();
    }
}
