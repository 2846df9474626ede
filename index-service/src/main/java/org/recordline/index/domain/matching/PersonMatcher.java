package org.recordline.index.domain.matching;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.recordline.commons.persistence.DataAccessException;

/**
 * Decides the enterprise person of an incoming source record: a source record seen before keeps its person;
 * otherwise the records sharing a blocking key with it ({@link Blocking}, served by the {@code block_key} index) are
 * compared field by field ({@link PairComparator}) and scored with the match model in force ({@link MatchModels}).
 * The best-scoring person is linked when the score reaches the upper threshold; between the thresholds the record
 * starts a new person and a possible match with that person waits for a records technician; below, a new person.
 * Every decision keeps its explanation.
 *
 * <p>Concurrency: {@link #lock} takes the transaction's advisory locks on the source record key, the identifiers and
 * the blocking keys of a whole batch before anything is matched, so that two records of one person filed at once
 * (two replicas, or one batch) are matched one after the other and the second sees the first.
 */
@ApplicationScoped
public class PersonMatcher {

    /** The default upper threshold ({@code recordline.index.match.upper-threshold}): link at or above. */
    public static final double DEFAULT_UPPER_THRESHOLD = 8;

    /** How many lock buckets the keys hash into: bounds the locks one transaction holds, whatever the batch. */
    static final int LOCK_BUCKETS = 1024;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String KNOWN = "SELECT enterprise_person_id FROM source_record WHERE source_record_key = ?";
    /** The source records sharing the most blocking keys with the new one, with their persons, in one statement. */
    private static final String CANDIDATES = "SELECT sr.id, sr.enterprise_person_id, sr.demographics::text"
            + " FROM (SELECT source_record_id, count(*) AS shared FROM block_key WHERE key = ANY (?)"
            + " GROUP BY source_record_id ORDER BY count(*) DESC, source_record_id LIMIT ?) b"
            + " JOIN source_record sr ON sr.id = b.source_record_id"
            + " JOIN enterprise_person p ON p.id = sr.enterprise_person_id"
            + " WHERE sr.source_record_key <> ? AND sr.demographics IS NOT NULL"
            + " ORDER BY p.created_at, p.id";

    private final AgroalDataSource dataSource;
    private final MatchModels models;
    private final PairComparator comparator = new PairComparator();
    private final double upper;
    private final double lower;
    private final int maxCandidates;

    public PersonMatcher(AgroalDataSource dataSource, MatchModels models,
                         @ConfigProperty(name = "recordline.index.match.upper-threshold", defaultValue = "8")
                         double upper,
                         @ConfigProperty(name = "recordline.index.match.lower-threshold", defaultValue = "2")
                         double lower,
                         @ConfigProperty(name = "recordline.index.match.max-candidates", defaultValue = "200")
                         int maxCandidates) {
        if (lower > upper) {
            throw new IllegalArgumentException("recordline.index.match.lower-threshold (" + lower
                    + ") lies above the upper threshold (" + upper + ")");
        }
        this.dataSource = dataSource;
        this.models = models;
        this.upper = upper;
        this.lower = lower;
        this.maxCandidates = maxCandidates;
    }

    /** An incoming record as matching sees it. */
    public record Incoming(PatientIdentity identity, Demographics demographics, Set<String> blockingKeys) {
    }

    /**
     * Takes the transaction-scoped advisory locks of every source record key, identifier and blocking key of
     * {@code records}, hashed into {@link #LOCK_BUCKETS} buckets, in one statement and one global order (sorted), so
     * two filings never deadlock. Must run inside the filing transaction, before {@link #matchLocked}.
     */
    public void lock(List<Incoming> records) {
        TreeSet<Integer> buckets = new TreeSet<>();
        for (Incoming r : records) {
            buckets.add(bucket("src:" + r.identity().sourceRecordKey()));
            r.identity().identifiers().forEach(i -> buckets.add(bucket("id:" + i.system() + "|" + i.value())));
            r.blockingKeys().forEach(k -> buckets.add(bucket("blk:" + k)));
        }
        lockBuckets(buckets);
    }

    /** Takes the lock a filing of {@code sourceRecordKey} takes (for an action that moves that source record). */
    public void lockSourceRecord(String sourceRecordKey) {
        lockBuckets(new TreeSet<>(Set.of(bucket("src:" + sourceRecordKey))));
    }

    private void lockBuckets(TreeSet<Integer> buckets) {
        if (buckets.isEmpty()) {
            return;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(pg_advisory_xact_lock(8151, b)) FROM (SELECT b FROM unnest(?::int[]) AS b ORDER BY b)"
                        + " AS sorted")) {
            ps.setArray(1, c.createArrayOf("integer", buckets.toArray()));
            ps.executeQuery().close();
        } catch (SQLException e) {
            throw new DataAccessException("matching locks failed", e);
        }
    }

    static int bucket(String key) {
        return Math.floorMod(key.hashCode(), LOCK_BUCKETS);
    }

    /** Decides the person of {@code record}, whose locks this transaction holds ({@link #lock}). */
    public MatchDecision matchLocked(Incoming record) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement(KNOWN)) {
                ps.setString(1, record.identity().sourceRecordKey());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return new MatchDecision(rs.getString(1), MatchDecision.SAME_SOURCE_RECORD, 1);
                    }
                }
            }
            MatchModelJson model = models.current();
            String bestPerson = null;
            double best = Double.NEGATIVE_INFINITY;
            int[] bestVector = null;
            Set<String> persons = new java.util.HashSet<>();
            if (!record.blockingKeys().isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(CANDIDATES)) {
                    ps.setArray(1, c.createArrayOf("varchar", record.blockingKeys().toArray()));
                    ps.setInt(2, maxCandidates);
                    ps.setString(3, record.identity().sourceRecordKey());
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            Demographics other = JSON.readValue(rs.getString(3), Demographics.class);
                            int[] v = comparator.compare(record.demographics(), other);
                            double s = score(model, v, record.demographics());
                            persons.add(rs.getString(2));
                            // strictly better only: among equal scores the oldest person (the query's order) wins
                            if (s > best) {
                                best = s;
                                bestPerson = rs.getString(2);
                                bestVector = v;
                            }
                        }
                    }
                }
            }
            String explanation = bestVector == null ? null : explain(model, bestVector, best, persons.size());
            if (bestPerson != null && best >= upper) {
                return new MatchDecision(bestPerson, MatchDecision.PROBABILISTIC, persons.size(), best, null,
                        explanation, model.version());
            }
            if (bestPerson != null && best >= lower) {
                return new MatchDecision(null, MatchDecision.POSSIBLE_MATCH, persons.size(), best, bestPerson,
                        explanation, model.version());
            }
            return new MatchDecision(null, MatchDecision.NEW_PERSON, persons.size(),
                    bestPerson == null ? null : best, null, explanation, model.version());
        } catch (SQLException e) {
            throw new DataAccessException("matching failed", e);
        } catch (IOException e) {
            throw new DataAccessException("a stored record's demographics are unreadable", e);
        }
    }

    /** The score, exact name agreements weighed by how common the name is (when the model lists it). */
    static double score(MatchModelJson model, int[] vector, Demographics incoming) {
        return model.model().score(vector, incoming, model::frequency);
    }

    /** The decision's explanation: each field's level and weight, the total, the thresholds, the model. */
    private String explain(MatchModelJson model, int[] vector, double score, int persons) {
        ObjectNode doc = JSON.createObjectNode();
        ArrayNode fields = doc.putArray("fields");
        for (Field f : Field.values()) {
            int level = vector[f.ordinal()];
            ObjectNode field = fields.addObject();
            field.put("field", MatchModelJson.name(f));
            field.put("level", level == Field.MISSING ? "missing" : f.levels().get(level));
            field.put("weight", Math.round(model.model().weight(f, level) * 1000) / 1000.0);
        }
        doc.put("score", Math.round(score * 1000) / 1000.0);
        doc.put("upperThreshold", upper);
        doc.put("lowerThreshold", lower);
        doc.put("model", model.version());
        doc.put("personsCompared", persons);
        return doc.toString();
    }

    /** Stores {@code keys} as the blocking keys of source record {@code id}, replacing its earlier ones. */
    public void storeBlockingKeys(long sourceRecordId, Set<String> keys) {
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement del = c.prepareStatement("DELETE FROM block_key WHERE source_record_id = ?")) {
                del.setLong(1, sourceRecordId);
                del.executeUpdate();
            }
            if (keys.isEmpty()) {
                return;
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO block_key (key, source_record_id)"
                    + " SELECT k, ? FROM unnest(?::varchar[]) AS k ON CONFLICT DO NOTHING")) {
                ins.setLong(1, sourceRecordId);
                ins.setArray(2, c.createArrayOf("varchar", keys.toArray()));
                ins.executeUpdate();
            }
        } catch (SQLException e) {
            throw new DataAccessException("storing blocking keys failed", e);
        }
    }

    /** Records a decision with its explanation, and opens a possible match for review when there is one. */
    public void recordDecision(long sourceRecordId, String submissionId, String personId, MatchDecision d,
                               Timestamp at) {
        try (Connection c = dataSource.getConnection()) {
            long decisionId;
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO match_decision (source_record_id,"
                    + " submission_id, decided_at, rule, enterprise_person_id, candidate_person_id, score,"
                    + " upper_threshold, lower_threshold, model_version, explanation)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb) RETURNING id")) {
                ps.setLong(1, sourceRecordId);
                ps.setString(2, submissionId);
                ps.setTimestamp(3, at);
                ps.setString(4, d.rule());
                ps.setString(5, personId);
                ps.setString(6, d.possiblePersonId());
                if (d.score() == null) {
                    ps.setNull(7, java.sql.Types.DOUBLE);
                } else {
                    ps.setDouble(7, d.score());
                }
                ps.setDouble(8, upper);
                ps.setDouble(9, lower);
                ps.setString(10, d.modelVersion());
                ps.setString(11, d.explanation());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    decisionId = rs.getLong(1);
                }
            }
            if (d.possiblePersonId() != null) {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO possible_match (source_record_id,"
                        + " candidate_person_id, score, decision_id, status, created_at)"
                        + " VALUES (?, ?, ?, ?, 'OPEN', ?)")) {
                    ps.setLong(1, sourceRecordId);
                    ps.setString(2, d.possiblePersonId());
                    ps.setDouble(3, d.score());
                    ps.setLong(4, decisionId);
                    ps.setTimestamp(5, at);
                    ps.executeUpdate();
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("recording the match decision failed", e);
        }
    }
}
