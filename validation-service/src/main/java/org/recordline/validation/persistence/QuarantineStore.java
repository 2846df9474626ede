package org.recordline.validation.persistence;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.recordline.commons.persistence.DataAccessException;

/**
 * The quarantine and its desk in PostgreSQL, with plain JDBC: records held back, their claims, versions, notes and
 * resolutions, and the tallies behind quality by source. Writes join the caller's transaction; the consumer's writes
 * are batches.
 */
@ApplicationScoped
public class QuarantineStore {

    /** Queue states. */
    public enum Status { OPEN, RESOLVED, DISMISSED }

    /** Kinds of history item. */
    public enum Kind { QUARANTINED, CLAIMED, RELEASED, NOTE, CORRECTED, RESOLVED, DISMISSED }

    private static final String COLUMNS = "submission_id, source_system, source_record_key, resource_type, status, "
            + "version, quarantined_at, claimed_by, claim_expires_at, issues::text, resolved_at, resolved_by, "
            + "resolution_reason";

    private final AgroalDataSource db;

    public QuarantineStore(AgroalDataSource db) {
        this.db = db;
    }

    /** A submission entering the quarantine. */
    public record NewQuarantine(String submissionId, String sourceSystem, String sourceRecordKey,
                                String resourceType, String issuesJson, String fhir, Instant at,
                                List<String> patientIdentifiers) {
    }

    /** A queue entry. {@code issuesJson} is a JSON array of findings; the record itself is not part of it. */
    public record Entry(String submissionId, String sourceSystem, String sourceRecordKey, String resourceType,
                        Status status, int version, Instant quarantinedAt, String claimedBy, Instant claimExpiresAt,
                        String issuesJson, Instant resolvedAt, String resolvedBy, String resolutionReason) {

        /** Who holds a live claim at {@code now}, or null. */
        public String claimantAt(Instant now) {
            return claimedBy != null && claimExpiresAt != null && claimExpiresAt.isAfter(now) ? claimedBy : null;
        }
    }

    /** One thing that happened to a quarantined submission. */
    public record HistoryItem(long id, Instant at, String actor, Kind kind, int version, String text,
                              String issuesJson) {
    }

    /**
     * What to list.
     *
     * @param status            the state (default OPEN)
     * @param sourceSystem      only this source, or null
     * @param rule              only entries with a finding of this rule id, or null
     * @param patientIdentifier only entries whose Patient has this {@code system|value}, or null
     * @param claimedBy         only entries with a live claim of this person, or null
     * @param olderThan         only entries quarantined before this, or null
     */
    public record Filter(Status status, String sourceSystem, String rule, String patientIdentifier, String claimedBy,
                         Instant olderThan, int page, int size) {
    }

    /** Adds submissions to the quarantine, each with its first history item, in two batched statements. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void insertAll(List<NewQuarantine> batch) {
        if (batch.isEmpty()) {
            return;
        }
        try (Connection c = db.getConnection();
             PreparedStatement q = c.prepareStatement("INSERT INTO quarantined_record (submission_id, source_system, "
                     + "source_record_key, resource_type, issues, fhir, status, quarantined_at, patient_identifiers) "
                     + "VALUES (?, ?, ?, ?, ?::jsonb, ?, 'OPEN', ?, ?)");
             PreparedStatement h = c.prepareStatement(HISTORY)) {
            for (NewQuarantine n : batch) {
                q.setString(1, n.submissionId());
                q.setString(2, n.sourceSystem());
                q.setString(3, n.sourceRecordKey());
                q.setString(4, n.resourceType());
                q.setString(5, n.issuesJson());
                q.setString(6, n.fhir());
                q.setTimestamp(7, Timestamp.from(n.at()));
                q.setArray(8, c.createArrayOf("text", n.patientIdentifiers().toArray()));
                q.addBatch();
                // the record as submitted is version 1 of its history, which corrections never overwrite
                bindHistory(h, n.submissionId(), n.at(), "validation-service", Kind.QUARANTINED, 1, null, n.fhir(),
                        n.issuesJson());
                h.addBatch();
            }
            q.executeBatch();
            h.executeBatch();
        } catch (SQLException e) {
            throw new DataAccessException("quarantine insert failed", e);
        }
    }

    /** Counts reviews per source and UTC day, in one multi-row upsert. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void tally(Map<String, int[]> passedAndQuarantinedBySource, Instant at) {
        if (passedAndQuarantinedBySource.isEmpty()) {
            return;
        }
        LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("INSERT INTO review_tally (source_system, day, passed, "
                     + "quarantined) VALUES (?, ?, ?, ?) ON CONFLICT (source_system, day) DO UPDATE SET "
                     + "passed = review_tally.passed + EXCLUDED.passed, "
                     + "quarantined = review_tally.quarantined + EXCLUDED.quarantined")) {
            // sorted, so that concurrent instances take the row locks in one order
            for (Map.Entry<String, int[]> e : new java.util.TreeMap<>(passedAndQuarantinedBySource).entrySet()) {
                s.setString(1, e.getKey());
                s.setObject(2, day);
                s.setLong(3, e.getValue()[0]);
                s.setLong(4, e.getValue()[1]);
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            throw new DataAccessException("review tally failed", e);
        }
    }

    /** How many entries are open (the queue's size, for the metrics: no patient data). */
    public long countOpen() {
        try (Connection c = db.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM quarantined_record WHERE status = ?")) {
            ps.setString(1, Status.OPEN.name());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw new DataAccessException("counting the open entries failed", e);
        }
    }

    /** The entries that match {@code f}, oldest first. */
    public List<Entry> list(Filter f) {
        StringBuilder sql = new StringBuilder("SELECT ").append(COLUMNS).append(" FROM quarantined_record WHERE status = ?");
        List<Object> args = new ArrayList<>();
        args.add((f.status() == null ? Status.OPEN : f.status()).name());
        if (f.sourceSystem() != null) {
            sql.append(" AND source_system = ?");
            args.add(f.sourceSystem());
        }
        if (f.rule() != null) {
            sql.append(" AND issues @> ?::jsonb");
            args.add("[{\"rule\":" + com.fasterxml.jackson.databind.node.TextNode.valueOf(f.rule()) + "}]");
        }
        if (f.patientIdentifier() != null) {
            sql.append(" AND patient_identifiers @> ARRAY[?]::text[]");
            args.add(f.patientIdentifier());
        }
        if (f.claimedBy() != null) {
            sql.append(" AND claimed_by = ? AND claim_expires_at > now()");
            args.add(f.claimedBy());
        }
        if (f.olderThan() != null) {
            sql.append(" AND quarantined_at < ?");
            args.add(Timestamp.from(f.olderThan()));
        }
        sql.append(" ORDER BY quarantined_at, submission_id LIMIT ? OFFSET ?");
        args.add(f.size());
        args.add((long) f.page() * f.size());
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql.toString())) {
            for (int i = 0; i < args.size(); i++) {
                s.setObject(i + 1, args.get(i));
            }
            List<Entry> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(entry(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new DataAccessException("quarantine list failed", e);
        }
    }

    /** One entry; with {@code lock}, its row is locked until the transaction ends. */
    public Optional<Entry> find(String submissionId, boolean lock) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT " + COLUMNS + " FROM quarantined_record "
                     + "WHERE submission_id = ?" + (lock ? " FOR UPDATE" : ""))) {
            s.setString(1, submissionId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(entry(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DataAccessException("quarantine read failed", e);
        }
    }

    /** The current version of the record, as FHIR JSON. */
    public Optional<String> fhir(String submissionId) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT fhir FROM quarantined_record WHERE submission_id = ?")) {
            s.setString(1, submissionId);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DataAccessException("quarantine read failed", e);
        }
    }

    /** Sets or clears the claim of a locked entry. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void setClaim(String submissionId, String claimant, Instant until) {
        update("UPDATE quarantined_record SET claimed_by = ?, claim_expires_at = ? WHERE submission_id = ?",
                claimant, until == null ? null : Timestamp.from(until), submissionId);
    }

    /** Replaces the record and its findings with a corrected version. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void replace(String submissionId, int version, String fhir, String issuesJson, String resourceType,
                        List<String> patientIdentifiers) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("UPDATE quarantined_record SET version = ?, fhir = ?, "
                     + "issues = ?::jsonb, resource_type = ?, patient_identifiers = ? WHERE submission_id = ?")) {
            s.setInt(1, version);
            s.setString(2, fhir);
            s.setString(3, issuesJson);
            s.setString(4, resourceType);
            s.setArray(5, c.createArrayOf("text", patientIdentifiers.toArray()));
            s.setString(6, submissionId);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new DataAccessException("quarantine update failed", e);
        }
    }

    /** Ends an entry: resolved (it passed and went on) or dismissed; the claim ends with it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void close(String submissionId, Status status, Instant at, String by, String reason) {
        update("UPDATE quarantined_record SET status = ?, resolved_at = ?, resolved_by = ?, resolution_reason = ?, "
                + "claimed_by = NULL, claim_expires_at = NULL WHERE submission_id = ?",
                status.name(), Timestamp.from(at), by, reason, submissionId);
    }

    private static final String HISTORY = "INSERT INTO quarantine_history (submission_id, at, actor, kind, version, "
            + "text, fhir, issues) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb)";

    /** Adds a history item. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void addHistory(String submissionId, Instant at, String actor, Kind kind, int version, String text,
                           String fhir, String issuesJson) {
        try (Connection c = db.getConnection(); PreparedStatement h = c.prepareStatement(HISTORY)) {
            bindHistory(h, submissionId, at, actor, kind, version, text, fhir, issuesJson);
            h.executeUpdate();
        } catch (SQLException e) {
            throw new DataAccessException("quarantine history insert failed", e);
        }
    }

    /** The history of an entry, oldest first (without the records of each version). */
    public List<HistoryItem> history(String submissionId) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT id, at, actor, kind, version, text, issues::text "
                     + "FROM quarantine_history WHERE submission_id = ? ORDER BY id")) {
            s.setString(1, submissionId);
            List<HistoryItem> out = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(new HistoryItem(rs.getLong(1), rs.getTimestamp(2).toInstant(), rs.getString(3),
                            Kind.valueOf(rs.getString(4)), rs.getInt(5), rs.getString(6), rs.getString(7)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new DataAccessException("quarantine history read failed", e);
        }
    }

    /** The record of one version, as it was submitted or corrected. */
    public Optional<String> versionRecord(String submissionId, int version) {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT fhir FROM quarantine_history WHERE submission_id = ? "
                     + "AND version = ? AND fhir IS NOT NULL ORDER BY id DESC LIMIT 1")) {
            s.setString(1, submissionId);
            s.setInt(2, version);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new DataAccessException("quarantine version read failed", e);
        }
    }

    /**
     * Quality of one source over the window.
     *
     * @param sourceSystem        the source
     * @param passed              submissions that passed review
     * @param quarantined         submissions quarantined
     * @param sharePassing        passed / (passed + quarantined), 1 when none
     * @param topRules            the most frequent rules of its quarantined submissions, with counts
     * @param medianHours         median time in quarantine (open entries count up to now)
     * @param p90Hours            90th percentile of the same
     * @param byDay               per UTC day: passed and quarantined
     */
    public record SourceQuality(String sourceSystem, long passed, long quarantined, double sharePassing,
                                Map<String, Long> topRules, Double medianHours, Double p90Hours,
                                List<DayCount> byDay) {
    }

    /** One day of a source's trend. */
    public record DayCount(LocalDate day, long passed, long quarantined) {
    }

    /** Quality by source over the last {@code days} days. */
    public List<SourceQuality> quality(int days, Instant now) {
        LocalDate from = LocalDate.ofInstant(now, ZoneOffset.UTC).minusDays(days - 1L);
        Timestamp since = Timestamp.from(from.atStartOfDay(ZoneOffset.UTC).toInstant());
        Map<String, List<DayCount>> trend = new LinkedHashMap<>();
        Map<String, long[]> totals = new LinkedHashMap<>();
        Map<String, Map<String, Long>> rules = new LinkedHashMap<>();
        Map<String, Double[]> times = new LinkedHashMap<>();
        try (Connection c = db.getConnection()) {
            try (PreparedStatement s = c.prepareStatement("SELECT source_system, day, passed, quarantined "
                    + "FROM review_tally WHERE day >= ? ORDER BY source_system, day")) {
                s.setObject(1, from);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        String src = rs.getString(1);
                        DayCount d = new DayCount(rs.getObject(2, LocalDate.class), rs.getLong(3), rs.getLong(4));
                        trend.computeIfAbsent(src, k -> new ArrayList<>()).add(d);
                        long[] t = totals.computeIfAbsent(src, k -> new long[2]);
                        t[0] += d.passed();
                        t[1] += d.quarantined();
                    }
                }
            }
            // per rule, how many submissions it held back, from the findings they arrived with (version 1)
            try (PreparedStatement s = c.prepareStatement("SELECT q.source_system, i->>'rule' AS rule, "
                    + "count(DISTINCT q.submission_id) FROM quarantined_record q "
                    + "JOIN quarantine_history h ON h.submission_id = q.submission_id AND h.kind = 'QUARANTINED', "
                    + "jsonb_array_elements(h.issues) AS i WHERE q.quarantined_at >= ? "
                    + "AND i->>'severity' IN ('error', 'fatal') GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2")) {
                s.setTimestamp(1, since);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        Map<String, Long> m = rules.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>());
                        if (m.size() < 5) {
                            m.put(rs.getString(2), rs.getLong(3));
                        }
                    }
                }
            }
            try (PreparedStatement s = c.prepareStatement("SELECT source_system, "
                    + "percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM coalesce(resolved_at, ?) - quarantined_at)), "
                    + "percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM coalesce(resolved_at, ?) - quarantined_at)) "
                    + "FROM quarantined_record WHERE quarantined_at >= ? GROUP BY 1")) {
                s.setTimestamp(1, Timestamp.from(now));
                s.setTimestamp(2, Timestamp.from(now));
                s.setTimestamp(3, since);
                try (ResultSet rs = s.executeQuery()) {
                    while (rs.next()) {
                        times.put(rs.getString(1), new Double[] {rs.getDouble(2) / 3600.0, rs.getDouble(3) / 3600.0});
                    }
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("quality query failed", e);
        }
        List<SourceQuality> out = new ArrayList<>();
        for (Map.Entry<String, long[]> e : totals.entrySet()) {
            long p = e.getValue()[0];
            long q = e.getValue()[1];
            Double[] t = times.get(e.getKey());
            out.add(new SourceQuality(e.getKey(), p, q, p + q == 0 ? 1.0 : (double) p / (p + q),
                    rules.getOrDefault(e.getKey(), Map.of()), t == null ? null : t[0], t == null ? null : t[1],
                    trend.get(e.getKey())));
        }
        out.sort((a, b) -> Double.compare(a.sharePassing(), b.sharePassing()));
        return out;
    }

    private void update(String sql, Object... args) {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                if (args[i] == null) {
                    s.setNull(i + 1, Types.NULL);
                } else {
                    s.setObject(i + 1, args[i]);
                }
            }
            s.executeUpdate();
        } catch (SQLException e) {
            throw new DataAccessException("quarantine update failed", e);
        }
    }

    private static void bindHistory(PreparedStatement h, String submissionId, Instant at, String actor, Kind kind,
                                    int version, String text, String fhir, String issuesJson) throws SQLException {
        h.setString(1, submissionId);
        h.setTimestamp(2, Timestamp.from(at));
        h.setString(3, actor);
        h.setString(4, kind.name());
        h.setInt(5, version);
        h.setString(6, text);
        h.setString(7, fhir);
        h.setString(8, issuesJson);
    }

    private static Entry entry(ResultSet rs) throws SQLException {
        return new Entry(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                Status.valueOf(rs.getString(5)), rs.getInt(6), rs.getTimestamp(7).toInstant(), rs.getString(8),
                instant(rs.getTimestamp(9)), rs.getString(10), instant(rs.getTimestamp(11)), rs.getString(12),
                rs.getString(13));
    }

    private static Instant instant(Timestamp t) {
        return t == null ? null : t.toInstant();
    }

}
