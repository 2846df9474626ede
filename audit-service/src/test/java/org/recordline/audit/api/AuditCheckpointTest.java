package org.recordline.audit.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.recordline.audit.domain.Checkpoint;
import org.recordline.audit.domain.CheckpointSigner;
import org.recordline.audit.domain.MerkleTree;
import org.recordline.events.AuditCheckpoint;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.Topics;
import org.recordline.testsupport.Database;
import org.recordline.testsupport.DatabaseRoles;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.TopicClient;

/**
 * The log's Merkle tree on the running service: signed checkpoints whose roots match the entries in the database,
 * inclusion and consistency proofs that verify with the hashes alone, a head from before the tree catching up, and
 * checkpoints nobody can change.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class AuditCheckpointTest {

    private static String auditor() {
        return RecordlineStackResource.tokens().token("audrey", "auditor");
    }

    /** Publishes {@code n} events of one new submission and waits until the log holds them; returns their seqs. */
    private static List<Long> appended(int n) {
        String submission = UUID.randomUUID().toString();
        TopicClient topics = new TopicClient(RecordlineStackResource.broker().bootstrapServers());
        for (int i = 0; i < n; i++) {
            AuditEvent e = new AuditEvent(UUID.randomUUID().toString(), Instant.now(), "test-service", "step." + i,
                    "success", "svc", submission, null, "ingest", null);
            topics.publish(Topics.AUDIT, submission, EventFixtures.headers(e.eventId(), EventTypes.AUDIT, submission),
                    EventCodec.encode(e));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("submission", submission).when().get("/audit/events").then().statusCode(200)
                .body("findAll { it.service == 'test-service' }.size()", equalTo(n)));
        return given().auth().oauth2(auditor()).queryParam("submission", submission).when().get("/audit/events")
                .then().extract().jsonPath().getList("findAll { it.service == 'test-service' }.seq", Long.class);
    }

    private static JsonPath checkpointNow() {
        return given().auth().oauth2(auditor()).when().post("/audit/checkpoints").then().statusCode(200)
                .extract().jsonPath();
    }

    private static Checkpoint checkpoint(JsonPath c) {
        return new Checkpoint(c.getLong("treeSize"), MerkleTree.unhex(c.getString("rootHash")),
                Instant.parse(c.getString("createdAt")), c.getString("keyId"),
                Base64.getDecoder().decode(c.getString("signature")));
    }

    /** The root of the first {@code size} entries, from the database's entry hashes (read as the superuser). */
    private static byte[] rootFromTheTable(long size) throws SQLException {
        List<byte[]> leaves = new ArrayList<>();
        try (Connection c = RecordlineStackResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT entry_hash FROM audit.audit_entry WHERE seq <= ? ORDER BY seq")) {
            ps.setLong(1, size);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    leaves.add(MerkleTree.leafHash(rs.getBytes(1)));
                }
            }
        }
        assertEquals(size, leaves.size());
        return MerkleTree.root(MerkleTree.Leaves.of(leaves), size);
    }

    private static byte[] entryHash(long seq) throws SQLException {
        try (Connection c = RecordlineStackResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT entry_hash FROM audit.audit_entry WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                return rs.getBytes(1);
            }
        }
    }

    private static PublicKey key() throws Exception {
        JsonPath k = given().auth().oauth2(auditor()).when().get("/audit/checkpoints/key").then().statusCode(200)
                .body("algorithm", equalTo("Ed25519")).extract().jsonPath();
        PublicKey key = CheckpointSigner.publicKey(k.getString("publicKey"));
        assertEquals(CheckpointSigner.keyId(key), k.getString("keyId"));
        // the key the service was given, not one it made: the test stack's key file
        PublicKey configured = CheckpointSigner.read(RecordlineStackResource.checkpointKeyFile()).getPublic();
        assertEquals(java.util.HexFormat.of().formatHex(configured.getEncoded()),
                java.util.HexFormat.of().formatHex(key.getEncoded()));
        return configured;
    }

    @Test
    void checkpointsAreSignedAndProveEveryEntryAndTheLogsGrowth() throws Exception {
        List<Long> seqs = appended(3);
        Checkpoint first = checkpoint(checkpointNow());
        assertTrue(first.treeSize() >= seqs.get(2), "the checkpoint covers the entries appended before it");
        PublicKey key = key();
        assertTrue(first.verify(key), "signed by the service's key");
        byte[] other = first.rootHash().clone();
        other[0] ^= 1;
        assertFalse(new Checkpoint(first.treeSize(), other, first.createdAt(), first.keyId(), first.signature())
                .verify(key), "the signature covers the root");
        assertFalse(new Checkpoint(first.treeSize() - 1, first.rootHash(), first.createdAt(), first.keyId(),
                first.signature()).verify(key), "and the size");
        assertEquals(MerkleTree.hex(rootFromTheTable(first.treeSize())), MerkleTree.hex(first.rootHash()));

        // each entry is in the checkpointed tree, proved by its audit path
        for (long seq : seqs) {
            JsonPath proof = given().auth().oauth2(auditor()).queryParam("seq", seq)
                    .queryParam("treeSize", first.treeSize()).when().get("/audit/proofs/inclusion").then()
                    .statusCode(200).extract().jsonPath();
            List<byte[]> path = proof.getList("path", String.class).stream().map(MerkleTree::unhex).toList();
            byte[] leaf = MerkleTree.leafHash(entryHash(seq));
            assertEquals(MerkleTree.hex(leaf), proof.getString("leafHash"));
            assertTrue(MerkleTree.verifyInclusion(seq - 1, first.treeSize(), leaf, path, first.rootHash()),
                    "entry " + seq);
            assertFalse(MerkleTree.verifyInclusion(seq - 1, first.treeSize(), MerkleTree.leafHash(new byte[32]),
                    path, first.rootHash()), "another entry at that place is not");
        }

        // the log grows; the later checkpoint's tree extends the earlier one's
        appended(2);
        Checkpoint second = checkpoint(checkpointNow());
        assertTrue(second.treeSize() > first.treeSize());
        assertTrue(second.verify(key));
        given().auth().oauth2(auditor()).when().get("/audit/checkpoints/latest").then().statusCode(200)
                .body("treeSize", equalTo((int) second.treeSize()));
        JsonPath consistency = given().auth().oauth2(auditor()).queryParam("first", first.treeSize())
                .queryParam("second", second.treeSize()).when().get("/audit/proofs/consistency").then()
                .statusCode(200).extract().jsonPath();
        List<byte[]> path = consistency.getList("path", String.class).stream().map(MerkleTree::unhex).toList();
        assertTrue(MerkleTree.verifyConsistency(first.treeSize(), second.treeSize(), first.rootHash(),
                second.rootHash(), path));
        byte[] rewritten = first.rootHash().clone();
        rewritten[31] ^= 1;
        assertFalse(MerkleTree.verifyConsistency(first.treeSize(), second.treeSize(), rewritten, second.rootHash(),
                path), "a first tree with another history is not extended by the second");
    }

    @Test
    void everyCheckpointIsPublishedForKeepersOutsideTheDatabase() throws Exception {
        appended(2);
        Checkpoint made = checkpoint(checkpointNow());
        TopicClient topics = new TopicClient(RecordlineStackResource.broker().bootstrapServers());
        await().atMost(Duration.ofSeconds(30)).until(() -> topics.find(Topics.AUDIT_CHECKPOINTS,
                r -> EventCodec.decode(r.value(), AuditCheckpoint.class).treeSize() == made.treeSize()).size() == 1);
        var record = topics.find(Topics.AUDIT_CHECKPOINTS,
                r -> EventCodec.decode(r.value(), AuditCheckpoint.class).treeSize() == made.treeSize()).get(0);
        assertEquals(AuditCheckpoint.LOG, record.key());
        assertEquals(EventTypes.AUDIT_CHECKPOINT, TopicClient.header(record, "ce_type"));
        AuditCheckpoint published = EventCodec.decode(record.value(), AuditCheckpoint.class);
        // a keeper checks it with the key it holds, from the published fields alone
        Checkpoint kept = new Checkpoint(published.treeSize(), MerkleTree.unhex(published.rootHash()),
                published.createdAt(), published.keyId(), Base64.getDecoder().decode(published.signature()));
        assertTrue(kept.verify(key()));
        assertEquals(kept.note(), published.note());
        assertEquals(MerkleTree.hex(rootFromTheTable(published.treeSize())), published.rootHash());
        // every checkpoint in the table went out, each once, in order of size
        List<Long> sizes = topics.find(Topics.AUDIT_CHECKPOINTS, r -> true).stream()
                .map(r -> EventCodec.decode(r.value(), AuditCheckpoint.class).treeSize()).toList();
        List<Long> stored = new ArrayList<>();
        try (Connection c = RecordlineStackResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT tree_size FROM audit.audit_checkpoint WHERE tree_size <= ? ORDER BY tree_size")) {
            ps.setLong(1, made.treeSize());
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    stored.add(rs.getLong(1));
                }
            }
        }
        assertEquals(stored, sizes.stream().filter(n -> n <= made.treeSize()).toList());
    }

    @Test
    void aHeadFromBeforeTheTreeCatchesUpOnTheNextAppend() throws Exception {
        appended(1);
        // as a log from before the tree was kept: the head knows no tree
        try (Connection c = RecordlineStackResource.database().connect(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE audit.audit_chain_head SET tree_size = 0, tree_frontier = ''::bytea");
        }
        appended(1);
        Checkpoint cp = checkpoint(checkpointNow());
        assertEquals(MerkleTree.hex(rootFromTheTable(cp.treeSize())), MerkleTree.hex(cp.rootHash()));
        try (Connection c = RecordlineStackResource.database().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT last_seq, tree_size FROM audit.audit_chain_head")) {
            assertTrue(rs.next());
            assertEquals(rs.getLong(1), rs.getLong(2), "the head's tree holds every entry");
        }
    }

    @Test
    void checkpointsCannotBeChangedAndProofsCheckTheirParameters() throws Exception {
        appended(1);
        checkpointNow();
        Database db = RecordlineStackResource.database();
        try (Connection app = db.connect(DatabaseRoles.AUDIT); Statement st = app.createStatement()) {
            st.execute("SET search_path = audit");
            SQLException update = assertThrows(SQLException.class,
                    () -> st.executeUpdate("UPDATE audit_checkpoint SET key_id = 'x'"));
            assertEquals("42501", update.getSQLState());
            assertThrows(SQLException.class, () -> st.executeUpdate("DELETE FROM audit_checkpoint"));
        }
        try (Connection owner = db.connect(); Statement st = owner.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> st.executeUpdate("DELETE FROM audit.audit_checkpoint"));
            assertTrue(e.getMessage().contains("audit_checkpoint is append-only"), e.getMessage());
        }
        long size = given().auth().oauth2(auditor()).when().get("/audit/checkpoints/latest").then().statusCode(200)
                .extract().jsonPath().getLong("treeSize");
        given().auth().oauth2(auditor()).queryParam("seq", 0).when().get("/audit/proofs/inclusion").then()
                .statusCode(400).contentType("application/problem+json");
        given().auth().oauth2(auditor()).queryParam("seq", 1).queryParam("treeSize", Long.MAX_VALUE).when()
                .get("/audit/proofs/inclusion").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("treeSize"));
        given().auth().oauth2(auditor()).queryParam("seq", size + 1).queryParam("treeSize", size).when()
                .get("/audit/proofs/inclusion").then().statusCode(400);
        given().auth().oauth2(auditor()).queryParam("first", 3).queryParam("second", 2).when()
                .get("/audit/proofs/consistency").then().statusCode(400);
        given().auth().oauth2(auditor()).queryParam("first", "x").queryParam("second", 2).when()
                .get("/audit/proofs/consistency").then().statusCode(400);
        given().when().get("/audit/checkpoints/latest").then().statusCode(401);
        given().auth().oauth2(RecordlineStackResource.tokens().token("terry", "records-technician")).when()
                .get("/audit/proofs/inclusion?seq=1").then().statusCode(403);
    }
}
