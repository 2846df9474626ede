package org.recordline.index.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.recordline.events.RecordValidated;
import org.recordline.index.FebrlPatients;
import org.recordline.testsupport.RecordlineStackResource;

/**
 * A poll's worth of submissions filed in one call, as the consumer files them, against the real database: records of
 * one person inside one batch find each other, a source record sent twice in a batch keeps one person, and the
 * clusters do not depend on the order inside the batch.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class BatchFilingTest {

    @Inject
    RecordFiling filing;

    @Inject
    AgroalDataSource db;

    @Inject
    BlockingKeyMaintenance maintenance;

    private static RecordFiling.Validated validated(String sourceKey, String patient) {
        return new RecordFiling.Validated(UUID.randomUUID().toString(), new RecordValidated(
                UUID.randomUUID().toString(), sourceKey.substring(0, sourceKey.indexOf('|')), sourceKey,
                Instant.now(), List.of(), patient));
    }

    private static String patient(String given, String family, String birthDate, String mrnSystem, String mrn) {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + mrnSystem + "\",\"value\":\"" + mrn
                + "\"}],\"name\":[{\"family\":\"" + family + "\",\"given\":[\"" + given + "\"]}],\"gender\":"
                + "\"female\",\"birthDate\":\"" + birthDate + "\",\"address\":[{\"line\":[\"17 Quarry Lane\"],"
                + "\"city\":\"Millbrook\",\"postalCode\":\"4471\"}],\"telecom\":[{\"system\":\"phone\","
                + "\"value\":\"0491 570 156\"}]}";
    }

    private Map<String, String[]> filed(String keyPrefix) throws Exception {
        Map<String, String[]> out = new HashMap<>();
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT source_record_key,"
                + " enterprise_person_id, match_rule FROM source_record WHERE source_record_key LIKE ?")) {
            ps.setString(1, keyPrefix + "%");
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new String[] {rs.getString(2), rs.getString(3)});
                }
            }
        }
        return out;
    }

    private long count(String sql, String arg) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (var rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void recordsOfOnePersonInOneBatchAreMatchedAgainstEachOther() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        List<RecordFiling.Validated> batch = List.of(
                validated("west-" + tag + "|1", patient("Philippa", "Underwood", "1961-07-23", "urn:oid:9.9.1", "W1")),
                validated("east-" + tag + "|7", patient("Phillipa", "Underwood", "1961-07-23", "urn:oid:9.9.2", "E7")),
                validated("west-" + tag + "|1", patient("Philippa", "Underwood", "1961-07-23", "urn:oid:9.9.1", "W1")),
                validated("north-" + tag + "|3", patient("Gwendolyn", "Ashcombe", "1939-01-30", "urn:oid:9.9.3",
                        "N3")));
        Map<String, Integer> result = QuarkusTransaction.requiringNew().call(() -> filing.fileAll(batch));
        assertEquals(4, result.get("filed"));

        String[] west = filed("west-" + tag).get("west-" + tag + "|1");
        String[] east = filed("east-" + tag).get("east-" + tag + "|7");
        String[] north = filed("north-" + tag).get("north-" + tag + "|3");
        assertEquals(west[0], east[0], "the second source's record of the same woman joins the first, in one batch");
        assertEquals("probabilistic", east[1]);
        assertEquals("same-source-record", west[1], "the batch's last copy of west|1 was a re-send");
        assertNotEquals(west[0], north[0]);
        assertEquals(2, count("SELECT count(*) FROM source_record WHERE enterprise_person_id = ?", west[0]));
        assertEquals(1, count("SELECT count(*) FROM match_decision d JOIN source_record s ON s.id ="
                + " d.source_record_id WHERE s.source_record_key = ?", "east-" + tag + "|7"));
        assertTrue(count("SELECT count(*) FROM block_key k JOIN source_record s ON s.id = k.source_record_id"
                + " WHERE s.source_record_key = ?", "west-" + tag + "|1") >= 5, "blocking keys stored once each");
        assertEquals(1, count("SELECT count(*) FROM golden_record WHERE enterprise_person_id = ?", west[0]));
        assertEquals(3, count("SELECT count(*) FROM record_resource r JOIN source_record s ON s.id ="
                + " r.source_record_id WHERE s.source_record_key LIKE ?", "%-" + tag + "|%"));
    }

    @Test
    void aPersonMergedAfterMatchingReadItsRecordsIsReplacedByTheSurvivor() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        QuarkusTransaction.requiringNew().call(() -> filing.fileAll(List.of(validated("old-" + tag + "|1",
                patient("Cordelia", "Fairweather", "1977-03-14", "urn:oid:9.9.4", "O1")))));
        String merged = filed("old-" + tag).get("old-" + tag + "|1")[0];
        // the state a filing sees when a technician's merge of that person commits after matching read its records:
        // the person is merged, its source record not yet moved
        String survivor = UUID.randomUUID().toString();
        try (var c = db.getConnection(); var st = c.createStatement()) {
            st.executeUpdate("INSERT INTO enterprise_person (id, created_at, updated_at) VALUES ('" + survivor
                    + "', now(), now())");
            st.executeUpdate("UPDATE enterprise_person SET merged_into = '" + survivor + "' WHERE id = '" + merged
                    + "'");
        }
        QuarkusTransaction.requiringNew().call(() -> filing.fileAll(List.of(validated("new-" + tag + "|2",
                patient("Cordelia", "Fairweather", "1977-03-14", "urn:oid:9.9.5", "N2")))));
        String[] filedUnder = filed("new-" + tag).get("new-" + tag + "|2");
        assertEquals("probabilistic", filedUnder[1]);
        assertEquals(survivor, filedUnder[0], "filed under the person the match was merged into, not the merged one");
        assertEquals(1, count("SELECT count(*) FROM match_decision d JOIN source_record s ON s.id ="
                + " d.source_record_id WHERE s.source_record_key = ? AND d.enterprise_person_id = '" + survivor
                + "'", "new-" + tag + "|2"));
    }

    @Test
    void theSameRecordsInOneBatchInAnotherOrderEndInTheSameClusters() throws Exception {
        List<String[]> people = FebrlPatients.people(40);
        String run = UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> first = fileInOneBatch("febrl-1-" + run, people);
        // the second order must not find the first's records: take them out of the blocking index
        try (var c = db.getConnection(); var ps = c.prepareStatement("DELETE FROM block_key WHERE source_record_id"
                + " IN (SELECT id FROM source_record WHERE source_record_key LIKE ?)")) {
            ps.setString(1, "febrl-1-" + run + "|%");
            assertTrue(ps.executeUpdate() > 0);
        }
        List<String[]> shuffled = new ArrayList<>(people);
        Collections.shuffle(shuffled, new Random(11));
        Map<String, String> second = fileInOneBatch("febrl-2-" + run, shuffled);
        int together = 0;
        for (String[] x : people) {
            for (String[] y : people) {
                boolean a = first.get(x[0]).equals(first.get(y[0]));
                assertEquals(a, second.get(x[0]).equals(second.get(y[0])), x[0] + " and " + y[0]);
                together += a && x != y ? 1 : 0;
            }
        }
        // every one of the 40 originals has at least one duplicate: most of them are found inside the batch
        assertTrue(together / 2 >= people.size() - 40 - 4, "pairs linked in one batch: " + together / 2);
    }

    private Map<String, String> fileInOneBatch(String system, List<String[]> people) throws Exception {
        List<RecordFiling.Validated> batch = people.stream()
                .map(c -> validated(system + "|" + c[0], FebrlPatients.patient(c))).toList();
        QuarkusTransaction.requiringNew().call(() -> filing.fileAll(batch));
        Map<String, String> out = new HashMap<>();
        filed(system + "|").forEach((k, v) -> out.put(k.substring(k.indexOf('|') + 1), v[0]));
        assertEquals(people.size(), out.size());
        return out;
    }

    private TreeSet<Long> keysOf(String sourceKey) throws Exception {
        TreeSet<Long> out = new TreeSet<>();
        try (var c = db.getConnection(); var ps = c.prepareStatement("SELECT k.key FROM block_key k JOIN source_record"
                + " s ON s.id = k.source_record_id WHERE s.source_record_key = ?")) {
            ps.setString(1, sourceKey);
            try (var rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    @Test
    void keysOfAnOlderRulesVersionAreRebuiltFromTheStoredDemographics() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String key = "rekey-" + tag + "|1";
        QuarkusTransaction.requiringNew().call(() -> filing.fileAll(List.of(validated(key,
                patient("Rosalind", "Okafor", "1958-09-30", "urn:oid:9.9.6", "R1")))));
        TreeSet<Long> current = keysOf(key);
        assertTrue(current.size() >= 5, current.toString());
        assertEquals(0, maintenance.rebuildIfOutdated(), "keys of the current version are left alone");
        // the state after an upgrade whose rules changed: version 1 keys, unlike the current ones
        try (var c = db.getConnection(); var st = c.createStatement()) {
            st.executeUpdate("DELETE FROM block_key WHERE source_record_id = (SELECT id FROM source_record WHERE"
                    + " source_record_key = '" + key + "')");
            st.executeUpdate("INSERT INTO block_key (key, source_record_id) SELECT hashtextextended('fy:old', 0), id"
                    + " FROM source_record WHERE source_record_key = '" + key + "'");
            st.executeUpdate("UPDATE blocking_rules SET version = 1");
        }
        assertEquals(1, keysOf(key).size());
        assertTrue(maintenance.rebuildIfOutdated() >= 1);
        assertEquals(current, keysOf(key), "the rebuilt keys are the ones a filing stores");
        assertEquals(org.recordline.index.domain.matching.Blocking.VERSION, count("SELECT version FROM blocking_rules"
                + " WHERE rebuilt_at IS NOT NULL AND 'x' = ?", "x"));
    }

    @Test
    void eachNewSourceRecordCountsItsNamesOnce() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String family = "Quennell" + tag.replaceAll("[0-9]", "");
        String stored = family.toLowerCase(java.util.Locale.ROOT);
        long before = count("SELECT coalesce(sum(records), 0) FROM name_frequency WHERE field = 'f' AND name = ''"
                + " AND 'x' = ?", "x");
        RecordFiling.Validated first = validated("tf-" + tag + "|1", patient("Imogen", family, "1966-05-04",
                "urn:oid:9.9.7", "T1"));
        // the first record, the same record re-sent in the batch, and another source's record of her
        QuarkusTransaction.requiringNew().call(() -> filing.fileAll(List.of(first, validated("tf-" + tag + "|1",
                patient("Imogen", family, "1966-05-04", "urn:oid:9.9.7", "T1")), validated("tg-" + tag + "|2",
                patient("Imogen", family, "1966-05-04", "urn:oid:9.9.8", "T2")))));
        // and the first re-sent again later
        QuarkusTransaction.requiringNew().call(() -> filing.fileAll(List.of(validated("tf-" + tag + "|1",
                patient("Imogen", family, "1966-05-04", "urn:oid:9.9.7", "T1")))));
        assertEquals(2, count("SELECT records FROM name_frequency WHERE field = 'f' AND name = ?", stored));
        assertEquals(before + 2, count("SELECT records FROM name_frequency WHERE field = 'f' AND name = ''"
                + " AND 'x' = ?", "x"));
    }
}
