package org.recordline.ingestion.domain;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import org.jboss.logging.Logger;
import org.recordline.commons.persistence.ProcessedEvents;
import org.recordline.ingestion.persistence.Submission;
import org.recordline.ingestion.persistence.SubmissionStep;

/**
 * Applies downstream events to the submissions they concern. Events of different topics can arrive in any order, so
 * every event adds its step, but the status only ever moves forward.
 */
@ApplicationScoped
public class ProgressTracker {

    private static final Logger LOG = Logger.getLogger(ProgressTracker.class);
    private static final String CONSUMER = "ingestion-progress";

    private final ProcessedEvents processed;

    public ProgressTracker(ProcessedEvents processed) {
        this.processed = processed;
    }

    /**
     * Records that a submission reached {@code status}.
     *
     * @return false if the event was applied before or names an unknown submission
     */
    @Transactional
    public boolean apply(String eventId, String submissionId, SubmissionStatus status, Instant at,
                         String enterprisePersonId, String issuesJson, String detail) {
        if (!processed.firstDelivery(CONSUMER, eventId)) {
            return false;
        }
        // two channels update one submission concurrently: lock the row so neither overwrites the other
        Submission s = Submission.findById(submissionId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
        if (s == null) {
            LOG.warnf("event %s names unknown submission %s", eventId, submissionId);
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
}
