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

/**
 * {@code POST /hl7v2}: takes one HL7 v2 message (ER7) and answers with its acknowledgement message: {@code 200} with
 * {@code AA} once the submission is on the broker, {@code 400} with {@code AR} or {@code AE} and an ERR segment for a
 * message it refuses, {@code 413} with {@code AR} above a limit, {@code 503} with {@code AR} and {@code Retry-After}
 * when the broker did not acknowledge in time (send the same message again).
 */
@Path("/hl7v2")
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
    public Response receive(byte[] body, @HeaderParam("Idempotency-Key") String idempotencyKey) {
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
