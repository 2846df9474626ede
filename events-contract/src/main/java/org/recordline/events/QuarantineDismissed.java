package org.recordline.events;

import java.time.Instant;

/**
 * A records technician dismissed a quarantined submission: it will not be filed (the sender's duplicate, a test
 * record, ...). Topic {@link Topics#QUARANTINED}, type {@link EventTypes#QUARANTINE_DISMISSED}, key
 * {@link #sourceRecordKey()}: the same key as the submission's {@link RecordQuarantined}, so it follows that event on
 * its partition. A new event type on the topic, added in place: a consumer of the topic dispatches on the CloudEvents
 * {@code type}.
 *
 * @param submissionId    the submission dismissed
 * @param sourceSystem    the upstream system that published it
 * @param sourceRecordKey {@code source-system|local-id}, as in the quarantine event
 * @param dismissedAt     when
 * @param reason          the technician's reason, for the sender (never more than 500 characters)
 */
public record QuarantineDismissed(String submissionId, String sourceSystem, String sourceRecordKey,
                                  Instant dismissedAt, String reason) {
}
