package org.recordline.ingestion.domain;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.recordline.commons.audit.AuditTrail;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.AuditActions;
import org.recordline.ingestion.api.SubmissionView;
import org.recordline.ingestion.persistence.Submission;

/**
 * Reads of submissions, each audited in the transaction of the read. A submission and its steps are read by one SQL
 * statement, so the status and the history come from one snapshot: progress committed between two separate reads
 * would otherwise show a status that its own steps contradict.
 */
@ApplicationScoped
public class SubmissionQueries {

    private static final String VIEW = "SELECT s.id, s.status, s.source_system, s.resource_type, s.entry_count,"
            + " s.received_at, s.updated_at, s.enterprise_person_id, s.issues, s.source_record_key,"
            + " s.entry_outcomes, s.held_back, st.status, st.occurred_at, st.detail"
            + " FROM submission s LEFT JOIN submission_step st ON st.submission_id = s.id"
            + " WHERE s.id = ? ORDER BY st.id";

    private final AgroalDataSource dataSource;
    private final AuditTrail audit;

    public SubmissionQueries(AgroalDataSource dataSource, AuditTrail audit) {
        this.dataSource = dataSource;
        this.audit = audit;
    }

    /**
     * The view of submission {@code id} as {@code actor} may see it; empty when it does not exist or belongs to
     * another source and {@code ownOnly} is set. Every call is audited: found, missing and refused alike.
     */
    @Transactional
    public Optional<SubmissionView> read(String id, String actor, boolean ownOnly) {
        Snapshot s = id.length() > Submission.MAX_ID_LENGTH ? null : snapshot(id);
        if (s == null || (ownOnly && !s.view().sourceSystem().equals(actor))) {
            // a publisher cannot tell another system's submission from a missing one; the audit log can
            audit.record(AuditActions.SUBMISSION_READ, s == null ? AuditActions.FAILURE : AuditActions.DENIED, actor,
                    s == null ? null : id, null, "status", s == null ? "not found" : "another source's submission");
            return Optional.empty();
        }
        SubmissionView v = s.view();
        audit.record(AuditActions.SUBMISSION_READ, AuditActions.SUCCESS, actor, v.submissionId(),
                v.enterprisePersonId() != null ? v.enterprisePersonId() : s.sourceRecordKey(), "status", null,
                v.enterprisePersonId(), s.sourceRecordKey() == null ? null : List.of(s.sourceRecordKey()), null);
        return Optional.of(v);
    }

    private record Snapshot(SubmissionView view, String sourceRecordKey) {
    }

    private Snapshot snapshot(String id) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(VIEW)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                List<SubmissionView.Step> steps = new ArrayList<>();
                String status = rs.getString(2);
                String source = rs.getString(3);
                String type = rs.getString(4);
                int entries = rs.getInt(5);
                var received = rs.getTimestamp(6).toInstant();
                var updated = rs.getTimestamp(7).toInstant();
                String person = rs.getString(8);
                String issues = rs.getString(9);
                String sourceRecordKey = rs.getString(10);
                String outcomes = rs.getString(11);
                String held = rs.getString(12);
                do {
                    if (rs.getString(13) != null) {
                        steps.add(new SubmissionView.Step(rs.getString(13), rs.getTimestamp(14).toInstant(),
                                rs.getString(15)));
                    }
                } while (rs.next());
                return new Snapshot(new SubmissionView(id, status, source, type, entries, received, updated, person,
                        issues, BundleRequests.bundleType(outcomes), outcomes == null ? null : BundleRequests.decode(outcomes),
                        held == null ? null : java.util.Arrays.stream(held.split(",")).map(Integer::valueOf).toList(),
                        steps), sourceRecordKey);
            }
        } catch (SQLException e) {
            throw new DataAccessException("submission view query failed", e);
        }
    }
}
