package org.recordline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
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
 * @param entries         for a batch Bundle judged entry by entry, the positions (from 0, in the Bundle as submitted)
 *                        of the entries held; the others went on to {@link Topics#VALIDATED}. The findings' locations
 *                        refer to the quarantined part: its Patient entry first, then these entries in order. Empty
 *                        (absent on the wire) when the submission is held as a whole; added in place
 */
public record RecordQuarantined(String submissionId, String sourceSystem, String sourceRecordKey,
                                Instant quarantinedAt, List<ValidationIssue> issues,
                                @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> entries) {

    public RecordQuarantined {
        entries = entries == null ? List.of() : List.copyOf(entries);
    }

    /** A submission held as a whole. */
    public RecordQuarantined(String submissionId, String sourceSystem, String sourceRecordKey, Instant quarantinedAt,
                             List<ValidationIssue> issues) {
        this(submissionId, sourceSystem, sourceRecordKey, quarantinedAt, issues, List.of());
    }
}
