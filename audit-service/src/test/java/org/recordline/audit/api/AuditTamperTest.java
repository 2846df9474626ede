package org.recordline.audit.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.security.KeyPair;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.recordline.audit.domain.AuditChain;
import org.recordline.audit.domain.Checkpoint;
import org.recordline.audit.domain.CheckpointSigner;
import org.recordline.audit.domain.LogVerifier;
import org.recordline.audit.domain.MerkleTree;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.Topics;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.TopicClient;

/**
 * The verifier against a log tampered with directly in the database, as a superuser with the triggers disabled:
 * each kind of tampering is made in a transaction, verified inside it and rolled back, so the service's log is left
 * as it was. Each must be caught, at its position.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class AuditTamperTest {

    private static String auditor() {
        return RecordlineStackResource.tokens().token("audrey", "auditor");
    }

    @FunctionalInterface
    interface Tampering {
        void apply(Connection c) throws SQLException;
    }

    /** Five entries of a new submission, appended and covered by a checkpoint; returns their seqs. */
    private static List<Long> fiveEntriesCheckpointed() {
        String submission = UUID.randomUUID().toString();
        TopicClient topics = new TopicClient(RecordlineStackResource.broker().bootstrapServers());
        for (int i = 0; i < 5; i++) {
            AuditEvent e = new AuditEvent(UUID.randomUUID().toString(), Instant.now(), "test-service", "step." + i,
                    "success", "svc", submission, "ehr-x|p" + i, "ingest", "n=" + i,
                    AuditEvent.Context.patient("person-" + i, List.of("ehr-x|p" + i)));
            topics.publish(Topics.AUDIT, submission, EventFixtures.headers(e.eventId(), EventTypes.AUDIT, submission),
                    EventCodec.encode(e));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("submission", submission).when().get("/audit/events").then().statusCode(200)
                .body("findAll { it.service == 'test-service' }.size()", equalTo(5)));
        List<Long> seqs = given().auth().oauth2(auditor()).queryParam("submission", submission).when()
                .get("/audit/events").then().extract().jsonPath()
                .getList("findAll { it.service == 'test-service' }.seq", Long.class);
        given().auth().oauth2(auditor()).when().post("/audit/checkpoints").then().statusCode(200);
        return seqs;
    }

    /** The key the test stack gave the service (not the one it serves). */
    private static PublicKey serviceKey() {
        return CheckpointSigner.read(RecordlineStackResource.checkpointKeyFile()).getPublic();
    }

    private static Checkpoint latest() {
        JsonPath c = given().auth().oauth2(auditor()).when().get("/audit/checkpoints/latest").then().statusCode(200)
                .extract().jsonPath();
        return new Checkpoint(c.getLong("treeSize"), MerkleTree.unhex(c.getString("rootHash")),
                Instant.parse(c.getString("createdAt")), c.getString("keyId"),
                Base64.getDecoder().decode(c.getString("signature")));
    }

    /** Tampers in a transaction, verifies inside it, rolls back. */
    private static LogVerifier.Result tampered(List<Checkpoint> external, Tampering tampering) throws Exception {
        return tampered(external, tampering, 1, Long.MAX_VALUE);
    }

    /** Tampers in a transaction, verifies entries {@code from} to {@code to} inside it, rolls back. */
    private static LogVerifier.Result tampered(List<Checkpoint> external, Tampering tampering, long from, long to)
            throws Exception {
        LogVerifier verifier = new LogVerifier(List.of(serviceKey()));
        try (Connection c = RecordlineStackResource.database().connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE audit.audit_entry DISABLE TRIGGER USER");
                st.execute("ALTER TABLE audit.audit_checkpoint DISABLE TRIGGER USER");
            }
            try {
                tampering.apply(c);
                return verifier.verify(c, "audit", external, from, to);
            } finally {
                c.rollback();
            }
        }
    }

    private static void update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            ps.executeUpdate();
        }
    }

    /** Re-hashes the chain from {@code from} on, as a careful forger would. */
    private static void rechain(Connection c, long from) throws SQLException {
        byte[] prev;
        try (PreparedStatement ps = c.prepareStatement("SELECT entry_hash FROM audit.audit_entry WHERE seq = ?")) {
            ps.setLong(1, from - 1);
            try (ResultSet rs = ps.executeQuery()) {
                prev = rs.next() ? rs.getBytes(1) : AuditChain.GENESIS;
            }
        }
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, event_id, occurred_at, service, action, outcome,"
                + " actor, submission_id, patient_ref, purpose, detail, context FROM audit.audit_entry WHERE seq >= ?"
                + " ORDER BY seq")) {
            ps.setLong(1, from);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    AuditEvent e = new AuditEvent(rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getString(4),
                            rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                            rs.getString(10), rs.getString(11));
                    byte[] h = AuditChain.hash(prev, rs.getLong(1), e, rs.getString(12));
                    update(c, "UPDATE audit.audit_entry SET prev_hash = ?, entry_hash = ? WHERE seq = ?", prev, h,
                            rs.getLong(1));
                    prev = h;
                }
            }
        }
    }

    @Test
    void anUntouchedLogVerifies() throws Exception {
        fiveEntriesCheckpointed();
        LogVerifier.Result r = tampered(List.of(latest()), c -> { });
        assertTrue(r.ok(), r.toString());
        assertTrue(r.entries() >= 5 && r.checkpoints() >= 1, r.toString());
    }

    @Test
    void aModifiedEntryIsNamed() throws Exception {
        long k = fiveEntriesCheckpointed().get(2);
        LogVerifier.Result r = tampered(List.of(), c -> update(c,
                "UPDATE audit.audit_entry SET patient_ref = 'ehr-x|someone-else' WHERE seq = ?", k));
        assertFalse(r.ok());
        assertEquals(k, r.position(), r.fault());
        assertTrue(r.fault().contains("modified"), r.fault());
    }

    @Test
    void aModifiedOrRemovedContextIsNamed() throws Exception {
        long k = fiveEntriesCheckpointed().get(3);
        LogVerifier.Result r = tampered(List.of(), c -> update(c,
                "UPDATE audit.audit_entry SET context = replace(context, 'person-3', 'person-9') WHERE seq = ?", k));
        assertFalse(r.ok());
        assertEquals(k, r.position(), r.fault());
        assertTrue(r.fault().contains("modified"), r.fault());
        r = tampered(List.of(), c -> update(c, "UPDATE audit.audit_entry SET context = NULL WHERE seq = ?", k));
        assertFalse(r.ok());
        assertEquals(k, r.position(), r.fault());
    }

    @Test
    void changedPatientIdsAreNamed() throws Exception {
        long k = fiveEntriesCheckpointed().get(1);
        // hiding an entry from a patient's accounting: the ids queries use, not the hashed fields
        LogVerifier.Result hidden = tampered(List.of(), c -> update(c,
                "UPDATE audit.audit_entry SET patient_ids = array_remove(patient_ids, 'person-1') WHERE seq = ?", k));
        assertFalse(hidden.ok());
        assertEquals(k, hidden.position(), hidden.fault());
        assertTrue(hidden.fault().contains("patient ids"), hidden.fault());
        // pinning it on someone else
        LogVerifier.Result added = tampered(List.of(), c -> update(c,
                "UPDATE audit.audit_entry SET patient_ids = patient_ids || 'person-77'::text WHERE seq = ?", k));
        assertFalse(added.ok());
        assertEquals(k, added.position(), added.fault());
        LogVerifier.Result cleared = tampered(List.of(), c -> update(c,
                "UPDATE audit.audit_entry SET patient_ids = NULL WHERE seq = ?", k));
        assertFalse(cleared.ok());
        assertEquals(k, cleared.position(), cleared.fault());
    }

    @Test
    void aRangeRecomputesItsEntriesAndTheCheckpointsCoverTheRest() throws Exception {
        List<Long> five = fiveEntriesCheckpointed();
        long k = five.get(2);
        Tampering fieldsOnly = c -> update(c, "UPDATE audit.audit_entry SET actor = 'mallory' WHERE seq = ?", k);
        // a change of fields alone is found where the entries are recomputed, and named
        LogVerifier.Result inside = tampered(List.of(), fieldsOnly, five.get(0), five.get(4));
        assertFalse(inside.ok());
        assertEquals(k, inside.position(), inside.fault());
        assertTrue(tampered(List.of(), fieldsOnly, five.get(3), five.get(4)).ok(), "outside the range it is not looked"
                + " at: that is what a range means");
        // a change of a stored hash outside the range breaks a checkpoint's root
        LogVerifier.Result hash = tampered(List.of(), c -> update(c, "UPDATE audit.audit_entry SET entry_hash ="
                + " sha256(entry_hash) WHERE seq = ?", k), five.get(4), five.get(4));
        assertFalse(hash.ok());
        assertTrue(hash.fault().contains("rewritten"), hash.fault());
        // over HTTP, on the untouched log, with the service's own key
        given().auth().oauth2(auditor()).queryParam("from", five.get(0)).queryParam("to", five.get(4)).when()
                .get("/audit/verify").then().statusCode(200).body("ok", equalTo(true))
                .body("from", equalTo(five.get(0).intValue())).body("fault", org.hamcrest.Matchers.nullValue());
        given().auth().oauth2(auditor()).queryParam("from", 5).queryParam("to", 4).when().get("/audit/verify").then()
                .statusCode(400);
        // a range beyond the log is not reported verified
        given().auth().oauth2(auditor()).queryParam("from", 1_000_000_000L).when().get("/audit/verify").then()
                .statusCode(400).body("detail", org.hamcrest.Matchers.containsString("log's size"));
    }

    @Test
    void aDeletedEntryIsNamed() throws Exception {
        long k = fiveEntriesCheckpointed().get(1);
        LogVerifier.Result r = tampered(List.of(), c -> update(c, "DELETE FROM audit.audit_entry WHERE seq = ?", k));
        assertFalse(r.ok());
        assertEquals(k, r.position(), r.fault());
        assertTrue(r.fault().contains("deleted"), r.fault());
    }

    @Test
    void anInsertedEntryIsNamed() throws Exception {
        long k = fiveEntriesCheckpointed().get(2);
        LogVerifier.Result r = tampered(List.of(), c -> {
            // make room at k (through negative numbers: the primary key is checked row by row), then insert a
            // well-formed entry chained to its predecessor
            update(c, "UPDATE audit.audit_entry SET seq = -seq WHERE seq >= ?", k);
            update(c, "UPDATE audit.audit_entry SET seq = -seq + 1 WHERE seq < 0");
            byte[] prev;
            try (PreparedStatement ps = c.prepareStatement("SELECT entry_hash FROM audit.audit_entry WHERE seq = ?")) {
                ps.setLong(1, k - 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertTrue(rs.next());
                    prev = rs.getBytes(1);
                }
            }
            AuditEvent forged = new AuditEvent(UUID.randomUUID().toString(), Instant.parse("2026-11-28T10:00:00Z"),
                    "index-service", "record.read", "success", "nobody", null, "ehr-x|p9", "TREAT", null);
            update(c, "INSERT INTO audit.audit_entry (seq, event_id, occurred_at, recorded_at, service, action,"
                    + " outcome, actor, submission_id, patient_ref, purpose, detail, prev_hash, entry_hash,"
                    + " patient_ids) VALUES (?, ?, ?, now(), ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ARRAY['ehr-x|p9'])", k,
                    forged.eventId(),
                    java.sql.Timestamp.from(forged.occurredAt()), forged.service(), forged.action(), forged.outcome(),
                    forged.actor(), null, forged.patientRef(), forged.purpose(), null, prev,
                    AuditChain.hash(prev, k, forged));
        });
        assertFalse(r.ok());
        assertEquals(k + 1, r.position(), r.fault());
        assertTrue(r.fault().contains("inserted before it"), r.fault());
    }

    @Test
    void reorderedEntriesAreNamed() throws Exception {
        long k = fiveEntriesCheckpointed().get(1);
        LogVerifier.Result r = tampered(List.of(), c -> {
            update(c, "UPDATE audit.audit_entry SET seq = -1 WHERE seq = ?", k);
            update(c, "UPDATE audit.audit_entry SET seq = ? WHERE seq = ?", k, k + 1);
            update(c, "UPDATE audit.audit_entry SET seq = ? WHERE seq = -1", k + 1);
        });
        assertFalse(r.ok());
        assertEquals(k, r.position(), r.fault());
        assertTrue(r.fault().contains("reordered"), r.fault());
    }

    @Test
    void aRewrittenHistoryWithTheChainRehashedIsCaughtByTheCheckpoints() throws Exception {
        long k = fiveEntriesCheckpointed().get(3);
        LogVerifier.Result r = tampered(List.of(), c -> {
            update(c, "UPDATE audit.audit_entry SET actor = 'someone-else' WHERE seq = ?", k);
            rechain(c, k);
        });
        assertFalse(r.ok());
        assertTrue(r.fault().contains("rewritten"), r.fault());
        assertTrue(r.position() >= k, "the first checkpoint at or after the change: " + r);
    }

    @Test
    void aTruncatedLogIsCaughtAndAnOldCheckpointReplayedIsCaughtByOneKeptOutside() throws Exception {
        List<Long> seqs = fiveEntriesCheckpointed();
        Checkpoint kept = latest();
        long k = seqs.get(2);
        // the tail cut off, checkpoints left: the latest checkpoint covers more than the log holds
        LogVerifier.Result cut = tampered(List.of(), c -> update(c,
                "DELETE FROM audit.audit_entry WHERE seq >= ?", k));
        assertFalse(cut.ok());
        assertEquals(k, cut.position(), cut.fault());
        assertTrue(cut.fault().contains("truncated"), cut.fault());
        // the log and its checkpoint table rolled back, the chain head left: the head names the lost entries
        Tampering tail = c -> {
            update(c, "DELETE FROM audit.audit_entry WHERE seq >= ?", k);
            update(c, "DELETE FROM audit.audit_checkpoint WHERE tree_size >= ?", k);
        };
        LogVerifier.Result headless = tampered(List.of(), tail);
        assertFalse(headless.ok());
        assertTrue(headless.fault().contains("chain head names entry"), headless.fault());
        // rolled back together with the head: consistent in the database, caught only by a checkpoint kept outside
        Tampering rollBack = c -> {
            tail.apply(c);
            update(c, "UPDATE audit.audit_chain_head SET last_seq = ?, last_hash = (SELECT entry_hash FROM"
                    + " audit.audit_entry WHERE seq = ?)", k - 1, k - 1);
        };
        assertTrue(tampered(List.of(), rollBack).ok(), "without an outside copy, an older state looks whole");
        LogVerifier.Result replayed = tampered(List.of(kept), rollBack);
        assertFalse(replayed.ok());
        assertTrue(replayed.fault().contains("truncated"), replayed.fault());
    }

    @Test
    void aCheckpointSignedByAnotherKeyIsForged() throws Exception {
        fiveEntriesCheckpointed();
        Checkpoint real = latest();
        KeyPair other = CheckpointSigner.generate();
        java.security.Signature s = java.security.Signature.getInstance("Ed25519");
        s.initSign(other.getPrivate());
        s.update(real.note().getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Checkpoint forged = new Checkpoint(real.treeSize(), real.rootHash(), real.createdAt(),
                CheckpointSigner.keyId(other.getPublic()), s.sign());
        LogVerifier.Result r = tampered(List.of(forged), c -> { });
        assertFalse(r.ok());
        assertTrue(r.fault().contains("forged") && r.fault().contains("untrusted"), r.fault());
    }
}
