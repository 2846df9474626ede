package org.recordline.audit.domain;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.AuditEvent;

/**
 * Appends audit events to the hash-chained log. Appends lock the chain head, so they are serialised across threads
 * and replicas; an event id already in the log is not appended again (idempotent consumer).
 */
@ApplicationScoped
public class AuditLog {

    private static final String LOCK_HEAD = "SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE";
    private static final String EXISTS = "SELECT 1 FROM audit_entry WHERE event_id = ?";
    private static final String INSERT = "INSERT INTO audit_entry (seq, event_id, occurred_at, recorded_at, service,"
            + " action, outcome, actor, submission_id, patient_ref, purpose, detail, prev_hash, entry_hash)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    private static final String MOVE_HEAD = "UPDATE audit_chain_head SET last_seq = ?, last_hash = ? WHERE id = 1";

    private final AgroalDataSource dataSource;

    public AuditLog(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Appends {@code e} unless its event id is in the log already.
     *
     * @return the entry's sequence number, or -1 for a duplicate
     */
    @Transactional
    public long append(AuditEvent e) {
        try (Connection c = dataSource.getConnection()) {
            long seq;
            byte[] prev;
            try (PreparedStatement ps = c.prepareStatement(LOCK_HEAD); ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getLong(1) + 1;
                prev = rs.getBytes(2);
            }
            try (PreparedStatement ps = c.prepareStatement(EXISTS)) {
                ps.setString(1, e.eventId());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return -1;
                    }
                }
            }
            AuditEvent entry = normalise(e);
            byte[] hash = AuditChain.hash(prev, seq, entry);
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                ps.setLong(1, seq);
                ps.setString(2, entry.eventId());
                ps.setTimestamp(3, Timestamp.from(entry.occurredAt()));
                ps.setTimestamp(4, Timestamp.from(Instant.now()));
                ps.setString(5, entry.service());
                ps.setString(6, entry.action());
                ps.setString(7, entry.outcome());
                ps.setString(8, entry.actor());
                ps.setString(9, entry.submissionId());
                ps.setString(10, entry.patientRef());
                ps.setString(11, entry.purpose());
                ps.setString(12, entry.detail());
                ps.setBytes(13, prev);
                ps.setBytes(14, hash);
                ps.executeUpdate();
            }
            try (PreparedStatement ps = c.prepareStatement(MOVE_HEAD)) {
                ps.setLong(1, seq);
                ps.setBytes(2, hash);
                ps.executeUpdate();
            }
            return seq;
        } catch (SQLException ex) {
            throw new DataAccessException("audit append failed", ex);
        }
    }

    /**
     * Truncates descriptive fields to their column sizes, fills required ones, and cuts the time to PostgreSQL's
     * microseconds, so that a valid event always fits and the stored entry hashes to what was chained. The event id
     * is an identity and is never cut: the contract ({@link AuditEvent}) refuses one longer than the column.
     */
    private static AuditEvent normalise(AuditEvent e) {
        Instant at = (e.occurredAt() == null ? Instant.now() : e.occurredAt()).truncatedTo(ChronoUnit.MICROS);
        return new AuditEvent(e.eventId(), at,
                cut(orUnknown(e.service()), 100), cut(orUnknown(e.action()), 100), cut(orUnknown(e.outcome()), 20),
                cut(orUnknown(e.actor()), 200), cut(e.submissionId(), 36), cut(e.patientRef(), 300),
                cut(e.purpose(), 100), cut(e.detail(), 1000));
    }

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? "unknown" : s;
    }

    private static String cut(String s, int max) {
        return s == null || s.length() <= max ? s : s.substring(0, max);
    }
}
