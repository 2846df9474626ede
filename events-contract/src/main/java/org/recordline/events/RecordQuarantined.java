package org.recordline.events;

import java.time.Instant;
import java.util.List;

/**
 * A submission held back by the validation-service for a records technician. Topic {@link Topics#QUARANTINED},
 * key {@link #sourceRecordKey()}. It carries the reasons, not the record: the record stays in the validation-service's
 * quarantine, where reading it is an audited act.
 *
 * @param submissionId    the submission this is about
 * @param sourceSystem    the upstream system that published it
 * @param sourceRecordKey {@code source-system|local-id} of the patient, as far as it could be determined
 * @param quarantinedAt   when the record entered the quarantine
 * @param issues          every finding; at least one has severity error or fatal
 */
public record RecordQuarantined(String submissionId, String sourceSystem, String sourceRecordKey,
                                Instant quarantinedAt, List<ValidationIssue> issues) {
}
