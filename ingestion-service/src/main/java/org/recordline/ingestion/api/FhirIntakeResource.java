package org.recordline.ingestion.api;

import ca.uhn.fhir.context.FhirContext;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import org.hl7.fhir.r4.model.OperationOutcome.IssueType;
import org.jboss.logging.Logger;
import org.recordline.commons.api.ErrorAnswers;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.ingestion.domain.BundleRequests;
import org.recordline.ingestion.domain.IntakeService;
import org.recordline.ingestion.domain.ParsedSubmission;
import org.recordline.ingestion.domain.RejectedSubmissionException;
import org.recordline.ingestion.domain.SubmissionParser;
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

/** {@code POST /fhir} and {@code POST /fhir/{type}}: take a FHIR R4 resource or Bundle (JSON or XML) from an upstream system. */
@Path("/fhir")
@Tag(name = "FHIR intake")
public class FhirIntakeResource {

    private static final Logger LOG = Logger.getLogger(FhirIntakeResource.class);
    private static final int MAX_IDEMPOTENCY_KEY = 200;

    private final SubmissionParser parser;
    private final IntakeService intake;
    private final FhirContext fhir;
    private final SecurityIdentity identity;

    public FhirIntakeResource(SubmissionParser parser, IntakeService intake, FhirContext fhir,
                              SecurityIdentity identity) {
        this.parser = parser;
        this.intake = intake;
        this.fhir = fhir;
        this.identity = identity;
    }

    /** FHIR XML. */
    public static final String FHIR_XML = "application/fhir+xml";
    private static final java.util.regex.Pattern RESOURCE_TYPE = java.util.regex.Pattern.compile("[A-Z][A-Za-z]{1,63}");

    /**
     * Accepts a submission: 202 with the submission id once the broker acknowledged it; 400/413 with an
     * OperationOutcome if it is not acceptable; 503 if the broker did not acknowledge in time (resend with the same
     * {@code Idempotency-Key}). The 202 names the status endpoint in {@code Content-Location}; a FHIR client ({@code
     * Prefer: respond-async}, or an {@code Accept} of FHIR media types) gets a FHIR body: the transaction-response or
     * batch-response Bundle with each entry's location ({@code 202 Accepted}) or refusal, else an OperationOutcome.
     */
    @POST
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.ADMIN})
    @Consumes({OperationOutcomes.FHIR_JSON, MediaType.APPLICATION_JSON})
    @Produces({MediaType.APPLICATION_JSON, OperationOutcomes.FHIR_JSON})
    @Operation(operationId = "submit", summary = "Submit a FHIR R4 resource or Bundle",
            description = "Answers 202 only once the submission's event is on the broker. Transaction and batch "
                    + "Bundles are resolved at intake (ids, references, conditional creates).")
    @RequestBody(required = true, description = "One FHIR R4 resource or Bundle (transaction, batch, collection, "
            + "...), as JSON or XML (no DOCTYPE, no entities).", content = {
            @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT),
                    examples = @ExampleObject(name = "patient", value = OpenApiExamples.PATIENT)),
            @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT)),
            @Content(mediaType = "application/fhir+xml", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "application/xml", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "text/xml", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "202", description = "Recorded and acknowledged by the broker (acks=all); a resend "
            + "(same Idempotency-Key and body, or the same body as the source record's latest) returns the earlier "
            + "submission with replay true. A FHIR client (Prefer: respond-async, or an Accept of FHIR media types) "
            + "gets the transaction-response or batch-response Bundle, or an informational OperationOutcome.",
            headers = {
                    @Header(name = "Location", description = "/submissions/{submissionId}",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Content-Location", description = "the status endpoint, /fhir/_async/{submissionId}",
                            schema = @Schema(type = SchemaType.STRING))},
            content = {
                    @Content(mediaType = "application/json", schema = @Schema(implementation = SubmissionReceipt.class),
                            examples = @ExampleObject(name = "receipt", value = OpenApiExamples.RECEIPT)),
                    @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT,
                            description = "a FHIR transaction-response or batch-response Bundle, or an OperationOutcome"),
                            examples = @ExampleObject(name = "accepted", value = OpenApiExamples.ACCEPTED_OUTCOME))})
    @APIResponse(responseCode = "400", description = "Not acceptable as FHIR R4: malformed JSON or XML (line and "
            + "column), duplicate keys, nesting, number or narrative limits, a DOCTYPE or entity, a NUL character, an "
            + "invalid id or fullUrl, HAPI's strict parser's findings, a faulty transaction entry, a body that is not the "
            + "path's type, an invalid Idempotency-Key. issue.expression names the place.",
            content = @Content(mediaType = "application/fhir+json",
                    schema = @Schema(ref = "OperationOutcome"),
                    examples = @ExampleObject(name = "invalid", value = OpenApiExamples.INVALID)))
    @APIResponse(responseCode = "409", description = "The Idempotency-Key was used before for a different body.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome"),
                    examples = @ExampleObject(name = "conflict", value = OpenApiExamples.CONFLICT)))
    @APIResponse(responseCode = "413", description = "Over max-submission-bytes (or the request limit), or more than "
            + "max-bundle-entries entries.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome"),
                    examples = @ExampleObject(name = "too-costly", value = OpenApiExamples.TOO_COSTLY)))
    @APIResponse(responseCode = "503", description = "Recorded, but the broker did not acknowledge within "
            + "publish-timeout (resend with the same Idempotency-Key to confirm); or the database cannot be reached.",
            headers = @Header(name = "Retry-After", description = "Seconds to wait before retrying",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome"),
                    examples = @ExampleObject(name = "not-acknowledged", value = OpenApiExamples.NOT_ACKNOWLEDGED)))
    public Response submit(byte[] body, @Parameter(description = "1 to 200 characters; names one submission of this source") @HeaderParam("Idempotency-Key") String idempotencyKey,
                           @Parameter(description = "respond-async: answer with a FHIR body") @HeaderParam("Prefer") String prefer, @Parameter(hidden = true) @HeaderParam("Accept") String accept,
                           @Context UriInfo uri) {
        return take(body, idempotencyKey, new Asked(prefer, accept, uri), () -> parser.parse(bytes(body), null));
    }

    /** As {@link #submit}, for FHIR XML (no DOCTYPE, no entities; passed on as FHIR JSON). */
    @POST
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.ADMIN})
    @Consumes({FHIR_XML, MediaType.APPLICATION_XML, MediaType.TEXT_XML})
    @Produces({MediaType.APPLICATION_JSON, OperationOutcomes.FHIR_JSON})
    public Response submitXml(byte[] body, @Parameter(description = "1 to 200 characters; names one submission of this source") @HeaderParam("Idempotency-Key") String idempotencyKey,
                              @Parameter(description = "respond-async: answer with a FHIR body") @HeaderParam("Prefer") String prefer, @Parameter(hidden = true) @HeaderParam("Accept") String accept,
                              @Context UriInfo uri) {
        return take(body, idempotencyKey, new Asked(prefer, accept, uri),
                () -> parser.parseXml(bytes(body), null));
    }

    /** {@code POST /fhir/{type}}: as {@link #submit}, and the body must be a {@code type}. */
    @POST
    @Path("{type: [^$%/][^/]*}") // not $import (ImportResource), however the client encodes the $
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.ADMIN})
    @Consumes({OperationOutcomes.FHIR_JSON, MediaType.APPLICATION_JSON})
    @Produces({MediaType.APPLICATION_JSON, OperationOutcomes.FHIR_JSON})
    @Operation(operationId = "submitType", summary = "Submit a FHIR R4 resource of the path's type",
            description = "As POST /fhir; the body must be a {type} (else 400, naming both).")
    @RequestBody(required = true, description = "One FHIR R4 resource or Bundle (transaction, batch, collection, "
            + "...), as JSON or XML (no DOCTYPE, no entities).", content = {
            @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT),
                    examples = @ExampleObject(name = "patient", value = OpenApiExamples.PATIENT)),
            @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT)),
            @Content(mediaType = "application/fhir+xml", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "application/xml", schema = @Schema(type = SchemaType.STRING)),
            @Content(mediaType = "text/xml", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "202", description = "Recorded and acknowledged by the broker (acks=all); a resend "
            + "(same Idempotency-Key and body, or the same body as the source record's latest) returns the earlier "
            + "submission with replay true. A FHIR client (Prefer: respond-async, or an Accept of FHIR media types) "
            + "gets the transaction-response or batch-response Bundle, or an informational OperationOutcome.",
            headers = {
                    @Header(name = "Location", description = "/submissions/{submissionId}",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = "Content-Location", description = "the status endpoint, /fhir/_async/{submissionId}",
                            schema = @Schema(type = SchemaType.STRING))},
            content = {
                    @Content(mediaType = "application/json", schema = @Schema(implementation = SubmissionReceipt.class),
                            examples = @ExampleObject(name = "receipt", value = OpenApiExamples.RECEIPT)),
                    @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT,
                            description = "a FHIR transaction-response or batch-response Bundle, or an OperationOutcome"),
                            examples = @ExampleObject(name = "accepted", value = OpenApiExamples.ACCEPTED_OUTCOME))})
    @APIResponse(responseCode = "400", description = "Not acceptable as FHIR R4: malformed JSON or XML (line and "
            + "column), duplicate keys, nesting, number or narrative limits, a DOCTYPE or entity, a NUL character, an "
            + "invalid id or fullUrl, HAPI's strict parser's findings, a faulty transaction entry, a body that is not the "
            + "path's type, an invalid Idempotency-Key. issue.expression names the place.",
            content = @Content(mediaType = "application/fhir+json",
                    schema = @Schema(ref = "OperationOutcome"),
                    examples = @ExampleObject(name = "invalid", value = OpenApiExamples.INVALID)))
    @APIResponse(responseCode = "409", description = "The Idempotency-Key was used before for a different body.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome"),
                    examples = @ExampleObject(name = "conflict", value = OpenApiExamples.CONFLICT)))
    @APIResponse(responseCode = "413", description = "Over max-submission-bytes (or the request limit), or more than "
            + "max-bundle-entries entries.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome"),
                    examples = @ExampleObject(name = "too-costly", value = OpenApiExamples.TOO_COSTLY)))
    @APIResponse(responseCode = "503", description = "Recorded, but the broker did not acknowledge within "
            + "publish-timeout (resend with the same Idempotency-Key to confirm); or the database cannot be reached.",
            headers = @Header(name = "Retry-After", description = "Seconds to wait before retrying",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome"),
                    examples = @ExampleObject(name = "not-acknowledged", value = OpenApiExamples.NOT_ACKNOWLEDGED)))
    public Response submitType(@Parameter(description = "a FHIR R4 resource type, e.g. Patient", example = "Patient")
                               @PathParam("type") String type, byte[] body,
                               @Parameter(description = "1 to 200 characters; names one submission of this source") @HeaderParam("Idempotency-Key") String idempotencyKey,
                               @Parameter(description = "respond-async: answer with a FHIR body") @HeaderParam("Prefer") String prefer, @Parameter(hidden = true) @HeaderParam("Accept") String accept,
                               @Context UriInfo uri) {
        return take(body, idempotencyKey, new Asked(prefer, accept, uri),
                () -> parser.parse(bytes(body), resourceType(type)));
    }

    /** {@code POST /fhir/{type}} for FHIR XML. */
    @POST
    @Path("{type: [^$%/][^/]*}") // not $import (ImportResource), however the client encodes the $
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.ADMIN})
    @Consumes({FHIR_XML, MediaType.APPLICATION_XML, MediaType.TEXT_XML})
    @Produces({MediaType.APPLICATION_JSON, OperationOutcomes.FHIR_JSON})
    public Response submitTypeXml(@Parameter(description = "a FHIR R4 resource type, e.g. Patient", example = "Patient")
                                  @PathParam("type") String type, byte[] body,
                                  @Parameter(description = "1 to 200 characters; names one submission of this source") @HeaderParam("Idempotency-Key") String idempotencyKey,
                                  @Parameter(description = "respond-async: answer with a FHIR body") @HeaderParam("Prefer") String prefer, @Parameter(hidden = true) @HeaderParam("Accept") String accept,
                                  @Context UriInfo uri) {
        return take(body, idempotencyKey, new Asked(prefer, accept, uri),
                () -> parser.parseXml(bytes(body), resourceType(type)));
    }

    private static byte[] bytes(byte[] body) {
        return body == null ? new byte[0] : body;
    }

    /** The type a path names: a resource type's shape (HAPI then checks it is the body's). */
    private static String resourceType(String type) {
        if (type == null || !RESOURCE_TYPE.matcher(type).matches()) {
            throw new RejectedSubmissionException(400, IssueType.NOTSUPPORTED,
                    "the path does not name a FHIR resource type");
        }
        return type;
    }

    /** What the caller asked for in its headers, and where it called. */
    private record Asked(String prefer, String accept, UriInfo uri) {
    }

    private Response take(byte[] body, String idempotencyKey, Asked asked,
                          java.util.function.Supplier<ParsedSubmission> parse) {
        Response badKey = refuseKey(idempotencyKey, fhir);
        if (badKey != null) {
            return badKey;
        }
        ParsedSubmission parsed;
        try {
            parsed = parse.get();
        } catch (RejectedSubmissionException e) {
            LOG.debugf("submission rejected: %d", e.status());
            // a refused document is accountable too: who sent what kind of bad input, never the input itself
            intake.rejected(Principals.actor(identity), e.status() + " " + e.issueType().toCode());
            return outcome(e.status(), e.issueType(), e.diagnostics(), e.expression());
        }
        IntakeService.Intake result = intake.accept(parsed, Principals.actor(identity), idempotencyKey,
                IntakeService.sha256(bytes(body)));
        var s = result.submission();
        if (result.conflict()) {
            intake.rejected(Principals.actor(identity), "409 conflict");
            return outcome(409, IssueType.CONFLICT, "this Idempotency-Key was used before for a different submission ("
                    + s.id + "); a resend must repeat the same body, new content needs a new key", null);
        }
        if (!result.acknowledged()) {
            LOG.warnf("submission %s recorded but not yet acknowledged by the broker", s.id);
            return Response.fromResponse(outcome(503, IssueType.TRANSIENT, "submission " + s.id
                    + " is recorded and will be published; the broker has not acknowledged it yet. Resend "
                    + "with the same Idempotency-Key to confirm", null))
                    .header("Retry-After", ErrorAnswers.RETRY_AFTER_SECONDS).build();
        }
        LOG.debugf("submission %s accepted (%s, %d resources)", s.id, s.resourceType, s.entryCount);
        URI status = asked.uri().getBaseUriBuilder().path(AsyncAnswers.STATUS_PATH + s.id).build();
        Response.ResponseBuilder accepted = Response.accepted().location(URI.create("/submissions/" + s.id))
                .header("Content-Location", status);
        if (AsyncAnswers.fhirClient(asked.prefer(), asked.accept())) {
            // FHIR's asynchronous request pattern: the entries' locations now, their outcome at Content-Location
            String answer = s.entryOutcomes != null
                    ? AsyncAnswers.responseBundle(fhir, BundleRequests.bundleType(s.entryOutcomes),
                            BundleRequests.decode(s.entryOutcomes), "202 Accepted", s.receivedAt)
                    : AsyncAnswers.information(fhir, "accepted as submission " + s.id
                            + (result.replay() ? " (a resend of it)" : "") + "; its outcome: GET " + status);
            return accepted.entity(answer).type(OperationOutcomes.FHIR_JSON).build();
        }
        return accepted.entity(SubmissionReceipt.of(s, result.replay())).type(MediaType.APPLICATION_JSON).build();
    }

    /** The 400 for an {@code Idempotency-Key} that is not 1 to 200 characters; null for a good one or none. */
    static Response refuseKey(String idempotencyKey, FhirContext fhir) {
        if (idempotencyKey != null && (idempotencyKey.isBlank() || idempotencyKey.length() > MAX_IDEMPOTENCY_KEY)) {
            return Response.status(400).type(OperationOutcomes.FHIR_JSON).entity(OperationOutcomes.error(fhir,
                    IssueType.INVALID, "Idempotency-Key must be 1 to 200 characters", null)).build();
        }
        return null;
    }

    private Response outcome(int status, IssueType type, String message, String expression) {
        return Response.status(status).type(OperationOutcomes.FHIR_JSON)
                .entity(OperationOutcomes.error(fhir, type, message, expression)).build();
    }
}
