package org.recordline.ingestion.api;

import java.time.Instant;
import org.recordline.ingestion.persistence.Submission;

/**
 * The 202 answer to a submission.
 *
 * @param submissionId  id to follow the submission with ({@code GET /submissions/{id}})
 * @param status        status at the time of the answer
 * @param resourceType  type of the submitted root resource
 * @param entryCount    resources submitted
 * @param receivedAt    when it was recorded
 * @param replay        true when the Idempotency-Key named an earlier submission and nothing new was recorded
 */
public record SubmissionReceipt(String submissionId, String status, String resourceType, int entryCount,
                                Instant receivedAt, boolean replay) {

    static SubmissionReceipt of(Submission s, boolean replay) {
        return new SubmissionReceipt(s.id, s.status.name(), s.resourceType, s.entryCount, s.receivedAt, replay);
    }
}
