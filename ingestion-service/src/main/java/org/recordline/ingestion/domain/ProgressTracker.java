package org.recordline.ingestion.domain;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.commons.persistence.ProcessedEvents;
import org.recordline.events.InvalidEventException;
import org.recordline.ingestion.persistence.Submission;

/**
 * Applies downstream events to the submissions they concern, a poll at a time. Events of different topics can
 * arrive in any order, so every event adds its step, but the status only ever moves forward.
 */
@ApplicationScoped
public class ProgressTracker {

    private static final String CONSUMER = "ingestion-progress";
    /** Locks the batch's submissions in one global order: the three progress channels never deadlock. */
    private static final String LOCK = "SELECT id, status, enterprise_person_id, issues, held_back FROM submission "
            + "WHERE id = ANY (?) ORDER BY id FOR UPDATE";
    private static final String STEP = "INSERT INTO submission_step (submission_id, status, occurred_at, detail) "
            + "VALUES (?, ?, ?, ?)";
    private static final String UPDATE = "UPDATE submission SET status = ?, enterprise_person_id = ?, "
            + "issues = ?, held_back = ?, updated_at = ? WHERE id = ?";

    private final ProcessedEvents processed;
    private final AgroalDataSource dataSource;

    public ProgressTracker(ProcessedEvents processed, AgroalDataSource dataSource) {
        this.processed = processed;
        this.dataSource = dataSource;
    }

    /**
     * A downstream event about a submission.
     *
     * @param eventId            the event's CloudEvents id (the idempotency key)
     * @param submissionId       the submission it concerns
     * @param status             the state it reports
     * @param at                 when
     * @param enterprisePersonId the person the submission was filed under, or null
     * @param issuesJson         the quarantine issues as a JSON array, or null
     * @param detail             the step's description
     * @param heldBack           for a batch, the entries validation held back (positions, comma-separated), or null
     */
    public record Progress(String eventId, String submissionId, SubmissionStatus status, Instant at,
                           String enterprisePersonId, String issuesJson, String detail, String heldBack) {

        /** A step without held-back entries. */
        public Progress(String eventId, String submissionId, SubmissionStatus status, Instant at,
                        String enterprisePersonId, String issuesJson, String detail) {
            this(eventId, submissionId, status, at, enterprisePersonId, issuesJson, detail, null);
        }

        /** Refuses an event that names no submission, or one longer than any submission id. */
        public Progress {
            if (submissionId == null || submissionId.isBlank()) {
                throw new InvalidEventException("event without a submissionId");
            }
            if (submissionId.length() > Submission.MAX_ID_LENGTH) {
                throw new InvalidEventException("event names submission " + abbreviated(submissionId)
                        + ", which this service never received");
            }
        }
    }

    /** The state of a submission while a batch is applied. */
    private static final class State {
        SubmissionStatus status;
        String personId;
        String issues;
        String heldBack;
        boolean changed;
    }

    /** Records that a submission reached {@code status}; false if the event was applied before. */
    @Transactional
    public boolean apply(String eventId, String submissionId, SubmissionStatus status, Instant at,
                         String enterprisePersonId, String issuesJson, String detail) {
        return applyAll(List.of(new Progress(eventId, submissionId, status, at, enterprisePersonId, issuesJson,
                detail))).getOrDefault("applied", 0) == 1;
    }

    /**
     * Applies a poll's worth of events in the caller's transaction: one statement locks their submissions, one claims
     * the event ids, one batch adds the steps and one the changed submissions.
     *
     * <p>An event about a submission this service does not know is refused (and dead-lettered with the reason),
     * never skipped: it cannot be a race, because a submission's row commits before its first event is published
     * (outbox), and every downstream event follows that one. The refusal rolls back the idempotency record, so a
     * repaired event can be replayed.
     *
     * @return how many events were applied and skipped as duplicates
     * @throws InvalidEventException if an event names a submission that does not exist
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Map<String, Integer> applyAll(List<Progress> batch) {
        Set<String> ids = new TreeSet<>();
        batch.forEach(p -> ids.add(p.submissionId()));
        try (Connection c = dataSource.getConnection()) {
            Map<String, State> states = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement(LOCK)) {
                ps.setArray(1, c.createArrayOf("varchar", ids.toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        State s = new State();
                        s.status = SubmissionStatus.valueOf(rs.getString(2));
                        s.personId = rs.getString(3);
                        s.issues = rs.getString(4);
                        s.heldBack = rs.getString(5);
                        states.put(rs.getString(1), s);
                    }
                }
            }
            for (String id : ids) {
                if (!states.containsKey(id)) {
                    throw new InvalidEventException("event names submission " + abbreviated(id)
                            + ", which this service never received");
                }
            }
            Set<String> fresh = processed.firstDeliveries(CONSUMER, batch.stream().map(Progress::eventId).toList());
            int applied = 0;
            Timestamp now = Timestamp.from(Instant.now());
            try (PreparedStatement step = c.prepareStatement(STEP)) {
                for (Progress p : batch) {
                    if (!fresh.remove(p.eventId())) {
                        continue;
                    }
                    applied++;
                    step.setString(1, p.submissionId());
                    step.setString(2, p.status().name());
                    step.setTimestamp(3, Timestamp.from(p.at() == null ? Instant.now() : p.at()));
                    step.setString(4, p.detail());
                    step.addBatch();
                    State s = states.get(p.submissionId());
                    if (p.status().rank() > s.status.rank()) {
                        s.status = p.status();
                    }
                    if (p.enterprisePersonId() != null) {
                        s.personId = p.enterprisePersonId();
                    }
                    if (p.issuesJson() != null) {
                        s.issues = p.issuesJson();
                    }
                    if (p.heldBack() != null) {
                        s.heldBack = p.heldBack();
                    }
                    s.changed = true;
                }
                if (applied > 0) {
                    step.executeBatch();
                }
            }
            if (applied > 0) {
                try (PreparedStatement update = c.prepareStatement(UPDATE)) {
                    for (Map.Entry<String, State> e : states.entrySet()) {
                        State s = e.getValue();
                        if (!s.changed) {
                            continue;
                        }
                        update.setString(1, s.status.name());
                        update.setString(2, s.personId);
                        update.setString(3, s.issues);
                        update.setString(4, s.heldBack);
                        update.setTimestamp(5, now);
                        update.setString(6, e.getKey());
                        update.addBatch();
                    }
                    update.executeBatch();
                }
            }
            return Map.of("applied", applied, "duplicate", batch.size() - applied);
        } catch (SQLException e) {
            throw new DataAccessException("progress update failed", e);
        }
    }

    private static String abbreviated(String id) {
        return id.length() > 40 ? id.substring(0, 40) + "…" : id;
    }
}
