package org.recordline.ingestion.api;

import ca.uhn.fhir.context.FhirContext;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.ingestion.config.IngestionConfig;
import org.recordline.ingestion.domain.IntakeService;
import org.recordline.ingestion.domain.RejectedSubmissionException;
import org.recordline.ingestion.imports.ImportJobs;
import org.recordline.ingestion.imports.ImportManifests;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code POST /fhir/$import}: bulk NDJSON, one resource a line, as the request body ({@code application/fhir+ndjson})
 * or as files under the import directory named by a manifest ({@code application/fhir+json}). Answered {@code 202}
 * with the job's status endpoint in {@code Content-Location} ({@code GET /fhir/_async/{id}}); a resend (same
 * {@code Idempotency-Key}, or the same body or manifest) names the same job.
 */
@Path("/fhir/{operation: [$]import|%24import}")
@Tag(name = "Bulk import")
public class ImportResource {

    /** NDJSON media types taken. */
    public static final String FHIR_NDJSON = "application/fhir+ndjson";

    private final ImportJobs jobs;
    private final IntakeService intake;
    private final IngestionConfig config;
    private final FhirContext fhir;
    private final SecurityIdentity identity;
    private final AuditTrail audit;

    public ImportResource(ImportJobs jobs, IntakeService intake, IngestionConfig config, FhirContext fhir,
                          SecurityIdentity identity, AuditTrail audit) {
        this.jobs = jobs;
        this.intake = intake;
        this.config = config;
        this.fhir = fhir;
        this.identity = identity;
        this.audit = audit;
    }

    /** NDJSON in the body: read and staged while the request lasts, filed afterwards. */
    @POST
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.ADMIN})
    @Consumes({FHIR_NDJSON, "application/ndjson", "application/x-ndjson"})
    @Produces(OperationOutcomes.FHIR_JSON)
    @Operation(operationId = "importNdjson", summary = "Bulk import: NDJSON in the body, or a manifest of files",
            description = "NDJSON (one FHIR resource a line) is read as a stream and filed afterwards, split by "
                    + "patient; a manifest (FHIR JSON) names files under the import directory. A resend (same "
                    + "Idempotency-Key, or the same body or manifest) names the same job.",
            extensions = @Extension(name = org.recordline.commons.api.openapi.SharedContractFilter.PATH, value = "/fhir/$import"))
    @RequestBody(required = true, content = {
            @Content(mediaType = FHIR_NDJSON, schema = @Schema(type = SchemaType.STRING),
                    examples = @ExampleObject(name = "ndjson", value = OpenApiExamples.NDJSON)),
            @Content(mediaType = "application/ndjson", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "application/x-ndjson", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT,
                    description = "a manifest (Parameters) naming NDJSON files under the import directory")),
            @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT))})
    @APIResponse(responseCode = "202", description = "The import job is under way (or was sent before: the same job).",
            headers = {
                    @Header(name = "Content-Location", description = "the job's status endpoint, /fhir/_async/{id}",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Recordline-Replay", description = "true when this names a job sent before",
                            schema = @Schema(type = SchemaType.BOOLEAN))},
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome"),
                    examples = @ExampleObject(name = "accepted", value = OpenApiExamples.IMPORT_ACCEPTED)))
    @APIResponse(responseCode = "400", description = "An invalid Idempotency-Key, or a manifest that is not usable "
            + "(malformed, a file outside the import directory).")
    @APIResponse(responseCode = "413", description = "A body over import.max-body-bytes (NDJSON) or the request "
            + "limit, or a manifest naming too many files.")
    @APIResponse(responseCode = "503", description = "The import directory is not readable, or the database cannot be "
            + "reached.")
    public Response body(InputStream body, @Parameter(description = "1 to 200 characters; names one import")
                         @HeaderParam("Idempotency-Key") String key, @Context UriInfo uri) {
        Response badKey = FhirIntakeResource.refuseKey(key, fhir);
        if (badKey != null) {
            return badKey;
        }
        return accepted(jobs.fromBody(body, Principals.actor(identity), key, audit.currentRequest()), uri);
    }

    /** A manifest of files under the import directory: read, staged and filed afterwards. */
    @POST
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.ADMIN})
    @Consumes({OperationOutcomes.FHIR_JSON, MediaType.APPLICATION_JSON})
    @Produces(OperationOutcomes.FHIR_JSON)
    public Response manifest(byte[] body, @HeaderParam("Idempotency-Key") String key, @Context UriInfo uri) {
        Response badKey = FhirIntakeResource.refuseKey(key, fhir);
        if (badKey != null) {
            return badKey;
        }
        String manifest = new String(body == null ? new byte[0] : body, StandardCharsets.UTF_8);
        String source = Principals.actor(identity);
        try {
            var files = ImportManifests.files(manifest, config.imports().directory().orElse(null));
            return accepted(jobs.fromManifest(files, manifest, source, key, audit.currentRequest()), uri);
        } catch (RejectedSubmissionException e) {
            intake.rejected(source, e.status() + " " + e.issueType().toCode() + " import manifest");
            return Response.status(e.status()).type(OperationOutcomes.FHIR_JSON)
                    .entity(OperationOutcomes.error(fhir, e.issueType(), e.diagnostics())).build();
        }
    }

    private Response accepted(ImportJobs.JobView job, UriInfo uri) {
        URI status = uri.getBaseUriBuilder().path(AsyncAnswers.STATUS_PATH + job.id()).build();
        return Response.accepted(AsyncAnswers.information(fhir, "import " + job.id()
                        + (job.replay() ? " (sent before)" : "") + " is " + job.status() + ": " + job.linesRead()
                        + " line(s) read, " + job.errorCount() + " not taken so far; its outcome: GET " + status))
                .type(OperationOutcomes.FHIR_JSON).header("Content-Location", status)
                .header("Recordline-Replay", job.replay()).build();
    }
}
