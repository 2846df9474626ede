package org.recordline.ingestion.messaging;

import java.time.Instant;
import java.util.List;
import org.recordline.events.ValidationIssue;

/**
 * The fields of the downstream events that submission tracking needs. Decoding into these skips the embedded FHIR
 * (up to megabytes per event) instead of copying it.
 */
final class ProgressViews {

    private ProgressViews() {
    }

    /** What tracking reads of a {@code RecordValidated}. */
    record Validated(String submissionId, Instant validatedAt, List<ValidationIssue> warnings,
                     List<Integer> heldBack) {
    }

    /** What tracking reads of a {@code RecordChanged}. */
    record Changed(String submissionId, String enterprisePersonId, String changeType, Instant changedAt,
                   List<Object> resources) {
    }
}
