package org.recordline.ingestion.domain.hl7v2;

import ca.uhn.hl7v2.AcknowledgmentCode;
import ca.uhn.hl7v2.ErrorCode;

/**
 * Why an HL7 v2 message is not accepted, as its acknowledgement says it: {@code AR} for a message this receiver does
 * not take as it stands (unparseable, an unsupported type or event, too large, an unknown sender) or cannot take now
 * (the broker did not acknowledge), {@code AE} for an error in its content (no patient, an invalid date).
 *
 * @param code     the acknowledgement code
 * @param error    the HL7 error code (table 0357) for the ERR segment
 * @param reason   what is wrong, never the message's content
 * @param segment  the segment the error is in, or null
 * @param field    the field's position in it, or 0
 * @param status   the HTTP status that carries the acknowledgement over HTTP
 */
public record Hl7v2Refusal(AcknowledgmentCode code, ErrorCode error, String reason, String segment, int field,
                           int status) {

    /** A refusal of the message as it stands (400 over HTTP). */
    public static Hl7v2Refusal reject(ErrorCode error, String reason) {
        return new Hl7v2Refusal(AcknowledgmentCode.AR, error, reason, null, 0, 400);
    }

    /** A message over a size limit (413 over HTTP). */
    public static Hl7v2Refusal tooLarge(String reason) {
        return new Hl7v2Refusal(AcknowledgmentCode.AR, ErrorCode.APPLICATION_INTERNAL_ERROR, reason, null, 0, 413);
    }

    /** A message this service cannot take now and the sender should send again unchanged (503 over HTTP). */
    public static Hl7v2Refusal unavailable(String reason) {
        return new Hl7v2Refusal(AcknowledgmentCode.AR, ErrorCode.APPLICATION_INTERNAL_ERROR, reason, null, 0, 503);
    }

    /** An error in the message's content, at a field (400 over HTTP). */
    public static Hl7v2Refusal contentError(ErrorCode error, String reason, String segment, int field) {
        return new Hl7v2Refusal(AcknowledgmentCode.AE, error, reason, segment, field, 400);
    }

    /** The refusal as an exception, to leave the mapping. */
    public Exception asException() {
        return new Exception(this);
    }

    /** Carries a refusal out of the parsing and mapping. */
    public static final class Exception extends RuntimeException {
        private final transient Hl7v2Refusal refusal;

        Exception(Hl7v2Refusal refusal) {
            super(refusal.reason(), null, false, false);
            this.refusal = refusal;
        }

        /** The refusal. */
        public Hl7v2Refusal refusal() {
            return refusal;
        }
    }
}
