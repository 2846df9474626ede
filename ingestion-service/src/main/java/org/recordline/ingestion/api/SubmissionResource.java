package org.recordline.ingestion.api;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.transaction.Transactional;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.AuditActions;
import org.recordline.ingestion.persistence.Submission;
import org.recordline.ingestion.persistence.SubmissionStep;

/** {@code GET /submissions/{id}}: where a submission stands. Publishers see only their own submissions. */
@Path("/submissions")
public class SubmissionResource {

    private final SecurityIdentity identity;
    private final AuditTrail audit;

    public SubmissionResource(SecurityIdentity identity, AuditTrail audit) {
        this.identity = identity;
        this.audit = audit;
    }

    /** The submission's status and history; every read is audited, refused and missing ones included. */
    @GET
    @Path("/{id}")
    @Transactional
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
    @Produces(MediaType.APPLICATION_JSON)
    public Response get(@PathParam("id") String id) {
        String actor = Principals.actor(identity);
        Submission s = id.length() > 36 ? null : Submission.findById(id);
        boolean ownOnly = !identity.hasRole(Roles.RECORDS_TECHNICIAN) && !identity.hasRole(Roles.ADMIN);
        if (s == null || (ownOnly && !s.sourceSystem.equals(actor))) {
            // a publisher cannot tell another system's submission from a missing one; the audit log can
            audit.record(AuditActions.SUBMISSION_READ, s == null ? AuditActions.FAILURE : AuditActions.DENIED, actor,
                    s == null ? null : s.id, null, "status", s == null ? "not found" : "another source's submission");
            return Response.status(404).type(ProblemDetail.MEDIA_TYPE)
                    .entity(ProblemDetail.of(404, "Not Found", "no such submission", "/submissions/" + id)).build();
        }
        audit.record(AuditActions.SUBMISSION_READ, AuditActions.SUCCESS, actor, s.id,
                s.enterprisePersonId != null ? s.enterprisePersonId : s.sourceRecordKey, "status", null);
        var steps = SubmissionStep.history(s.id).stream()
                .map(st -> new SubmissionView.Step(st.status.name(), st.occurredAt, st.detail)).toList();
        return Response.ok(new SubmissionView(s.id, s.status.name(), s.sourceSystem, s.resourceType, s.entryCount,
                s.receivedAt, s.updatedAt, s.enterprisePersonId, s.issues, steps)).build();
    }
}
