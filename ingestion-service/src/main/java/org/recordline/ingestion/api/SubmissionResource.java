package org.recordline.ingestion.api;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.ingestion.domain.SubmissionQueries;

/** {@code GET /submissions/{id}}: where a submission stands. Publishers see only their own submissions. */
@Path("/submissions")
public class SubmissionResource {

    private final SecurityIdentity identity;
    private final SubmissionQueries queries;

    public SubmissionResource(SecurityIdentity identity, SubmissionQueries queries) {
        this.identity = identity;
        this.queries = queries;
    }

    /** The submission's status and history, from one snapshot; every read is audited, refused and missing ones too. */
    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
    @Produces(MediaType.APPLICATION_JSON)
    public Response get(@PathParam("id") String id) {
        boolean ownOnly = !identity.hasRole(Roles.RECORDS_TECHNICIAN) && !identity.hasRole(Roles.ADMIN);
        return queries.read(id, Principals.actor(identity), ownOnly)
                .map(v -> Response.ok(v).build())
                .orElseGet(() -> Response.status(404).type(ProblemDetail.MEDIA_TYPE)
                        .entity(ProblemDetail.of(404, "Not Found", "no such submission", "/submissions/" + id))
                        .build());
    }
}
