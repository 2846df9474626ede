package org.recordline.ingestion.api;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.OperationOutcome.IssueSeverity;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.events.ValidationIssue;
import org.recordline.ingestion.domain.SubmissionQueries;
import org.recordline.ingestion.imports.ImportJobs;
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
 * {@code GET /fhir/_async/{id}}: the status endpoint of FHIR's asynchronous request pattern, named by the {@code
 * Content-Location} of a submission's or an import's {@code 202}.
 * <ul>
 *   <li>{@code 202} with {@code X-Progress} and {@code Retry-After} while the pipeline works on it;</li>
 *   <li>{@code 200} with the transaction-response (or batch-response) Bundle once it is filed: each entry {@code 201
 *       Created} with its location, each refused batch entry 400 with its OperationOutcome;</li>
 *   <li>{@code 422} with the OperationOutcome of the findings when it is quarantined (or was dismissed);</li>
 *   <li>{@code 404} for no such submission (or another source's: a publisher sees only its own).</li>
 * </ul>
 * Every call is audited as a read of the submission.
 */
@Path("/fhir/_async")
@Tag(name = "Bulk import")
public class AsyncStatusResource {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STAGES = List.of("RECEIVED", "VALIDATED", "INDEXED");

    private final SecurityIdentity identity;
    private final SubmissionQueries queries;
    private final FhirContext fhir;
    private final ImportJobs jobs;

    public AsyncStatusResource(SecurityIdentity identity, SubmissionQueries queries, FhirContext fhir,
                               ImportJobs jobs) {
        this.identity = identity;
        this.queries = queries;
        this.fhir = fhir;
        this.jobs = jobs;
    }

    @GET
    @Path("/{id}")
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
    @Produces(OperationOutcomes.FHIR_JSON)
    @Operation(operationId = "asyncStatus", summary = "The status of a submission or an import",
            description = "FHIR's asynchronous request pattern: the endpoint a 202 names in Content-Location. A "
                    + "publisher sees only its own submissions and imports. Every call is audited as a read.")
    @APIResponse(responseCode = "200", description = "Filed: the transaction-response (or batch-response) Bundle, each "
            + "entry 201 Created with its location (a refused batch entry 400 with its OperationOutcome); for an import "
            + "that is done, an OperationOutcome summing it up, the lines not taken as further issues.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT,
                    description = "a FHIR Bundle (transaction-response, batch-response) or an OperationOutcome")))
    @APIResponse(responseCode = "202", description = "Still being worked on.",
            headers = {
                    @Header(name = "X-Progress", description = "the stage reached, e.g. VALIDATED (step 2 of 3)",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Retry-After", description = "seconds until asking again",
                            schema = @Schema(type = SchemaType.INTEGER))},
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome")))
    @APIResponse(responseCode = "404", description = "No such submission or import (or another source's).")
    @APIResponse(responseCode = "422", description = "Quarantined: the OperationOutcome of the findings; or dismissed by a "
            + "records technician (business-rule).")
    @APIResponse(responseCode = "500", description = "The import failed: an OperationOutcome (exception) with the "
            + "reason and the lines not taken; or an unexpected failure (an incident id).")
    public Response status(@Parameter(description = "a submission id or an import id") @PathParam("id") String id) {
        boolean ownOnly = !identity.hasRole(Roles.RECORDS_TECHNICIAN) && !identity.hasRole(Roles.ADMIN);
        var job = jobs.find(id);
        if (job.isPresent()) {
            if (ownOnly && !job.get().sourceSystem().equals(Principals.actor(identity))) {
                return notFound();
            }
            return importStatus(job.get());
        }
        var found = queries.read(id, Principals.actor(identity), ownOnly);
        if (found.isEmpty()) {
            return notFound();
        }
        SubmissionView v = found.get();
        switch (v.status()) {
            case "INDEXED":
                return Response.ok(AsyncAnswers.responseBundle(fhir, v.requestType(),
                        AsyncAnswers.withHeldBack(v.entries(), v.heldBack()), "201 Created", v.updatedAt()))
                        .type(OperationOutcomes.FHIR_JSON).build();
            case "QUARANTINED":
                return Response.status(422).type(OperationOutcomes.FHIR_JSON).entity(quarantined(v)).build();
            case "DISMISSED":
                return Response.status(422).type(OperationOutcomes.FHIR_JSON).entity(OperationOutcomes.error(fhir,
                        IssueType.BUSINESSRULE, "submission " + v.submissionId()
                                + " was held back and dismissed by a records technician; it was not filed")).build();
            default:
                int stage = STAGES.indexOf(v.status()) + 1;
                return Response.accepted(AsyncAnswers.information(fhir, "submission " + v.submissionId() + " is "
                                + v.status() + "; the answer is ready once it is filed or held back"))
                        .type(OperationOutcomes.FHIR_JSON)
                        .header("X-Progress", v.status() + " (step " + stage + " of " + STAGES.size() + ")")
                        .header("Retry-After", "1").build();
        }
    }

    private Response notFound() {
        return Response.status(404).type(OperationOutcomes.FHIR_JSON)
                .entity(OperationOutcomes.error(fhir, IssueType.NOTFOUND, "no such submission or import")).build();
    }

    /**
     * An import: 202 with progress while it runs; 200 once done, with an OperationOutcome whose first issue sums it up
     * and whose further issues are the lines not taken (file, line number, reason); 500 when it failed.
     */
    private Response importStatus(ImportJobs.JobView j) {
        switch (j.status()) {
            case DONE, FAILED -> {
                OperationOutcome oo = new OperationOutcome();
                oo.addIssue().setSeverity(j.status() == ImportJobs.Status.DONE ? IssueSeverity.INFORMATION
                                : IssueSeverity.ERROR)
                        .setCode(j.status() == ImportJobs.Status.DONE ? IssueType.INFORMATIONAL : IssueType.EXCEPTION)
                        .setDiagnostics("import " + j.id() + " " + j.status() + ": " + j.detail());
                for (String e : j.errors()) {
                    oo.addIssue().setSeverity(IssueSeverity.ERROR).setCode(IssueType.INVALID).setDiagnostics(e);
                }
                if (j.errorCount() > j.errors().size()) {
                    oo.addIssue().setSeverity(IssueSeverity.INFORMATION).setCode(IssueType.INFORMATIONAL)
                            .setDiagnostics((j.errorCount() - j.errors().size()) + " more line(s) not taken, not"
                                    + " listed");
                }
                return Response.status(j.status() == ImportJobs.Status.DONE ? 200 : 500)
                        .type(OperationOutcomes.FHIR_JSON).entity(fhir.newJsonParser().encodeResourceToString(oo))
                        .build();
            }
            default -> {
                return Response.accepted(AsyncAnswers.information(fhir, "import " + j.id() + " is " + j.status()))
                        .type(OperationOutcomes.FHIR_JSON)
                        .header("X-Progress", j.status() + ": " + j.linesRead() + " line(s) read, " + j.linesTaken()
                                + " taken, " + j.submissions() + " submission(s) recorded, " + j.errorCount()
                                + " not taken")
                        .header("Retry-After", "1").build();
            }
        }
    }

    private String quarantined(SubmissionView v) {
        List<ValidationIssue> issues = List.of();
        if (v.issues() != null) {
            try {
                issues = JSON.readValue(v.issues(), new TypeReference<List<ValidationIssue>>() { });
            } catch (Exception e) {
                issues = List.of();
            }
        }
        if (issues.isEmpty()) {
            return OperationOutcomes.error(fhir, IssueType.BUSINESSRULE, "submission " + v.submissionId()
                    + " is held back for a records technician");
        }
        return OperationOutcomes.of(fhir, issues);
    }
}
