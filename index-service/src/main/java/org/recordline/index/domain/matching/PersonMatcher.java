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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
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

    /**
     * The default identity floor ({@code recordline.index.match.identity-floor}): a pair at or above the upper threshold
     * is linked only when its names, birth date, sex and identifiers alone score at least this much
     * ({@link MatchModel#identity}); otherwise agreement on where they live carried it there, and it waits for review
     * as a possible match. Two keeps FEBRL's F1 above 0.99 on each data set (docs/benchmarks.md), with
     * {@link MatchModel#birthDateCorroborated} applied too.
     */
    public static final double DEFAULT_IDENTITY_FLOOR = 2;

    /**
     * The most records one blocking key contributes to a record's candidates: a key shared by very many records (a
     * common name in a common birth year) says little, and the other keys still find a true match.
     */
    static final int MAX_PER_KEY = 1000;

    /** How many lock buckets the keys hash into: bounds the locks one transaction holds, whatever the batch. */
    static final int LOCK_BUCKETS = 1024;

    /**
     * Below this many source records holding a name field, the index's own name counts say too little and exact name
     * agreements keep the model's weight.
     */
    static final long MIN_RECORDS_FOR_FREQUENCIES = 1000;

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NAME_COUNTS = "SELECT field, name, records FROM name_frequency WHERE (field, name) IN"
            + " (SELECT * FROM unnest(?::char[], ?::text[]))";
    private static final String KNOWN = "SELECT source_record_key, enterprise_person_id, id FROM source_record"
            + " WHERE source_record_key = ANY (?)";
    /**
     * For each record of a batch (its position {@code i}, one row per blocking key), the stored source records
     * sharing the most keys with it, with their persons, in one statement. Each source record and person is fetched
     * by its primary key in a subquery PostgreSQL cannot flatten ({@code OFFSET 0}): without that, a table that has
     * grown from empty and not been analysed yet (the first minute of a new index) made the planner hash-join a scan
     * of every source record.
     */
    private static final String CANDIDATES = "SELECT b.i, c.id, c.enterprise_person_id, c.created_at,"
            + " c.source_record_key, c.demographics FROM (SELECT i, source_record_id FROM (SELECT i, source_record_id,"
            + " row_number() OVER (PARTITION BY i ORDER BY shared DESC, source_record_id) AS rank FROM (SELECT q.i,"
            + " k.source_record_id, count(*) AS shared FROM unnest(?::text[], ?::int[]) AS q (key, i)"
            // one index lookup per key (never a scan of the whole table), at most max-per-key records each
            + " CROSS JOIN LATERAL (SELECT source_record_id FROM block_key WHERE key = hashtextextended(q.key, 0)"
            + " LIMIT ?) k GROUP BY q.i, k.source_record_id) hits) ranked WHERE rank <= ?) b"
            + " CROSS JOIN LATERAL (SELECT sr.id, sr.enterprise_person_id, p.created_at, sr.source_record_key,"
            + " sr.demographics::text AS demographics FROM source_record sr"
            + " JOIN enterprise_person p ON p.id = sr.enterprise_person_id"
            + " WHERE sr.id = b.source_record_id AND sr.demographics IS NOT NULL OFFSET 0) c";

    private final AgroalDataSource dataSource;
    private final MatchModels models;
    private final PairComparator comparator = new PairComparator();
    private final double upper;
    private final double lower;
    private final double identityFloor;
    private final int maxCandidates;

    public PersonMatcher(AgroalDataSource dataSource, MatchModels models,
                         @ConfigProperty(name = "recordline.index.match.upper-threshold", defaultValue = "8")
                         double upper,
                         @ConfigProperty(name = "recordline.index.match.lower-threshold", defaultValue = "2")
                         double lower,
                         @ConfigProperty(name = "recordline.index.match.identity-floor", defaultValue = "2")
                         double identityFloor,
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
        this.identityFloor = identityFloor;
        this.maxCandidates = maxCandidates;
    }

    /** An incoming record as matching sees it. */
    public record Incoming(PatientIdentity identity, Demographics demographics, Blocking.Keys blockingKeys) {
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
            // stored and probe keys: a record is found through a key it stores and finds through one it probes
            r.blockingKeys().stored().forEach(k -> buckets.add(bucket("blk:" + k)));
            r.blockingKeys().probe().forEach(k -> buckets.add(bucket("blk:" + k)));
        }
        lockBuckets(buckets);
    }

    /** Takes the lock a filing of {@code sourceRecordKey} takes (for an action that moves that source record). */
    public void lockSourceRecord(String sourceRecordKey) {
        lockSourceRecords(List.of(sourceRecordKey));
    }

    /**
     * Takes the locks filings of {@code sourceRecordKeys} take, in one statement and the global order (for an action
     * that moves those source records).
     */
    public void lockSourceRecords(java.util.Collection<String> sourceRecordKeys) {
        TreeSet<Integer> buckets = new TreeSet<>();
        sourceRecordKeys.forEach(k -> buckets.add(bucket("src:" + k)));
        lockBuckets(buckets);
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

    /**
     * A decision with the person it names: {@code personId} is the new person's id (a fresh UUID) when the decision
     * creates one.
     *
     * @param personId       the person the record is filed under
     * @param decision       how it was found
     * @param sourceRecordId the source record's id when it exists already, else null
     */
    public record Matched(String personId, MatchDecision decision, Long sourceRecordId) {
    }

    /** A record a batch's matching may compare with: stored (from the candidate query) or filed earlier in it. */
    private record Candidate(String personId, Instant personCreated, int batchOrder, String sourceRecordKey,
                             Demographics demographics) {
    }

    /** Among equal scores the oldest person wins: stored persons by creation, then the batch's new ones in order. */
    private static final Comparator<Candidate> OLDEST_FIRST = Comparator
            .comparing((Candidate c) -> c.batchOrder() >= 0)
            .thenComparing(c -> c.personCreated() == null ? Instant.MAX : c.personCreated())
            .thenComparingInt(Candidate::batchOrder)
            .thenComparing(Candidate::personId);

    /**
     * Decides the persons of a batch's {@code records}, in order, whose locks this transaction holds ({@link #lock}):
     * one statement finds which source records exist, one finds the stored candidates of all the others, and each
     * record is also compared with the records before it in the batch (as if they had been filed one by one).
     */
    public List<Matched> matchAll(List<Incoming> records) {
        try (Connection c = dataSource.getConnection()) {
            Map<String, Object[]> known = known(c, records);
            List<List<Candidate>> stored = stored(c, records, known);
            MatchModelJson model = models.current();
            java.util.function.ToDoubleBiFunction<Field, String> frequency = frequencies(c, model,
                    records.stream().map(Incoming::demographics).toList());
            List<Matched> out = new ArrayList<>(records.size());
            Map<String, String> filedInBatch = new HashMap<>();
            Map<String, List<Candidate>> batchByKey = new HashMap<>();
            for (int i = 0; i < records.size(); i++) {
                Incoming r = records.get(i);
                String key = r.identity().sourceRecordKey();
                Object[] k = known.get(key);
                if (k != null || filedInBatch.containsKey(key)) {
                    String person = k != null ? (String) k[0] : filedInBatch.get(key);
                    out.add(new Matched(person, new MatchDecision(person, MatchDecision.SAME_SOURCE_RECORD, 1),
                            k == null ? null : (Long) k[1]));
                    continue;
                }
                List<Candidate> candidates = new ArrayList<>(stored.get(i));
                Set<Candidate> fromBatch = new java.util.LinkedHashSet<>();
                for (String b : r.blockingKeys().probe()) {
                    fromBatch.addAll(batchByKey.getOrDefault(b, List.of()));
                }
                candidates.addAll(fromBatch);
                candidates.sort(OLDEST_FIRST);
                MatchDecision d = decide(model, r.demographics(), candidates, frequency);
                String person = d.newPerson() ? UUID.randomUUID().toString() : d.enterprisePersonId();
                out.add(new Matched(person, d, null));
                filedInBatch.put(key, person);
                Candidate linked = d.newPerson() ? null : candidates.stream()
                        .filter(x -> x.personId().equals(person)).findFirst().orElseThrow();
                Candidate self = linked == null ? new Candidate(person, null, i, key, r.demographics())
                        : new Candidate(person, linked.personCreated(), linked.batchOrder(), key, r.demographics());
                for (String b : r.blockingKeys().stored()) {
                    batchByKey.computeIfAbsent(b, x -> new ArrayList<>()).add(self);
                }
            }
            return out;
        } catch (SQLException e) {
            throw new DataAccessException("matching failed", e);
        }
    }

    /** Source record key to {person id, source record id} for the batch's records stored already. */
    private static Map<String, Object[]> known(Connection c, List<Incoming> records) throws SQLException {
        Map<String, Object[]> known = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(KNOWN)) {
            ps.setArray(1, c.createArrayOf("varchar", records.stream()
                    .map(r -> r.identity().sourceRecordKey()).distinct().toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    known.put(rs.getString(1), new Object[] {rs.getString(2), rs.getLong(3)});
                }
            }
        }
        return known;
    }

    /**
     * The stored candidates of each record not stored yet, in one statement: per record, the source records sharing
     * the most blocking keys with it (at most {@code max-candidates}), with their persons.
     */
    private List<List<Candidate>> stored(Connection c, List<Incoming> records, Map<String, Object[]> known)
            throws SQLException {
        List<List<Candidate>> out = new ArrayList<>(records.size());
        List<String> keys = new ArrayList<>();
        List<Integer> owners = new ArrayList<>();
        for (int i = 0; i < records.size(); i++) {
            out.add(new ArrayList<>());
            Incoming r = records.get(i);
            if (known.containsKey(r.identity().sourceRecordKey())) {
                continue;
            }
            for (String k : r.blockingKeys().probe()) {
                keys.add(k);
                owners.add(i);
            }
        }
        if (keys.isEmpty()) {
            return out;
        }
        Map<Long, Demographics> parsed = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(CANDIDATES)) {
            ps.setArray(1, c.createArrayOf("text", keys.toArray()));
            ps.setArray(2, c.createArrayOf("integer", owners.toArray()));
            ps.setInt(3, MAX_PER_KEY);
            ps.setInt(4, maxCandidates);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int i = rs.getInt(1);
                    String sourceKey = rs.getString(5);
                    if (sourceKey.equals(records.get(i).identity().sourceRecordKey())) {
                        continue;
                    }
                    long id = rs.getLong(2);
                    Demographics d = parsed.get(id);
                    if (d == null) {
                        d = Demographics.fromJson(rs.getString(6));
                        parsed.put(id, d);
                    }
                    out.get(i).add(new Candidate(rs.getString(3), rs.getTimestamp(4).toInstant(), -1, sourceKey, d));
                }
            }
        } catch (IOException e) {
            throw new DataAccessException("a stored record's demographics are unreadable", e);
        }
        return out;
    }

    /**
     * The decision for {@code incoming} among {@code candidates} (oldest person first): linked to the best-scoring
     * person that reaches the upper threshold with an identity score at or above the floor and, when the birth dates
     * disagree outright, something that corroborates it ({@link MatchModel#birthDateCorroborated}); else a possible
     * match with the best-scoring person from the lower threshold up; else a new person. Pure.
     */
    private MatchDecision decide(MatchModelJson model, Demographics incoming, List<Candidate> candidates,
                                 java.util.function.ToDoubleBiFunction<Field, String> frequency) {
        Best best = new Best();
        Best link = new Best();
        Set<String> persons = new java.util.HashSet<>();
        for (Candidate cand : candidates) {
            int[] v = comparator.compare(incoming, cand.demographics());
            double s = model.model().score(v, incoming, frequency);
            persons.add(cand.personId());
            best.offer(cand.personId(), v, s);
            if (s >= upper && link.beatenBy(s) && MatchModel.birthDateCorroborated(v)
                    && model.model().identity(v, incoming, frequency) >= identityFloor) {
                link.offer(cand.personId(), v, s);
            }
        }
        if (link.person != null) {
            return new MatchDecision(link.person, MatchDecision.PROBABILISTIC, persons.size(), link.score, null,
                    explain(model, link.vector, link.score, persons.size(), incoming, frequency), model.version());
        }
        String explanation = best.vector == null ? null
                : explain(model, best.vector, best.score, persons.size(), incoming, frequency);
        if (best.person != null && best.score >= lower) {
            return new MatchDecision(null, MatchDecision.POSSIBLE_MATCH, persons.size(), best.score, best.person,
                    explanation, model.version());
        }
        return new MatchDecision(null, MatchDecision.NEW_PERSON, persons.size(),
                best.person == null ? null : best.score, null, explanation, model.version());
    }

    /** The best-scoring candidate so far: strictly better only, so among equal scores the first (oldest) wins. */
    private static final class Best {
        private String person;
        private int[] vector;
        private double score = Double.NEGATIVE_INFINITY;

        boolean beatenBy(double s) {
            return s > score;
        }

        void offer(String candidate, int[] v, double s) {
            if (s > score) {
                person = candidate;
                vector = v;
                score = s;
            }
        }
    }

    /**
     * The share of records holding each of the batch's given and family names, for term-frequency adjustment: the
     * model's own list when it names the value, else the index's counts ({@code name_frequency}) once at least
     * {@link #MIN_RECORDS_FOR_FREQUENCIES} records hold the field, and only for a name commoner than the model's
     * chance agreement (so a common name weighs less and a rare one keeps the model's weight). One statement.
     */
    public static java.util.function.ToDoubleBiFunction<Field, String> frequencies(Connection c,
                                                                                  MatchModelJson model,
                                                                                  List<Demographics> records)
            throws SQLException {
        List<String> fields = new ArrayList<>(List.of("g", "f"));
        List<String> names = new ArrayList<>(List.of("", ""));
        for (Demographics d : records) {
            if (d.given() != null) {
                fields.add("g");
                names.add(d.given());
            }
            if (d.family() != null) {
                fields.add("f");
                names.add(d.family());
            }
        }
        Map<String, Long> counts = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(NAME_COUNTS)) {
            ps.setArray(1, c.createArrayOf("char", fields.toArray()));
            ps.setArray(2, c.createArrayOf("text", names.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    counts.put(rs.getString(1) + ":" + rs.getString(2), rs.getLong(3));
                }
            }
        }
        return shares(model, counts);
    }

    /**
     * The term frequencies matching uses, from {@code counts} of source records by {@code g:name} / {@code f:name}
     * ({@code g:} and {@code f:} alone: the records holding the field). Pure.
     */
    static java.util.function.ToDoubleBiFunction<Field, String> shares(MatchModelJson model, Map<String, Long> counts) {
        return (field, value) -> {
            double listed = model.frequency(field, value);
            if (listed > 0 || value == null || (field != Field.GIVEN && field != Field.FAMILY)) {
                return listed;
            }
            String f = field == Field.GIVEN ? "g:" : "f:";
            long total = counts.getOrDefault(f, 0L);
            if (total < MIN_RECORDS_FOR_FREQUENCIES) {
                return 0;
            }
            double share = (double) counts.getOrDefault(f + value, 0L) / total;
            return share > model.model().u()[field.ordinal()][0] ? share : 0;
        };
    }

    /**
     * Counts the given and family names of newly filed source records in {@code name_frequency}, and the records
     * holding each field (the empty name), in one statement.
     */
    public void countNames(List<Demographics> filed) {
        Map<String, Long> counts = new java.util.TreeMap<>();
        for (Demographics d : filed) {
            if (d.given() != null) {
                counts.merge("g:" + d.given(), 1L, Long::sum);
                counts.merge("g:", 1L, Long::sum);
            }
            if (d.family() != null) {
                counts.merge("f:" + d.family(), 1L, Long::sum);
                counts.merge("f:", 1L, Long::sum);
            }
        }
        if (counts.isEmpty()) {
            return;
        }
        List<String> fields = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<Long> n = new ArrayList<>();
        counts.forEach((k, v) -> {
            fields.add(k.substring(0, 1));
            names.add(k.substring(2));
            n.add(v);
        });
        // in key order, so two filings touch the rows in one order
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO name_frequency (field, name, records) SELECT * FROM unnest(?::char[], ?::text[],"
                        + " ?::bigint[]) ON CONFLICT (field, name) DO UPDATE SET records = name_frequency.records"
                        + " + EXCLUDED.records")) {
            ps.setArray(1, c.createArrayOf("char", fields.toArray()));
            ps.setArray(2, c.createArrayOf("text", names.toArray()));
            ps.setArray(3, c.createArrayOf("bigint", n.toArray()));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new DataAccessException("counting names failed", e);
        }
    }

    /** The score, exact name agreements weighed by how common the name is (when the model lists it). */
    static double score(MatchModelJson model, int[] vector, Demographics incoming) {
        return model.model().score(vector, incoming, model::frequency);
    }

    /** The decision's explanation: each field's level and weight, the total, the thresholds, the model. */
    private String explain(MatchModelJson model, int[] vector, double score, int persons, Demographics incoming,
                           java.util.function.ToDoubleBiFunction<Field, String> frequency) {
        ObjectNode doc = JSON.createObjectNode();
        ArrayNode fields = doc.putArray("fields");
        for (Field f : Field.values()) {
            int level = vector[f.ordinal()];
            ObjectNode field = fields.addObject();
            field.put("field", MatchModelJson.name(f));
            field.put("level", level == Field.MISSING ? "missing" : f.levels().get(level));
            // an exact name agreement with the weight its frequency gave it, as the score counted it
            String name = f == Field.GIVEN ? incoming.given() : f == Field.FAMILY ? incoming.family() : null;
            double share = level == 0 && name != null ? frequency.applyAsDouble(f, name) : 0;
            field.put("weight", Math.round(model.model().weight(f, level, share) * 1000) / 1000.0);
            if (share > 0) {
                field.put("nameFrequency", Math.round(share * 1e6) / 1e6);
            }
        }
        doc.put("score", Math.round(score * 1000) / 1000.0);
        // names, birth date, sex and identifiers alone: a link needs at least the identity floor
        doc.put("identityScore", Math.round(model.model().identity(vector, incoming, frequency) * 1000) / 1000.0);
        doc.put("identityFloor", identityFloor);
        // birth dates that disagree outright need a national id, MRN, phone or street address in common to link
        doc.put("birthDateCorroborated", MatchModel.birthDateCorroborated(vector));
        // address, city, postcode, state and phone add at most this much together (MatchModel.LOCATION_CAP)
        doc.put("locationCap", MatchModel.LOCATION_CAP);
        doc.put("upperThreshold", upper);
        doc.put("lowerThreshold", lower);
        doc.put("model", model.version());
        doc.put("personsCompared", persons);
        return doc.toString();
    }

    /**
     * Stores the blocking keys of a batch's source records in one statement, after removing in another those of the
     * source records in {@code replaced} (filed before, whose keys are replaced).
     */
    public void storeBlockingKeys(Map<Long, Set<String>> keysBySourceRecord, Set<Long> replaced) {
        List<String> keys = new ArrayList<>();
        List<Long> ids = new ArrayList<>();
        keysBySourceRecord.forEach((id, ks) -> ks.forEach(k -> {
            keys.add(k);
            ids.add(id);
        }));
        try (Connection c = dataSource.getConnection()) {
            if (!replaced.isEmpty()) {
                try (PreparedStatement del = c.prepareStatement(
                        "DELETE FROM block_key WHERE source_record_id = ANY (?)")) {
                    del.setArray(1, c.createArrayOf("bigint", replaced.toArray()));
                    del.executeUpdate();
                }
            }
            if (keys.isEmpty()) {
                return;
            }
            try (PreparedStatement ins = c.prepareStatement("INSERT INTO block_key (key, source_record_id)"
                    + " SELECT hashtextextended(k, 0), s FROM unnest(?::text[], ?::bigint[]) AS u (k, s)"
                    + " ON CONFLICT DO NOTHING")) {
                ins.setArray(1, c.createArrayOf("text", keys.toArray()));
                ins.setArray(2, c.createArrayOf("bigint", ids.toArray()));
                ins.executeUpdate();
            }
        } catch (SQLException e) {
            throw new DataAccessException("storing blocking keys failed", e);
        }
    }

    /**
     * A decision to record.
     *
     * @param sourceRecordId the source record decided
     * @param submissionId   the submission that brought it
     * @param personId       the person it was filed under
     * @param decision       the decision
     */
    public record Decided(long sourceRecordId, String submissionId, String personId, MatchDecision decision) {
    }

    /**
     * Records a batch's decisions with their explanations in one statement, and opens the possible matches among
     * them for review in another.
     */
    public void recordDecisions(List<Decided> decided, Timestamp at) {
        if (decided.isEmpty()) {
            return;
        }
        int n = decided.size();
        Object[] sources = new Object[n];
        Object[] submissions = new Object[n];
        Object[] rules = new Object[n];
        Object[] persons = new Object[n];
        Object[] candidates = new Object[n];
        Object[] scores = new Object[n];
        Object[] models = new Object[n];
        Object[] explanations = new Object[n];
        for (int i = 0; i < n; i++) {
            Decided d = decided.get(i);
            sources[i] = d.sourceRecordId();
            submissions[i] = d.submissionId();
            rules[i] = d.decision().rule();
            persons[i] = d.personId();
            candidates[i] = d.decision().possiblePersonId();
            scores[i] = d.decision().score();
            models[i] = d.decision().modelVersion();
            explanations[i] = d.decision().explanation();
        }
        try (Connection c = dataSource.getConnection()) {
            Map<Long, Long> decisionIds = new HashMap<>();
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO match_decision (source_record_id,"
                    + " submission_id, decided_at, rule, enterprise_person_id, candidate_person_id, score,"
                    + " upper_threshold, lower_threshold, model_version, explanation)"
                    + " SELECT s, sub, ?, r, p, cand, sc, ?, ?, m, e::jsonb FROM unnest(?::bigint[], ?::varchar[],"
                    + " ?::varchar[], ?::varchar[], ?::varchar[], ?::float8[], ?::varchar[], ?::text[])"
                    + " AS d (s, sub, r, p, cand, sc, m, e) RETURNING id, source_record_id")) {
                ps.setTimestamp(1, at);
                ps.setDouble(2, upper);
                ps.setDouble(3, lower);
                ps.setArray(4, c.createArrayOf("bigint", sources));
                ps.setArray(5, c.createArrayOf("varchar", submissions));
                ps.setArray(6, c.createArrayOf("varchar", rules));
                ps.setArray(7, c.createArrayOf("varchar", persons));
                ps.setArray(8, c.createArrayOf("varchar", candidates));
                ps.setArray(9, c.createArrayOf("float8", scores));
                ps.setArray(10, c.createArrayOf("varchar", models));
                ps.setArray(11, c.createArrayOf("text", explanations));
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        decisionIds.put(rs.getLong(2), rs.getLong(1));
                    }
                }
            }
            List<Decided> possible = decided.stream().filter(d -> d.decision().possiblePersonId() != null).toList();
            if (possible.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO possible_match (source_record_id,"
                    + " candidate_person_id, score, decision_id, status, created_at)"
                    + " SELECT s, cand, sc, d, 'OPEN', ? FROM unnest(?::bigint[], ?::varchar[], ?::float8[],"
                    + " ?::bigint[]) AS pm (s, cand, sc, d)")) {
                ps.setTimestamp(1, at);
                ps.setArray(2, c.createArrayOf("bigint", possible.stream().map(Decided::sourceRecordId).toArray()));
                ps.setArray(3, c.createArrayOf("varchar",
                        possible.stream().map(d -> d.decision().possiblePersonId()).toArray()));
                ps.setArray(4, c.createArrayOf("float8", possible.stream().map(d -> d.decision().score()).toArray()));
                ps.setArray(5, c.createArrayOf("bigint",
                        possible.stream().map(d -> decisionIds.get(d.sourceRecordId())).toArray()));
                ps.executeUpdate();
            }
        } catch (SQLException e) {
            throw new DataAccessException("recording the match decisions failed", e);
        }
    }
}
