package org.recordline.ingestion.domain.hl7v2;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Map;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.recordline.commons.audit.AccessDenialAuditor;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.ingestion.config.IngestionConfig;
import org.recordline.ingestion.domain.IntakeService;
import org.recordline.ingestion.domain.ParsedSubmission;

/**
 * Takes an HL7 v2 message, over HTTP or MLLP: parses it (HAPI HL7 v2), maps it to FHIR R4 ({@link Hl7v2ToFhir}),
 * records it as a submission like any other (group commit, outbox) and answers with its acknowledgement: {@code AA}
 * only once the broker acknowledged the submission's events. A resend of a message (the same control id, MSH-10,
 * from the same sending application and facility, unless the caller gives an idempotency key) returns the original
 * submission and records nothing new.
 */
@ApplicationScoped
public class Hl7v2Intake {

    private static final Logger LOG = Logger.getLogger(Hl7v2Intake.class);
    private static final int MAX_KEY = 200;

    private final Hl7v2Codec codec;
    private final Hl7v2ToFhir mapper = new Hl7v2ToFhir();
    private final IntakeService intake;
    private final FhirContext fhir;
    private final AccessDenialAuditor denials;

    public Hl7v2Intake(IngestionConfig config, IntakeService intake, FhirContext fhir, AccessDenialAuditor denials) {
        this.denials = denials;
        this.codec = new Hl7v2Codec(config.hl7v2().maxBytes(), config.hl7v2().maxSegments());
        this.intake = intake;
        this.fhir = fhir;
    }

    /**
     * The answer to a message.
     *
     * @param code         the acknowledgement code
     * @param ack          the acknowledgement message (ER7, segments ended by CR)
     * @param status       the HTTP status that carries it over HTTP
     * @param submissionId the submission recorded (or found again), null when refused
     * @param replay       true when the message was a resend of one recorded before
     */
    public record Reply(AcknowledgmentCode code, String ack, int status, String submissionId, boolean replay) {
    }

    /**
     * Receives {@code body} from {@code sourceSystem}.
     *
     * @param idempotencyKey the caller's key, or null to key the message by its sender and control id
     * @param request        the audit context (null for none)
     */
    public Reply receive(byte[] body, String sourceSystem, String idempotencyKey, AuditTrail.RequestContext request) {
        return receive(body, sourceSystem, m -> sourceSystem, idempotencyKey, request);
    }

    /**
     * Receives {@code body} over MLLP from {@code peer}: its source system is the one {@code senders} registers for
     * its sending facility (MSH-4); a message from a facility not registered is refused ({@code AR}) and audited as
     * {@code access.denied}, its repeats counted.
     */
    public Reply receiveMllp(byte[] body, Map<String, String> senders, String peer,
                             AuditTrail.RequestContext request) {
        return receive(body, "mllp:" + peer, m -> m.sendingFacility() == null ? null
                : senders.get(m.sendingFacility()), null, request);
    }

    private Reply receive(byte[] body, String caller, Function<Hl7v2Codec.Parsed, String> sourceOf,
                          String idempotencyKey, AuditTrail.RequestContext request) {
        Hl7v2Codec.Parsed parsed;
        try {
            parsed = codec.parse(body);
        } catch (Hl7v2Refusal.Exception e) {
            return refused(caller, request, e.refusal(), codec.acknowledge(body, e.refusal()));
        }
        String sourceSystem = sourceOf.apply(parsed);
        if (sourceSystem == null) {
            denials.refused(caller, "sending facility not registered", "MLLP " + parsed.type() + "^"
                    + parsed.trigger());
            Hl7v2Refusal refusal = Hl7v2Refusal.reject(ErrorCode.APPLICATION_INTERNAL_ERROR,
                    "sending facility (MSH-4) is not registered with this receiver");
            return new Reply(refusal.code(), codec.acknowledge(parsed, refusal), 403, null, false);
        }
        Hl7v2ToFhir.Mapped mapped;
        try {
            mapped = mapper.map(parsed);
        } catch (Hl7v2Refusal.Exception e) {
            return refused(sourceSystem, request, e.refusal(), codec.acknowledge(parsed, e.refusal()));
        }
        String json = fhir.newJsonParser().encodeResourceToString(mapped.bundle());
        ParsedSubmission submission = new ParsedSubmission("Bundle", mapped.bundle().getEntry().size(),
                mapped.patientLocalId(), json);
        byte[] hash = IntakeService.sha256(body);
        String key = idempotencyKey != null ? idempotencyKey : keyOf(parsed, hash);
        IntakeService.Intake result;
        try {
            result = intake.accept(submission, sourceSystem, key, hash, request);
        } catch (RuntimeException e) {
            // the database cannot be reached (or the service is stopping): nothing was recorded, send it again
            LOG.warnf("HL7 v2 message could not be recorded: %s", e.getClass().getSimpleName());
            Hl7v2Refusal later = Hl7v2Refusal.unavailable("the message could not be recorded now; send it again");
            return new Reply(later.code(), codec.acknowledge(parsed, later), later.status(), null, false);
        }
        String id = result.submission().id;
        if (result.conflict()) {
            Hl7v2Refusal duplicate = new Hl7v2Refusal(AcknowledgmentCode.AR, ErrorCode.DUPLICATE_KEY_IDENTIFIER,
                    "this control id (MSH-10) from this sender was used before for a different message", "MSH", 10,
                    409);
            return refused(sourceSystem, request, duplicate, codec.acknowledge(parsed, duplicate));
        }
        if (!result.acknowledged()) {
            LOG.warnf("HL7 v2 submission %s recorded but not yet acknowledged by the broker", id);
            Hl7v2Refusal later = Hl7v2Refusal.unavailable("submission " + id + " is recorded and will be published;"
                    + " the broker has not acknowledged it yet. Send the message again to confirm");
            return new Reply(later.code(), codec.acknowledge(parsed, later), later.status(), id, result.replay());
        }
        LOG.debugf("HL7 v2 %s^%s accepted as submission %s", parsed.type(), parsed.trigger(), id);
        return new Reply(AcknowledgmentCode.AA, codec.acknowledge(parsed, null), 200, id, result.replay());
    }

    /**
     * A message made ready for the intake, for a path that records many at once (the inbound topic): its submission
     * and idempotency key, or the refusal with its acknowledgement.
     *
     * @param submission the mapped submission, null when refused
     * @param key        the message's own idempotency key (sender and control id, else a content hash)
     * @param refusal    why it cannot be taken, null when it can
     * @param ack        the acknowledgement for a refusal ({@code AR}/{@code AE}); for a message taken, the {@code AA}
     * @param sha256     the SHA-256 of the message, when taken
     */
    public record Prepared(ParsedSubmission submission, String key, Hl7v2Refusal refusal, String ack,
                           byte[] sha256) {
    }

    /** Parses and maps {@code body}; never records anything (see {@link Prepared}). */
    public Prepared prepare(byte[] body) {
        Hl7v2Codec.Parsed parsed;
        try {
            parsed = codec.parse(body);
        } catch (Hl7v2Refusal.Exception e) {
            return new Prepared(null, null, e.refusal(), codec.acknowledge(body, e.refusal()), null);
        }
        Hl7v2ToFhir.Mapped mapped;
        try {
            mapped = mapper.map(parsed);
        } catch (Hl7v2Refusal.Exception e) {
            return new Prepared(null, null, e.refusal(), codec.acknowledge(parsed, e.refusal()), null);
        }
        String json = fhir.newJsonParser().encodeResourceToString(mapped.bundle());
        byte[] hash = IntakeService.sha256(body);
        return new Prepared(new ParsedSubmission("Bundle", mapped.bundle().getEntry().size(),
                mapped.patientLocalId(), json), keyOf(parsed, hash), null, codec.acknowledge(parsed, null), hash);
    }

    /**
     * The answer to an MLLP frame that could not be read ({@code AR} without a control id): over the size limit, or
     * broken framing. It names no sender, so it is audited as a refused request of its address, and repeats from one
     * address within the window are one event with their count ({@link AccessDenialAuditor}): a peer sending garbage
     * on new connections cannot grow the audit log without bound.
     */
    public Reply refuseFrame(boolean tooLarge, String reason, String peer) {
        Hl7v2Refusal refusal = tooLarge ? Hl7v2Refusal.tooLarge(reason)
                : Hl7v2Refusal.reject(ErrorCode.SEGMENT_SEQUENCE_ERROR, reason);
        denials.refused("mllp:" + peer, tooLarge ? "MLLP frame over the size limit" : "MLLP framing broken",
                "MLLP frame");
        return new Reply(refusal.code(), codec.acknowledge(new byte[0], refusal), refusal.status(), null, false);
    }

    /**
     * A connection refused before any frame could be read (its TLS handshake failed): audited as a refused request
     * of its address, repeats within the window folded into one event.
     */
    public void refuseConnection(String peer, String reason) {
        denials.refused("mllp:" + peer, reason, "MLLP connection");
    }

    private Reply refused(String sourceSystem, AuditTrail.RequestContext request, Hl7v2Refusal refusal, String ack) {
        LOG.debugf("HL7 v2 message refused: %s %s", refusal.code(), refusal.error().getCode());
        intake.rejected(sourceSystem, "hl7v2 " + refusal.code() + " " + refusal.error().getCode(), request);
        return new Reply(refusal.code(), ack, refusal.status(), null, false);
    }

    /**
     * A message's own idempotency key: its sending application and facility with its control id (MSH-10), or, for
     * a message without a control id, a hash of its content.
     */
    static String keyOf(Hl7v2Codec.Parsed message, byte[] contentSha256) {
        String key = message.controlId() == null || message.controlId().isBlank()
                ? "hl7v2-sha256:" + HexFormat.of().formatHex(contentSha256)
                : "hl7v2:" + message.sendingApplication() + "^" + message.sendingFacility() + "|" + message.controlId();
        return key.length() <= MAX_KEY ? key : "hl7v2-sha256:"
                + HexFormat.of().formatHex(IntakeService.sha256(key.getBytes(StandardCharsets.UTF_8)));
    }
}
