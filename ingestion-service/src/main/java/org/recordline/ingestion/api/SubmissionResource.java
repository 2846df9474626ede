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

/** {@code GET /submissions/{id}}: where a submission stands. Publishers see only their own submissions. */
@Path("/submissions")
@Tag(name = "Submissions")
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
    @Operation(operationId = "getSubmission", summary = "Where a submission stands",
            description = "Status (RECEIVED, VALIDATED, QUARANTINED, INDEXED, DISMISSED) and every step so far. A "
                    + "publisher sees only its own submissions. Every read is audited (submission.read).")
    @APIResponse(responseCode = "200", description = "The submission.", content = @Content(mediaType = "application/json",
            schema = @Schema(implementation = SubmissionView.class),
            examples = @ExampleObject(name = "indexed", value = OpenApiExamples.SUBMISSION)))
    @APIResponse(responseCode = "404", description = "No such submission (or another source's).")
    public Response get(@Parameter(description = "the submission id") @PathParam("id") String id) {
        boolean ownOnly = !identity.hasRole(Roles.RECORDS_TECHNICIAN) && !identity.hasRole(Roles.ADMIN);
        return queries.read(id, Principals.actor(identity), ownOnly)
                .map(v -> Response.ok(v).build())
                .orElseGet(() -> Response.status(404).type(ProblemDetail.MEDIA_TYPE)
                        .entity(ProblemDetail.of(404, "Not Found", "no such submission", "/submissions/" + id))
                        .build());
    }
}
