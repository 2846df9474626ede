package org.recordline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;

/**
 * What became of a record an upstream system published on {@link Topics#INBOUND}, on {@link
 * Topics#INBOUND_RESULTS}.
 *
 * @param inboundId       the inbound record's {@code ce_id}
 * @param inboundSource   its {@code ce_source}
 * @param status          as HTTP would answer: {@code 202} recorded (or {@code replay}), {@code 400} refused for its
 *                        content, {@code 403} a source not registered, {@code 409} an id used before for other content,
 *                        {@code 413} over a limit, {@code 415} a content type not taken
 * @param submissionId    the submission it became (or was before), when recorded
 * @param replay          whether it repeated a record taken before (nothing new was recorded)
 * @param diagnostics     why it was refused (names elements and limits, never values)
 * @param acknowledgement for HL7 v2, the acknowledgement message (ER7) HTTP or MLLP would have answered
 * @param resultAt        when it was decided
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record InboundResult(String inboundId, String inboundSource, int status, String submissionId, boolean replay,
                            String diagnostics, String acknowledgement, Instant resultAt) {
}
