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
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.AuditEvent;

/**
 * Appends audit events to the hash-chained log, a batch at a time. Appends lock the chain head, so they are
 * serialised across threads and replicas; an event id already in the log is not appended again (idempotent consumer).
 */
@ApplicationScoped
public class AuditLog {

    private static final String LOCK_HEAD = "SELECT last_seq, last_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE";
    private static final String EXISTING = "SELECT event_id FROM audit_entry WHERE event_id = ANY (?)";
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
        long[] seqs = appendAll(List.of(e));
        return seqs[0];
    }

    /**
     * Appends {@code events}, in order, skipping any whose event id is in the log already or earlier in the list:
     * the chain head is locked once, the entries are chained in memory and inserted in one batch (which the driver
     * sends as multi-row inserts), and the head moves once. The chain is the same as appending them one by one.
     *
     * @return each event's sequence number, or -1 for a duplicate, in the order of {@code events}
     */
    @Transactional
    public long[] appendAll(List<AuditEvent> events) {
        long[] seqs = new long[events.size()];
        if (events.isEmpty()) {
            return seqs;
        }
        try (Connection c = dataSource.getConnection()) {
            long seq;
            byte[] prev;
            try (PreparedStatement ps = c.prepareStatement(LOCK_HEAD); ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getLong(1);
                prev = rs.getBytes(2);
            }
            Set<String> seen = new HashSet<>();
            try (PreparedStatement ps = c.prepareStatement(EXISTING)) {
                ps.setArray(1, c.createArrayOf("varchar",
                        events.stream().map(AuditEvent::eventId).distinct().toArray()));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        seen.add(rs.getString(1));
                    }
                }
            }
            Timestamp recordedAt = Timestamp.from(Instant.now());
            int appended = 0;
            try (PreparedStatement ps = c.prepareStatement(INSERT)) {
                for (int i = 0; i < events.size(); i++) {
                    AuditEvent e = events.get(i);
                    if (!seen.add(e.eventId())) {
                        seqs[i] = -1;
                        continue;
                    }
                    AuditEvent entry = normalise(e);
                    seq++;
                    byte[] hash = AuditChain.hash(prev, seq, entry);
                    ps.setLong(1, seq);
                    ps.setString(2, entry.eventId());
                    ps.setTimestamp(3, Timestamp.from(entry.occurredAt()));
                    ps.setTimestamp(4, recordedAt);
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
                    ps.addBatch();
                    seqs[i] = seq;
                    prev = hash;
                    appended++;
                }
                if (appended > 0) {
                    ps.executeBatch();
                }
            }
            if (appended > 0) {
                try (PreparedStatement ps = c.prepareStatement(MOVE_HEAD)) {
                    ps.setLong(1, seq);
                    ps.setBytes(2, prev);
                    ps.executeUpdate();
                }
            }
            return seqs;
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
