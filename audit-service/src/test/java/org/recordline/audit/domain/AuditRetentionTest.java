package org.recordline.audit.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusMock;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.recordline.events.AuditEvent;
import org.recordline.testsupport.DatabaseRoles;
import org.recordline.testsupport.RecordlineStackResource;

/**
 * Monthly partitions and retention on a log of its own (schema {@code audit_retention}, made here for the schema's
 * owner, with no consumer), with the service's clock set to past dates: the database's own {@code now()} still decides
 * which months its retention floor lets go, so the months used are two and more years ago and the floor is lowered by
 * the owner, as a deployment with a shorter retention would do. The months are those of the year before last, so that
 * the database's six-year floor keeps them whenever the test runs.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
@TestProfile(AuditRetentionTest.OwnLog.class)
class AuditRetentionTest {

    static final String SCHEMA = "audit_retention";
    /** The year before last (UTC). */
    static final int YEAR = java.time.Year.now(java.time.ZoneOffset.UTC).getValue() - 2;

    /** A time of {@link #YEAR}: {@code at("03-10T08:00:00Z")}. */
    static String at(String monthDayTime) {
        return YEAR + "-" + monthDayTime;
    }

    /** The audit-service on a log of its own, its consumer off, its retention two months, checked only when asked. */
    public static final class OwnLog implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try (Connection c = RecordlineStackResource.database().connect(); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA IF EXISTS " + SCHEMA + " CASCADE");
                st.execute("CREATE SCHEMA " + SCHEMA + " AUTHORIZATION " + DatabaseRoles.AUDIT_OWNER);
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
            return Map.of(
                    "quarkus.datasource.jdbc.url", "jdbc:postgresql://${recordline.db.host}:${recordline.db.port}/"
                            + "${recordline.db.name}?currentSchema=" + SCHEMA,
                    "quarkus.flyway.schemas", SCHEMA,
                    "quarkus.hibernate-orm.database.default-schema", SCHEMA,
                    "mp.messaging.incoming.audit.enabled", "false",
                    "recordline.audit.retention", "P2M",
                    "recordline.audit.retention.check", "off",
                    "recordline.audit.checkpoint.idle-check", "off",
                    "recordline.audit.checkpoint.every", "500");
        }
    }

    /** A clock the test sets. */
    static final class SetClock extends AuditClock {
        volatile Instant now = Instant.now();

        @Override
        public Instant now() {
            return now;
        }
    }

    @Inject
    AuditLog log;

    @Inject
    AuditRetention retention;

    private final SetClock clock = new SetClock();

    @BeforeEach
    void setClock() {
        QuarkusMock.installMockForType(clock, AuditClock.class);
    }

    private static PublicKey serviceKey() {
        return CheckpointSigner.read(RecordlineStackResource.checkpointKeyFile()).getPublic();
    }

    private void append(String at, int n) {
        clock.now = Instant.parse(at);
        List<AuditEvent> batch = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String source = "ehr-r|" + UUID.randomUUID();
            batch.add(new AuditEvent(UUID.randomUUID().toString(), clock.now, "test-service", "record.read",
                    "success", "tech-" + (i % 3), null, source, "TREAT", "n=" + i,
                    AuditEvent.Context.patient("person-" + i, List.of(source))));
            if (batch.size() == 400 || i == n - 1) {
                log.appendAll(batch);
                batch = new ArrayList<>();
            }
        }
    }

    private static void sql(String statement) throws SQLException {
        try (Connection c = RecordlineStackResource.database().connect(); Statement st = c.createStatement()) {
            st.execute(statement);
        }
    }

    private static long count(String query) throws SQLException {
        try (Connection c = RecordlineStackResource.database().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery(query)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static LogVerifier.Result verify(PublicKey key) throws SQLException {
        try (Connection c = RecordlineStackResource.database().connect()) {
            return new LogVerifier(List.of(key)).verify(c, SCHEMA, List.of());
        }
    }

    @Test
    void oldMonthsGoWholeAndWhatRemainsStillVerifiesAndProves() throws Exception {
        // January: 700 entries; February: 1,500 (crossing a 1,024-leaf block); March: 600
        append(at("01-10T08:00:00Z"), 700);
        append(at("02-10T08:00:00Z"), 1500);
        append(at("03-10T08:00:00Z"), 600);
        // a clock gone back does not take the log back: recorded_at follows the log's order
        append(at("01-20T08:00:00Z"), 50);
        assertEquals(2850, log.size());
        assertEquals(0, count("SELECT count(*) FROM " + SCHEMA + ".audit_entry WHERE recorded_at < '"
                + at("03-10T00:00:00Z") + "' AND seq > 2200"));
        assertEquals(List.of("audit_entry_" + YEAR + "_01", "audit_entry_" + YEAR + "_02", "audit_entry_" + YEAR
                + "_03"), partitions());
        // every leaf as appended, to check proofs made after the removal against
        List<byte[]> leaves = new ArrayList<>();
        try (Connection c = RecordlineStackResource.database().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT entry_hash FROM " + SCHEMA + ".audit_entry ORDER BY seq")) {
            while (rs.next()) {
                leaves.add(MerkleTree.leafHash(rs.getBytes(1)));
            }
        }
        MerkleTree.Leaves all = MerkleTree.Leaves.of(leaves);
        Checkpoint before = log.checkpointNow();
        assertEquals(2850, before.treeSize());

        // the database refuses what its floor (six years) keeps, whatever the service's setting says
        clock.now = Instant.parse(at("05-15T00:00:00Z"));
        RuntimeException refused = assertThrows(RuntimeException.class, () -> retention.apply());
        assertTrue(refused.getMessage().contains("retention floor"), refused.getMessage());
        assertEquals(2850, count("SELECT count(*) FROM " + SCHEMA + ".audit_entry"));
        // nor may the service's own role lower the floor
        try (Connection c = RecordlineStackResource.database().connect(DatabaseRoles.AUDIT);
             Statement st = c.createStatement()) {
            assertThrows(SQLException.class, () -> st.executeUpdate("UPDATE " + SCHEMA + ".audit_settings"
                    + " SET retention_floor = INTERVAL '1 day'"));
        }

        // the owner lowers it; two months' retention on 15 May removes January and February, keeps March
        sql("UPDATE " + SCHEMA + ".audit_settings SET retention_floor = INTERVAL '1 month'");
        List<Instant> removed = retention.apply();
        assertEquals(List.of(Instant.parse(at("01-01T00:00:00Z")), Instant.parse(at("02-01T00:00:00Z"))), removed);
        assertEquals(List.of("audit_entry_" + YEAR + "_03"), partitions());
        assertEquals(650, count("SELECT count(*) FROM " + SCHEMA + ".audit_entry"));
        assertEquals(2201, count("SELECT min(seq) FROM " + SCHEMA + ".audit_entry"));
        assertEquals(2, count("SELECT count(*) FROM " + SCHEMA + ".audit_anchor"));
        assertEquals(2200, log.removed());

        // the rest verifies offline, from the anchor, against every checkpoint after it
        LogVerifier.Result r = verify(serviceKey());
        assertTrue(r.ok(), r.toString());
        assertEquals(2850, r.entries());
        assertEquals(2200, r.removed());
        // and the tree goes on: proofs of kept entries against the checkpoint signed before the removal
        for (long seq : new long[] {2201, 2500, 2850}) {
            AuditLog.Proof p = log.inclusionProof(seq - 1, 2850);
            assertTrue(MerkleTree.verifyInclusion(seq - 1, 2850, MerkleTree.leafHash(log.entryHash(seq)), p.path(),
                    before.rootHash()), "entry " + seq);
        }
        AuditLog.Proof consistency = log.consistencyProof(2400, 2850);
        assertTrue(MerkleTree.verifyConsistency(2400, 2850, consistency.firstRoot(), before.rootHash(),
                consistency.path()));
        // trees that end in the anchor's block (leaves 2,048 to 3,071; 2,048 to 2,199 removed, kept in the anchor)
        for (long[] sizes : new long[][] {{2100, 2150}, {2150, 2850}, {2048, 2201}, {1024, 2199}}) {
            AuditLog.Proof p = log.consistencyProof(sizes[0], sizes[1]);
            assertEquals(MerkleTree.hex(MerkleTree.root(all, sizes[0])), MerkleTree.hex(p.firstRoot()));
            assertEquals(MerkleTree.hex(MerkleTree.root(all, sizes[1])), MerkleTree.hex(p.root()));
            assertTrue(MerkleTree.verifyConsistency(sizes[0], sizes[1], p.firstRoot(), p.root(), p.path()),
                    sizes[0] + " to " + sizes[1]);
        }
        assertThrows(AuditLog.RemovedByRetention.class, () -> log.inclusionProof(99, 2850));

        // appending goes on after the anchor, and the log still verifies
        append(at("05-15T09:00:00Z"), 30);
        log.checkpointNow();
        assertTrue(verify(serviceKey()).ok());

        // an anchor another key signed, or whose frontier was changed, is not trusted: named, at its position
        java.security.KeyPair other = CheckpointSigner.generate();
        LogVerifier.Result untrusted = tamperedAnchor(c -> {
            RetentionAnchor anchor = RetentionAnchor.latest(c, SCHEMA);
            java.security.Signature sig = java.security.Signature.getInstance("Ed25519");
            sig.initSign(other.getPrivate());
            sig.update(anchor.note().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            try (PreparedStatement ps = c.prepareStatement("UPDATE " + SCHEMA + ".audit_anchor SET key_id = ?,"
                    + " signature = ? WHERE tree_size = 2200")) {
                ps.setString(1, CheckpointSigner.keyId(other.getPublic()));
                ps.setBytes(2, sig.sign());
                assertEquals(1, ps.executeUpdate());
            }
        });
        assertFalse(untrusted.ok());
        assertEquals(2200L, untrusted.position(), untrusted.fault());
        assertTrue(untrusted.fault().contains("retention anchor at entry 2200 is forged: signed by an untrusted key"),
                untrusted.fault());
        LogVerifier.Result forged = tamperedAnchor(c -> {
            try (Statement st = c.createStatement()) {
                st.executeUpdate("UPDATE " + SCHEMA + ".audit_anchor SET frontier = sha256(frontier)"
                        + " || substring(frontier from 33) WHERE tree_size = 2200");
            }
        });
        assertFalse(forged.ok());
        assertEquals(2200L, forged.position(), forged.fault());
        assertTrue(forged.fault().contains("forged"), forged.fault());
        // an entry of the removed months put back is named too
        LogVerifier.Result putBack = tamperedAnchor(c -> {
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + SCHEMA + ".audit_entry DISABLE TRIGGER USER");
                st.executeUpdate("UPDATE " + SCHEMA + ".audit_entry SET seq = 2199 WHERE seq = 2201");
            }
        });
        assertFalse(putBack.ok());
        assertEquals(2199L, putBack.position(), putBack.fault());
        assertTrue(verify(serviceKey()).ok(), "rolled back");
    }

    interface Tampering {
        void apply(Connection c) throws Exception;
    }

    /** Tampers as a superuser with the anchors' triggers off, verifies in the same transaction, rolls back. */
    private static LogVerifier.Result tamperedAnchor(Tampering tampering) throws Exception {
        try (Connection c = RecordlineStackResource.database().connect()) {
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.execute("ALTER TABLE " + SCHEMA + ".audit_anchor DISABLE TRIGGER USER");
                tampering.apply(c);
                return new LogVerifier(List.of(serviceKey())).verify(c, SCHEMA, List.of());
            } finally {
                c.rollback();
            }
        }
    }

    /** The log's partitions of {@link #YEAR} (the migration made one for the real month too). */
    private static List<String> partitions() throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = RecordlineStackResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        + " WHERE i.inhparent = '" + SCHEMA + ".audit_entry'::regclass"
                        + " AND c.relname LIKE 'audit_entry_" + YEAR + "%' ORDER BY 1");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
