package org.recordline.ingestion.api;

import ca.uhn.fhir.context.FhirContext;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import org.recordline.commons.api.ErrorAnswers;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.ingestion.domain.hl7v2.Hl7v2Intake;
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
 * {@code POST /hl7v2}: takes one HL7 v2 message (ER7) and answers with its acknowledgement message: {@code 200} with
 * {@code AA} once the submission is on the broker, {@code 400} with {@code AR} or {@code AE} and an ERR segment for a
 * message it refuses, {@code 413} with {@code AR} above a limit, {@code 503} with {@code AR} and {@code Retry-After}
 * when the broker did not acknowledge in time (send the same message again).
 */
@Path("/hl7v2")
@Tag(name = "HL7 v2")
public class Hl7v2Resource {

    /** The media type of HL7 v2's pipe-delimited encoding. */
    public static final String ER7 = "x-application/hl7-v2+er7";
    /** Whether an accepted message was a resend of one recorded before ({@code true}) or new. */
    public static final String REPLAY_HEADER = "Recordline-Replay";

    private final Hl7v2Intake intake;
    private final SecurityIdentity identity;
    private final AuditTrail audit;
    private final FhirContext fhir;

    public Hl7v2Resource(Hl7v2Intake intake, SecurityIdentity identity, AuditTrail audit,
                         FhirContext fhir) {
        this.intake = intake;
        this.identity = identity;
        this.audit = audit;
        this.fhir = fhir;
    }

    /** Receives a message; see the class. */
    @POST
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.ADMIN})
    @Consumes({ER7, "application/hl7-v2"})
    @Produces({ER7, "application/fhir+json"})
    @Operation(operationId = "receiveHl7v2", summary = "Submit an HL7 v2 ADT message (ER7)",
            description = "Mapped to a FHIR R4 collection Bundle and handled like any submission. The answer is the "
                    + "acknowledgement itself, in the sender's version, MSA-2 its control id: AA taken, AR not taken "
                    + "as it stands or not now, AE an error in the content.")
    @RequestBody(required = true, description = "One HL7 v2 message in ER7 (segments end with CR, LF or CRLF)",
            content = {
                    @Content(mediaType = ER7, schema = @Schema(type = SchemaType.STRING),
                            examples = @ExampleObject(name = "adt-a04", value = OpenApiExamples.ADT)),
                    @Content(mediaType = "application/hl7-v2", schema = @Schema(type = SchemaType.STRING))})
    @APIResponse(responseCode = "200", description = "AA: recorded and acknowledged by the broker, or a resend of a "
            + "message recorded before (the same submission, nothing new).",
            headers = {
                    @Header(name = "Location", description = "/submissions/{submissionId}",
                            schema = @Schema(type = SchemaType.STRING)),
                    @Header(name = REPLAY_HEADER, description = "true for a resend of a message recorded before",
                            schema = @Schema(type = SchemaType.BOOLEAN))},
            content = @Content(mediaType = ER7, schema = @Schema(type = SchemaType.STRING, description = "an HL7 v2 acknowledgement (ACK), ER7"),
                    examples = @ExampleObject(name = "AA", value = OpenApiExamples.ACK_AA)))
    @APIResponse(responseCode = "400", description = "AR with ERR 200/201/100: not ADT, no PID with an identifier, not "
            + "readable as HL7 v2; AE with ERR 102/101 naming segment and field (never the value). An invalid "
            + "Idempotency-Key is an OperationOutcome.", content = {
            @Content(mediaType = ER7, schema = @Schema(type = SchemaType.STRING, description = "an HL7 v2 acknowledgement (ACK), ER7"),
                    examples = @ExampleObject(name = "AE", value = OpenApiExamples.ACK_AE)),
            @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome"))})
    @APIResponse(responseCode = "409", description = "AR with ERR 205 (MSH^1^10): a control id used before by the same "
            + "sender for a different message.", content = @Content(mediaType = ER7, schema = @Schema(type = SchemaType.STRING, description = "an HL7 v2 acknowledgement (ACK), ER7")))
    @APIResponse(responseCode = "413", description = "AR with ERR 207: over hl7v2.max-bytes or hl7v2.max-segments; a "
            + "body over the request limit is an OperationOutcome (too-costly).", content = {
            @Content(mediaType = ER7, schema = @Schema(type = SchemaType.STRING, description = "an HL7 v2 acknowledgement (ACK), ER7")),
            @Content(mediaType = "application/fhir+json", schema = @Schema(ref = "OperationOutcome"))})
    @APIResponse(responseCode = "503", description = "AR with ERR 207: recorded but not acknowledged by the broker in "
            + "time, or the database cannot be reached (nothing recorded): send the same message again.",
            headers = @Header(name = "Retry-After", description = "Seconds to wait before retrying",
                    schema = @Schema(type = SchemaType.INTEGER)),
            content = @Content(mediaType = ER7, schema = @Schema(type = SchemaType.STRING, description = "an HL7 v2 acknowledgement (ACK), ER7")))
    public Response receive(byte[] body, @Parameter(description = "1 to 200 characters; else the message is keyed by "
            + "MSH-3, MSH-4 and MSH-10") @HeaderParam("Idempotency-Key") String idempotencyKey) {
        Response badKey = FhirIntakeResource.refuseKey(idempotencyKey, fhir);
        if (badKey != null) {
            return badKey;
        }
        Hl7v2Intake.Reply reply = intake.receive(body == null ? new byte[0] : body, Principals.actor(identity),
                idempotencyKey, audit.currentRequest());
        Response.ResponseBuilder answer = Response.status(reply.status()).type(ER7).entity(reply.ack());
        if (reply.submissionId() != null) {
            answer.location(URI.create("/submissions/" + reply.submissionId()));
            // HL7 v2 has no place for it: whether this was a resend of a message recorded before
            answer.header(REPLAY_HEADER, String.valueOf(reply.replay()));
        }
        if (reply.status() == 503) {
            answer.header("Retry-After", ErrorAnswers.RETRY_AFTER_SECONDS);
        }
        return answer.build();
    }
}
