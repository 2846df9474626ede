package org.recordline.ingestion.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import org.recordline.commons.persistence.ProcessedEvents;
import org.recordline.events.InvalidEventException;
import org.recordline.ingestion.persistence.Submission;
import org.recordline.ingestion.persistence.SubmissionStep;

/**
 * Applies downstream events to the submissions they concern. Events of different topics can arrive in any order, so
 * every event adds its step, but the status only ever moves forward.
 */
@ApplicationScoped
public class ProgressTracker {

    private static final String CONSUMER = "ingestion-progress";

    private final ProcessedEvents processed;

    public ProgressTracker(ProcessedEvents processed) {
        this.processed = processed;
    }

    /**
     * Records that a submission reached {@code status}.
     *
     * <p>An event about a submission this service does not know is refused (and dead-lettered with the reason),
     * never skipped: it cannot be a race, because a submission's row commits before its first event is published
     * (outbox), and every downstream event follows that one. The refusal rolls back the idempotency record, so a
     * repaired event can be replayed.
     *
     * @return false if the event was applied before
     * @throws InvalidEventException if the event names no submission or one that does not exist
     */
    @Transactional
    public boolean apply(String eventId, String submissionId, SubmissionStatus status, Instant at,
                         String enterprisePersonId, String issuesJson, String detail) {
        if (submissionId == null || submissionId.isBlank()) {
            throw new InvalidEventException("event without a submissionId");
        }
        // two channels update one submission concurrently: lock the row so neither overwrites the other
        Submission s = submissionId.length() > Submission.MAX_ID_LENGTH ? null
                : Submission.findById(submissionId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (s == null) {
            throw new InvalidEventException("event names submission " + abbreviated(submissionId)
                    + ", which this service never received");
        }
        if (!processed.firstDelivery(CONSUMER, eventId)) {
            return false;
        }
        SubmissionStep.of(submissionId, status, at, detail).persist();
        if (status.rank() > s.status.rank()) {
            s.status = status;
        }
        if (enterprisePersonId != null) {
            s.enterprisePersonId = enterprisePersonId;
        }
        if (issuesJson != null) {
            s.issues = issuesJson;
        }
        s.updatedAt = Instant.now();
        return true;
    }

    private static String abbreviated(String id) {
        return id.length() > 40 ? id.substring(0, 40) + "…" : id;
    }
}
