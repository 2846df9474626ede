package org.recordline.ingestion.persistence;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import org.recordline.commons.persistence.DataAccessException;

/** Inserts new submissions and their first step in two multi-row statements, in the caller's transaction. */
@ApplicationScoped
public class SubmissionWriter {

    private static final String SUBMISSION = "INSERT INTO submission (id, source_system, idempotency_key,"
            + " resource_type, entry_count, source_record_key, status, received_at, updated_at, content_sha256,"
            + " entry_outcomes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String STEP = "INSERT INTO submission_step (submission_id, status, occurred_at, detail)"
            + " VALUES (?, ?, ?, ?)";

    private final AgroalDataSource dataSource;

    public SubmissionWriter(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Inserts {@code submissions} (not persisted through Hibernate) and a RECEIVED step for each. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void insert(List<Submission> submissions, Instant at) {
        if (submissions.isEmpty()) {
            return;
        }
        Timestamp ts = Timestamp.from(at);
        try (Connection c = dataSource.getConnection();
             PreparedStatement sub = c.prepareStatement(SUBMISSION);
             PreparedStatement step = c.prepareStatement(STEP)) {
            for (Submission s : submissions) {
                sub.setString(1, s.id);
                sub.setString(2, s.sourceSystem);
                sub.setString(3, s.idempotencyKey);
                sub.setString(4, s.resourceType);
                sub.setInt(5, s.entryCount);
                sub.setString(6, s.sourceRecordKey);
                sub.setString(7, s.status.name());
                sub.setTimestamp(8, Timestamp.from(s.receivedAt));
                sub.setTimestamp(9, Timestamp.from(s.updatedAt));
                sub.setBytes(10, s.contentSha256);
                sub.setString(11, s.entryOutcomes);
                sub.addBatch();
                step.setString(1, s.id);
                step.setString(2, s.status.name());
                step.setTimestamp(3, ts);
                step.setString(4, s.resourceType + " with " + s.entryCount + " resource(s)");
                step.addBatch();
            }
            sub.executeBatch();
            step.executeBatch();
        } catch (SQLException e) {
            throw new DataAccessException("recording submissions failed", e);
        }
    }
}
