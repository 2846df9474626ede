package org.recordline.audit.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.recordline.events.AuditEvent;
import org.recordline.testsupport.RecordlineStackResource;

/**
 * Appenders on separate database sessions at once, as two or more audit-service instances are (the chain head is a
 * row lock in PostgreSQL, so threads with their own connections take it exactly as processes do): they take turns
 * per batch, every event is in the log once, even one that two of them were handed (a rebalance redelivers a poll to
 * another instance), the sequence has no gap, and the whole log still verifies.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class AuditScaleOutTest {

    private static final int APPENDERS = 4;
    private static final int BATCHES = 25;
    private static final int BATCH = 40;

    @Inject
    AuditLog log;

    @Test
    void concurrentAppendersKeepOneGaplessChainAndTreeWithEveryEventOnce() throws Exception {
        String run = UUID.randomUUID().toString();
        // every batch shares a quarter of its events with the next appender's batch of the same number
        List<List<List<AuditEvent>>> work = new ArrayList<>();
        Set<String> distinct = new HashSet<>();
        for (int a = 0; a < APPENDERS; a++) {
            List<List<AuditEvent>> batches = new ArrayList<>();
            for (int b = 0; b < BATCHES; b++) {
                List<AuditEvent> batch = new ArrayList<>();
                for (int i = 0; i < BATCH; i++) {
                    int owner = i < BATCH / 4 ? (a + 1) % APPENDERS : a;
                    String id = run + "-" + owner + "-" + b + "-" + i;
                    distinct.add(id);
                    batch.add(new AuditEvent(id, Instant.now(), "test-service", "step", "success", "svc", run, null,
                            "ingest", "appender " + a));
                }
                batches.add(batch);
            }
            work.add(batches);
        }
        long before = log.size();
        ExecutorService pool = Executors.newFixedThreadPool(APPENDERS);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Long>> done = new ArrayList<>();
        try {
            for (List<List<AuditEvent>> batches : work) {
                done.add(pool.submit(() -> {
                    start.await();
                    long appended = 0;
                    for (List<AuditEvent> batch : batches) {
                        for (long seq : log.appendAll(batch)) {
                            appended += seq > 0 ? 1 : 0;
                        }
                    }
                    return appended;
                }));
            }
            start.countDown();
            long appended = 0;
            for (Future<Long> f : done) {
                appended += f.get();
            }
            assertEquals(distinct.size(), appended, "each distinct event appended once, whoever was handed it");
        } finally {
            pool.shutdownNow();
        }

        // every block the appenders completed was kept as it completed (before any proof could backfill one)
        long after = log.size();
        long firstBlock = (before + 1023) / 1024;
        long endBlock = after / 1024;
        try (Connection c = RecordlineStackResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM audit.audit_block WHERE idx >= ? AND idx < ?")) {
            ps.setLong(1, firstBlock);
            ps.setLong(2, endBlock);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertEquals(Math.max(0, endBlock - firstBlock), rs.getLong(1), "blocks " + firstBlock + " to "
                        + endBlock + " kept by the appends");
            }
        }
        assertTrue(endBlock - firstBlock >= 1, "the run completes at least one block");

        // the run's events: once each, and the log's sequence has no gap
        List<String> ids = new ArrayList<>();
        try (Connection c = RecordlineStackResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT event_id FROM audit.audit_entry WHERE submission_id = ? ORDER BY seq")) {
            ps.setString(1, run);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
            assertEquals(distinct, new HashSet<>(ids));
            assertEquals(distinct.size(), ids.size());
            try (PreparedStatement gaps = c.prepareStatement("SELECT count(*), max(seq) FROM audit.audit_entry");
                 ResultSet rs = gaps.executeQuery()) {
                rs.next();
                assertEquals(rs.getLong(2), rs.getLong(1), "seq runs 1 to the end without a gap");
                assertTrue(rs.getLong(2) >= before + distinct.size());
            }
            // the kept block roots are the roots of their entries, and proofs built on them verify against the root
            // of every entry hash in the table
            List<byte[]> leaves = new ArrayList<>();
            try (PreparedStatement all = c.prepareStatement("SELECT entry_hash FROM audit.audit_entry ORDER BY seq");
                 ResultSet rs = all.executeQuery()) {
                while (rs.next()) {
                    leaves.add(MerkleTree.leafHash(rs.getBytes(1)));
                }
            }
            long size = leaves.size();
            byte[] root = MerkleTree.root(MerkleTree.Leaves.of(leaves), size);
            for (long index : new long[] {0, 1023, 1024, size / 2, size - 1}) {
                AuditLog.Proof p = log.inclusionProof(index, size);
                assertTrue(MerkleTree.verifyInclusion(index, size, leaves.get((int) index), p.path(), root),
                        "inclusion of " + index);
                assertTrue(p.path().size() * 32 < 1024, "a proof under 1 KB");
            }
            for (long first : new long[] {1, 1024, 2048, size - 1}) {
                AuditLog.Proof p = log.consistencyProof(first, size);
                assertTrue(MerkleTree.verifyConsistency(first, size, MerkleTree.root(MerkleTree.Leaves.of(leaves),
                        first), root, p.path()), "consistency from " + first);
            }

            // (a block completed while the head caught up after a reset, elsewhere in these tests, is kept by a proof)
            int blocks = 0;
            try (PreparedStatement kept = c.prepareStatement("SELECT idx, hash FROM audit.audit_block WHERE idx < ?"
                    + " ORDER BY idx")) {
                kept.setLong(1, size / 1024);
                ResultSet rs = kept.executeQuery();
                while (rs.next()) {
                    int from = (int) rs.getLong(1) * 1024;
                    assertEquals(MerkleTree.hex(MerkleTree.root(MerkleTree.Leaves.of(leaves.subList(from,
                            from + 1024)), 1024)), MerkleTree.hex(rs.getBytes(2)), "block " + rs.getLong(1));
                    blocks++;
                }
            }
            assertEquals(size / 1024, blocks, "every whole block kept");

            // and the whole log, chain, tree and checkpoints, verifies
            log.checkpointNow();
            // one snapshot, as the verifier is run: the consumer may append meanwhile
            c.setAutoCommit(false);
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
            LogVerifier.Result r = new LogVerifier(List.of(CheckpointSigner.read(
                    RecordlineStackResource.checkpointKeyFile()).getPublic())).verify(c, "audit", List.of());
            c.rollback();
            assertTrue(r.ok(), r.toString());
        }
    }

    @Test
    void textCopyCouldMistakeForStructureIsStoredAsHashed() throws Exception {
        String awkward = "tab\there, line\nbreak, back\\slash \\N, quote\" {brace}, cr\r, \u00e9\ud83d\ude00";
        AuditEvent e = new AuditEvent(UUID.randomUUID().toString(),
                Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MICROS), "test-service", "record.read",
                "success", awkward, null, "ehr-x|" + awkward, "TREAT", awkward,
                AuditEvent.Context.patient("person-" + awkward, List.of("ehr-y|" + awkward, "ehr-z|\\N")));
        long seq = log.appendAll(List.of(e))[0];
        try (Connection c = RecordlineStackResource.database().connect(); PreparedStatement ps = c.prepareStatement(
                "SELECT actor, patient_ref, detail, patient_ids, patient_ids = audit.audit_patient_ids(patient_ref,"
                        + " context), entry_hash, prev_hash FROM audit.audit_entry WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next());
                assertEquals(awkward, rs.getString(1));
                assertEquals("ehr-x|" + awkward, rs.getString(2));
                assertEquals(awkward, rs.getString(3));
                assertEquals(List.of("ehr-x|" + awkward, "person-" + awkward, "ehr-y|" + awkward, "ehr-z|\\N"),
                        List.of((String[]) rs.getArray(4).getArray()));
                assertTrue(rs.getBoolean(5), "the ids the database function derives from the stored context");
                // the stored hash is the one of the event as sent (nothing in it needed cutting)
                assertEquals(MerkleTree.hex(AuditChain.hash(rs.getBytes(7), seq, e)), MerkleTree.hex(rs.getBytes(6)));
            }
        }
        LogVerifier.Result r = log.verify(CheckpointSigner.read(RecordlineStackResource.checkpointKeyFile())
                .getPublic(), seq, seq);
        assertTrue(r.ok(), r.toString());
    }
}
