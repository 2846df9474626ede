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
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.events.AuditActions;
import org.recordline.events.AuditCheckpoint;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventTypes;
import org.recordline.events.Topics;

/**
 * Appends audit events to the hash-chained log, a batch at a time. Appends lock the chain head, so they are
 * serialised across threads and replicas; an event id already in the log is not appended again (idempotent consumer).
 */
@ApplicationScoped
public class AuditLog {

    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(AuditLog.class);

    private static final String LOCK_HEAD = "SELECT last_seq, last_hash, tree_size, tree_frontier, last_recorded_at"
            + " FROM audit_chain_head WHERE id = 1 FOR UPDATE";
    /**
     * Event ids already in the log, looked up in the partitions of this month and the one before: a redelivery (a
     * rebalance, a relay's retry) comes within the topic's retention (days), long before that.
     */
    private static final String EXISTING = "SELECT event_id FROM audit_entry WHERE event_id = ANY (?)"
            + " AND recorded_at >= ?";
    /** Entries go in with one binary COPY a chunk ({@link CopyBinary}), routed to their month's partition. */
    private static final String COPY = "COPY audit_entry (seq, recorded_at, prev_hash, entry_hash, event_id,"
            + " occurred_at, service, action, outcome, actor, submission_id, patient_ref, purpose, detail, context,"
            + " patient_ids) FROM STDIN WITH (FORMAT binary)";
    /**
     * The tree's leaves in aligned blocks of {@code 2^BLOCK_BITS} (1024): each block's root is kept in
     * {@code audit_block} as it completes, so that a proof reads the roots of whole blocks and the leaves of at most
     * a few blocks, not every entry hash.
     */
    static final int BLOCK_BITS = 10;
    static final int BLOCK_SIZE = 1 << BLOCK_BITS;
    private static final int BLOCK = BLOCK_SIZE;
    private static final String INSERT_BLOCK = "INSERT INTO audit_block (idx, hash) VALUES (?, ?)"
            + " ON CONFLICT (idx) DO NOTHING";
    /** The index-service's acts that file a source record under a person or move it to another. */
    static final Set<String> LINKING = Set.of(AuditActions.RECORD_INDEXED, AuditActions.PERSON_LINKED,
            AuditActions.PERSON_UNLINKED, AuditActions.PERSONS_MERGED, AuditActions.PERSONS_UNMERGED,
            AuditActions.MATCH_ACCEPTED);
    private static final String MOVE_HEAD = "UPDATE audit_chain_head SET last_seq = ?, last_hash = ?, tree_size = ?,"
            + " tree_frontier = ?, last_recorded_at = ? WHERE id = 1";
    private static final String ENTRY_HASHES = "SELECT seq, entry_hash FROM audit_entry WHERE seq > ? AND seq <= ?"
            + " ORDER BY seq";
    /** The latest checkpoints within the log's size; the newest one this service's key signed counts. */
    private static final String LATEST_CHECKPOINTS = "SELECT tree_size, root_hash, created_at, key_id, signature"
            + " FROM audit_checkpoint WHERE tree_size <= ? ORDER BY tree_size DESC LIMIT 20";
    private static final String INSERT_CHECKPOINT = "INSERT INTO audit_checkpoint (tree_size, root_hash, created_at,"
            + " key_id, signature) VALUES (?, ?, ?, ?, ?) ON CONFLICT (tree_size) DO NOTHING";

    private final AgroalDataSource dataSource;
    private final CheckpointSigner signer;
    private final OutboxWriter outbox;
    private final EventFactory events;
    private final long checkpointEvery;
    private final java.time.Duration checkpointInterval;
    private final String schema;
    private final AuditClock clock;

    public AuditLog(AgroalDataSource dataSource, CheckpointSigner signer, OutboxWriter outbox, AuditClock clock,
                    @org.eclipse.microprofile.config.inject.ConfigProperty(
                            name = "recordline.audit.checkpoint.every", defaultValue = "1000") long checkpointEvery,
                    @org.eclipse.microprofile.config.inject.ConfigProperty(
                            name = "recordline.audit.checkpoint.interval", defaultValue = "PT1M")
                    java.time.Duration checkpointInterval,
                    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "quarkus.flyway.schemas")
                    String schema) {
        this.schema = schema;
        this.clock = clock;
        this.dataSource = dataSource;
        this.signer = signer;
        this.outbox = outbox;
        this.events = new EventFactory("audit-service");
        this.checkpointEvery = checkpointEvery;
        this.checkpointInterval = checkpointInterval;
    }

    /**
     * The chain head as locked: the last entry, the Merkle tree's right edge, and when the last entry was recorded
     * (null before any was).
     */
    private record Head(long lastSeq, byte[] lastHash, MerkleTree.Frontier tree, Instant lastRecordedAt) {
    }

    /**
     * Locks the chain head and returns it with the tree caught up to the last entry (a head from before the tree was
     * kept, or after an upgrade, reads the entries it lacks once).
     */
    private static Head lockHead(Connection c) throws SQLException {
        long lastSeq;
        byte[] lastHash;
        long treeSize;
        byte[] frontier;
        Instant lastRecordedAt;
        try (PreparedStatement ps = c.prepareStatement(LOCK_HEAD); ResultSet rs = ps.executeQuery()) {
            rs.next();
            lastSeq = rs.getLong(1);
            lastHash = rs.getBytes(2);
            treeSize = rs.getLong(3);
            frontier = rs.getBytes(4);
            Timestamp at = rs.getTimestamp(5);
            lastRecordedAt = at == null ? null : at.toInstant();
        }
        List<byte[]> subtrees = RetentionAnchor.split(frontier);
        if (treeSize > lastSeq) {
            throw new DataAccessException("the audit chain head's tree holds " + treeSize + " entries, more than its"
                    + " last entry " + lastSeq + ": the head was altered", null);
        }
        MerkleTree.Frontier tree = new MerkleTree.Frontier(treeSize, subtrees);
        if (treeSize < lastSeq) {
            leafHashes(c, treeSize, lastSeq, tree::append);
        }
        return new Head(lastSeq, lastHash, tree, lastRecordedAt);
    }

    /**
     * Passes the leaf hashes of entries {@code after + 1} to {@code to}, in order, to {@code sink}; fails when one is
     * missing (the log is damaged).
     */
    private static void leafHashes(Connection c, long after, long to, java.util.function.Consumer<byte[]> sink)
            throws SQLException {
        long next = after + 1;
        try (PreparedStatement ps = c.prepareStatement(ENTRY_HASHES)) {
            ps.setLong(1, after);
            ps.setLong(2, to);
            ps.setFetchSize(10_000);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    if (rs.getLong(1) != next) {
                        break;
                    }
                    sink.accept(MerkleTree.leafHash(rs.getBytes(2)));
                    next++;
                }
            }
        }
        if (next != to + 1) {
            throw new DataAccessException("audit log entry " + next + " is missing", null);
        }
    }

    private static byte[] encode(MerkleTree.Frontier tree) {
        return RetentionAnchor.concat(tree.subtrees());
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

    /** Events prepared and written a chunk at a time: a poll of 2,000 is written in eight. */
    static final int CHUNK = 256;

    /**
     * One thread that prepares the next chunk of a batch (decoding it, for a poll) while the chunk before is being
     * written: the database inserts one chunk while this service prepares the next. Its tasks never wait on
     * anything, so an append waiting for its chunk while holding the chain head always gets it.
     */
    private final java.util.concurrent.ExecutorService preparer = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> {
                Thread t = new Thread(r, "audit-prepare");
                t.setDaemon(true);
                return t;
            });

    @jakarta.annotation.PreDestroy
    void stop() {
        // queued preparations are pure work and finish: an append waiting for one while holding the head gets it
        preparer.shutdown();
    }

    /**
     * Appends {@code events}, in order, skipping any whose event id is in the log already or earlier in the list
     * (see {@link #appendAll(int, java.util.function.IntFunction)}).
     *
     * @return each event's sequence number, or -1 for a duplicate, in the order of {@code events}
     */
    @Transactional
    public long[] appendAll(List<AuditEvent> events) {
        return appendAll(events.size(), events::get);
    }

    /**
     * Appends the {@code n} events {@code source} gives (it is asked for each once, in order, possibly on another
     * thread; what it throws fails the append), skipping any whose event id is in the log already or earlier in the
     * batch. The chain head is locked once; then, chunk by chunk ({@link #CHUNK}), the events are prepared (cut to
     * their columns and written as rows with their places left open, {@link PreparedRows}) on the
     * {@code audit-prepare} thread a chunk ahead, checked for event ids already in the log, placed and chained, and
     * written with one {@code COPY}; the head moves once. The
     * chain is the same as appending them one by one. Entries are recorded at the later of now and the last entry's
     * time, so that the log's months follow its order; entering a new month makes its partition.
     *
     * @return each event's sequence number, or -1 for a duplicate, in order
     */
    @Transactional
    public long[] appendAll(int n, java.util.function.IntFunction<AuditEvent> source) {
        long[] seqs = new long[n];
        if (n == 0) {
            return seqs;
        }
        List<java.util.concurrent.Future<PreparedRows>> chunks = new java.util.ArrayList<>();
        for (int from = 0; from < n; from += CHUNK) {
            int start = from;
            int end = Math.min(n, from + CHUNK);
            java.util.concurrent.Callable<PreparedRows> prepare = () -> {
                PreparedRows out = new PreparedRows(end - start);
                for (int i = start; i < end; i++) {
                    out.add(normalise(source.apply(i)));
                }
                return out;
            };
            // a batch of one chunk (an audit-service read, a small poll) is prepared here, without a hand-over
            chunks.add(n <= CHUNK ? java.util.concurrent.CompletableFuture.completedFuture(call(prepare))
                    : preparer.submit(prepare));
        }
        try (Connection c = dataSource.getConnection()) {
            Head head = lockHead(c);
            long seq = head.lastSeq();
            byte[] prev = head.lastHash();
            MerkleTree.Frontier tree = head.tree();
            Instant recordedAt = clock.now().truncatedTo(ChronoUnit.MICROS);
            if (head.lastRecordedAt() != null && recordedAt.isBefore(head.lastRecordedAt())) {
                recordedAt = head.lastRecordedAt();
            }
            if (head.lastRecordedAt() == null || !Months.start(recordedAt).equals(Months.start(head.lastRecordedAt()))) {
                ensurePartition(c, recordedAt);
            }
            Instant since = Months.previous(Months.start(recordedAt));
            Set<String> seen = new HashSet<>();
            int appended = 0;
            java.util.Map<Long, byte[]> blocks = new java.util.LinkedHashMap<>();
            int i = 0;
            for (java.util.concurrent.Future<PreparedRows> chunk : chunks) {
                PreparedRows rows = await(chunk);
                seen.addAll(existing(c, rows.eventIds(), since));
                boolean[] kept = new boolean[rows.size()];
                int rowsInChunk = 0;
                for (int r = 0; r < rows.size(); r++) {
                    if (!seen.add(rows.eventId(r))) {
                        seqs[i++] = -1;
                        continue;
                    }
                    seq++;
                    byte[] hash = rows.place(r, seq, recordedAt, prev);
                    kept[r] = true;
                    seqs[i++] = seq;
                    prev = hash;
                    byte[] block = tree.append(MerkleTree.leafHash(hash), BLOCK_BITS);
                    if (block != null) {
                        blocks.put((tree.size() >>> BLOCK_BITS) - 1, block);
                    }
                    rowsInChunk++;
                }
                if (rowsInChunk > 0) {
                    copy(c, rows.copyData(kept, rowsInChunk));
                    appended += rowsInChunk;
                }
            }
            storeBlocks(c, blocks);
            moveHead(c, seq, prev, tree, appended > 0 ? recordedAt : head.lastRecordedAt());
            checkpointIfDue(c, tree, false);
            return seqs;
        } catch (SQLException ex) {
            throw new DataAccessException("audit append failed", ex);
        } finally {
            chunks.forEach(f -> f.cancel(false));
        }
    }

    private static <T> T call(java.util.concurrent.Callable<T> task) {
        try {
            return task.call();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A prepared chunk; what preparing it threw is thrown here. */
    private static PreparedRows await(java.util.concurrent.Future<PreparedRows> chunk) {
        try {
            return chunk.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DataAccessException("interrupted while preparing audit entries", e);
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Those of {@code ids} already in the log, in partitions from {@code since} on. */
    private static Set<String> existing(Connection c, String[] ids, Instant since) throws SQLException {
        Set<String> seen = new HashSet<>();
        try (PreparedStatement ps = c.prepareStatement(EXISTING)) {
            ps.setArray(1, c.createArrayOf("varchar", ids));
            ps.setTimestamp(2, Timestamp.from(since));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    seen.add(rs.getString(1));
                }
            }
        }
        return seen;
    }

    private static void copy(Connection c, CopyBinary rows) throws SQLException {
        org.postgresql.copy.CopyIn in = c.unwrap(org.postgresql.PGConnection.class).getCopyAPI().copyIn(COPY);
        try {
            in.writeToCopy(rows.buffer(), 0, rows.size());
            in.endCopy();
        } finally {
            if (in.isActive()) {
                in.cancelCopy();
            }
        }
    }

    /** Makes the partition of the month {@code at} falls in, unless it is there (as the schema's owner does it). */
    private static void ensurePartition(Connection c, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT audit_ensure_partition(?)")) {
            ps.setTimestamp(1, Timestamp.from(at));
            ps.execute();
        }
    }

    private static void storeBlocks(Connection c, java.util.Map<Long, byte[]> blocks) throws SQLException {
        if (blocks.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(INSERT_BLOCK)) {
            for (var b : blocks.entrySet()) {
                ps.setLong(1, b.getKey());
                ps.setBytes(2, b.getValue());
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    private static void moveHead(Connection c, long seq, byte[] hash, MerkleTree.Frontier tree, Instant recordedAt)
            throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(MOVE_HEAD)) {
            ps.setLong(1, seq);
            ps.setBytes(2, hash);
            ps.setLong(3, tree.size());
            ps.setBytes(4, encode(tree));
            ps.setTimestamp(5, recordedAt == null ? null : Timestamp.from(recordedAt));
            ps.executeUpdate();
        }
    }

    /**
     * Signs and stores a checkpoint of {@code tree} when it holds entries the latest checkpoint does not and either
     * {@code force}, or {@code recordline.audit.checkpoint.every} entries have been appended since, or the latest is
     * older than {@code recordline.audit.checkpoint.interval} (checked as entries arrive: an idle log makes none).
     *
     * @return the latest checkpoint afterwards, or null when there is none
     */
    private Checkpoint checkpointIfDue(Connection c, MerkleTree.Frontier tree, boolean force) throws SQLException {
        Checkpoint latest = latest(c, tree.size());
        long covered = latest == null ? 0 : latest.treeSize();
        if (tree.size() <= covered) {
            return latest;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
        boolean due = force || tree.size() - covered >= checkpointEvery
                || latest == null || !latest.createdAt().plus(checkpointInterval).isAfter(now);
        if (!due) {
            return latest;
        }
        Checkpoint cp = signer.sign(tree.size(), tree.root(), now);
        try (PreparedStatement ps = c.prepareStatement(INSERT_CHECKPOINT)) {
            ps.setLong(1, cp.treeSize());
            ps.setBytes(2, cp.rootHash());
            ps.setTimestamp(3, Timestamp.from(cp.createdAt()));
            ps.setString(4, cp.keyId());
            ps.setBytes(5, cp.signature());
            if (ps.executeUpdate() == 0) {
                // a row at this size that this key did not sign (forged, or by an old key): the verifier names it
                LOG.warnf("an audit checkpoint at tree size %d exists that this service's key did not sign;"
                        + " run the verifier", cp.treeSize());
                return latest;
            }
        }
        lastVerified = cp; // signed here just now
        // published with the row, for keepers outside the database
        outbox.add(List.of(events.event(Topics.AUDIT_CHECKPOINTS, AuditCheckpoint.LOG, EventTypes.AUDIT_CHECKPOINT,
                null, new AuditCheckpoint(cp.treeSize(), MerkleTree.hex(cp.rootHash()), cp.createdAt(), cp.keyId(),
                        java.util.Base64.getEncoder().encodeToString(cp.signature()), cp.note()))));
        return cp;
    }

    /** The last checkpoint whose signature this service checked: appends ask for the same one many times. */
    private volatile Checkpoint lastVerified;

    private boolean signedHere(Checkpoint cp) {
        Checkpoint known = lastVerified;
        if (known != null && known.treeSize() == cp.treeSize() && java.util.Arrays.equals(known.rootHash(),
                cp.rootHash()) && java.util.Arrays.equals(known.signature(), cp.signature())
                && known.createdAt().equals(cp.createdAt()) && known.keyId().equals(cp.keyId())) {
            return true;
        }
        if (signer.keyId().equals(cp.keyId()) && cp.verify(signer.publicKey())) {
            lastVerified = cp;
            return true;
        }
        return false;
    }

    /**
     * The newest checkpoint of at most {@code size} entries that this service's key signed, or null. A row the key
     * did not sign (forged by someone who could insert, or signed by a key since rotated) is passed over, so that a
     * forged row with a huge size cannot stop the checkpoints; the verifier reports it.
     */
    private Checkpoint latest(Connection c, long size) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(LATEST_CHECKPOINTS)) {
            ps.setLong(1, size);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    Checkpoint cp = new Checkpoint(rs.getLong(1), rs.getBytes(2), rs.getTimestamp(3).toInstant(),
                            rs.getString(4), rs.getBytes(5));
                    if (signedHere(cp)) {
                        return cp;
                    }
                }
            }
        }
        return null;
    }

    /** The latest checkpoint, or null when none has been made. */
    @Transactional
    public Checkpoint latestCheckpoint() {
        try (Connection c = dataSource.getConnection()) {
            return latest(c, size());
        } catch (SQLException ex) {
            throw new DataAccessException("reading the latest audit checkpoint failed", ex);
        }
    }

    /**
     * A log that went quiet still gets its checkpoint: entries the latest checkpoint does not cover, once it is older
     * than {@code recordline.audit.checkpoint.interval}, are checkpointed here, checked every
     * {@code recordline.audit.checkpoint.idle-check} (default a minute; {@code off} to leave it to the appends).
     */
    @io.quarkus.scheduler.Scheduled(identity = "audit-idle-checkpoint",
            every = "${recordline.audit.checkpoint.idle-check:60s}",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    void checkpointWhenIdle() {
        try {
            io.quarkus.narayana.jta.QuarkusTransaction.requiringNew().run(() -> {
                try (Connection c = dataSource.getConnection()) {
                    Checkpoint latest = latest(c, Long.MAX_VALUE);
                    if (latest != null && latest.treeSize() >= size()) {
                        return; // nothing new: no lock taken
                    }
                    Head head = lockHead(c);
                    moveHead(c, head.lastSeq(), head.lastHash(), head.tree(), head.lastRecordedAt());
                    checkpointIfDue(c, head.tree(), false);
                } catch (SQLException ex) {
                    throw new DataAccessException("the idle checkpoint failed", ex);
                }
            });
        } catch (RuntimeException e) {
            LOG.warnf("the idle audit checkpoint could not be made now: %s", e.getClass().getSimpleName());
        }
    }

    /** Makes a checkpoint of the whole log now, unless the latest covers it already; returns the latest. */
    @Transactional
    public Checkpoint checkpointNow() {
        try (Connection c = dataSource.getConnection()) {
            Head head = lockHead(c);
            moveHead(c, head.lastSeq(), head.lastHash(), head.tree(), head.lastRecordedAt());
            return checkpointIfDue(c, head.tree(), true);
        } catch (SQLException ex) {
            throw new DataAccessException("making an audit checkpoint failed", ex);
        }
    }

    /**
     * A proof and the roots it proves against.
     *
     * @param path      the audit path (inclusion) or consistency proof
     * @param root      the root of the (larger) tree
     * @param firstRoot for a consistency proof, the smaller tree's root
     * @param leafHash  for an inclusion proof, the leaf's hash
     */
    public record Proof(List<byte[]> path, byte[] root, byte[] firstRoot, byte[] leafHash) {
    }

    /** The inclusion proof of leaf {@code index} (entry {@code index + 1}) in the tree of {@code size} entries. */
    @Transactional
    public Proof inclusionProof(long index, long size) {
        try (Connection c = dataSource.getConnection()) {
            MerkleTree.Leaves leaves = proofLeaves(c, size, signer.publicKey());
            return new Proof(MerkleTree.inclusionProof(leaves, index, size), MerkleTree.root(leaves, size), null,
                    leaves.hash(index));
        } catch (SQLException ex) {
            throw new DataAccessException("reading the audit log's tree failed", ex);
        }
    }

    /** The consistency proof between the trees of {@code first} and {@code second} entries. */
    @Transactional
    public Proof consistencyProof(long first, long second) {
        try (Connection c = dataSource.getConnection()) {
            MerkleTree.Leaves leaves = proofLeaves(c, second, signer.publicKey());
            return new Proof(MerkleTree.consistencyProof(leaves, first, second), MerkleTree.root(leaves, second),
                    MerkleTree.root(leaves, first), null);
        } catch (SQLException ex) {
            throw new DataAccessException("reading the audit log's tree failed", ex);
        }
    }

    /**
     * The leaves of the tree of {@code size} entries for proofs: the kept roots of its whole blocks (a block missing
     * from {@code audit_block}, from a log older than it, is computed from its entries once and kept), and the leaf
     * hashes of a block read only when a proof goes into it. Fails when an entry is missing (the log is damaged).
     */
    private static MerkleTree.Leaves proofLeaves(Connection c, long size, java.security.PublicKey publicKey)
            throws SQLException {
        RetentionAnchor anchor = RetentionAnchor.latestTrusted(c, publicKey);
        long removed = anchor == null ? 0 : anchor.treeSize();
        long keptBlock = removed & ~(long) (BLOCK - 1);
        long whole = size >>> BLOCK_BITS;
        java.util.Map<Long, byte[]> blocks = new java.util.HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT idx, hash FROM audit_block WHERE idx < ?")) {
            ps.setLong(1, whole);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    blocks.put(rs.getLong(1), rs.getBytes(2));
                }
            }
        }
        java.util.Map<Long, byte[]> backfill = new java.util.LinkedHashMap<>();
        for (long b = 0; b < whole; b++) {
            if (!blocks.containsKey(b)) {
                if (b * BLOCK < removed && b != removed >>> BLOCK_BITS) {
                    throw new RemovedByRetention("the root of the audit log's leaves " + b * BLOCK + " to "
                            + ((b + 1) * BLOCK - 1) + " was not kept when retention removed them");
                }
                List<byte[]> its = new java.util.ArrayList<>(BLOCK);
                if (b * BLOCK < removed) {
                    its.addAll(anchor.blockLeaves()); // the anchor's block: its removed leaves were kept
                }
                leafHashes(c, Math.max(b * BLOCK, removed), (b + 1) * BLOCK, its::add);
                byte[] root = MerkleTree.root(MerkleTree.Leaves.of(its), BLOCK);
                blocks.put(b, root);
                backfill.put(b, root);
            }
        }
        storeBlocks(c, backfill);
        java.util.Map<Long, List<byte[]>> loaded = new java.util.HashMap<>();
        return new MerkleTree.Leaves() {
            @Override
            public byte[] hash(long i) {
                if (i < keptBlock) {
                    throw new RemovedByRetention("entry " + (i + 1) + " was removed by retention");
                }
                long b = i >>> BLOCK_BITS;
                List<byte[]> its = loaded.computeIfAbsent(b, k -> {
                    List<byte[]> out = new java.util.ArrayList<>(BLOCK);
                    if (k * BLOCK < removed) {
                        out.addAll(anchor.blockLeaves()); // leaves keptBlock to removed - 1
                    }
                    try {
                        long after = Math.max(k * BLOCK, removed);
                        long to = Math.min(size, (k + 1) * BLOCK);
                        if (to > after) {
                            leafHashes(c, after, to, out::add);
                        }
                    } catch (SQLException ex) {
                        throw new DataAccessException("reading the audit log's entry hashes failed", ex);
                    }
                    return out;
                });
                return its.get((int) (i - b * BLOCK));
            }

            @Override
            public byte[] subtree(long from, long to) {
                return to - from == BLOCK ? blocks.get(from >>> BLOCK_BITS) : null;
            }
        };
    }

    /**
     * Makes the partitions of this month and the next unless they are there, outside the chain head's lock and
     * waiting at most five seconds for the table's lock (a long read holds it), so that appends entering a month
     * find its partition made; called by the retention check. Returns whether both are there.
     */
    @Transactional
    public boolean ensurePartitionsAhead() {
        Instant month = Months.start(clock.now());
        try (Connection c = dataSource.getConnection()) {
            try (java.sql.Statement st = c.createStatement()) {
                st.execute("SET LOCAL lock_timeout = '5s'");
            }
            ensurePartition(c, month);
            ensurePartition(c, Months.next(month));
            return true;
        } catch (SQLException ex) {
            LOG.warnf("the audit log's next partition could not be made now (%s): appends entering the month make"
                    + " it", ex.getMessage());
            return false;
        }
    }

    /** A proof or entry asked for that needs entries retention removed. */
    public static final class RemovedByRetention extends RuntimeException {
        RemovedByRetention(String message) {
            super(message, null, false, false);
        }
    }

    /** The first and last entry recorded in the month starting at {@code month}, or null when it holds none. */
    @Transactional
    public long[] monthRange(Instant month) {
        try (Connection c = dataSource.getConnection()) {
            return monthRange(c, month);
        } catch (SQLException ex) {
            throw new DataAccessException("reading the audit log's months failed", ex);
        }
    }

    private static long[] monthRange(Connection c, Instant month) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT min(seq), max(seq) FROM audit_entry WHERE recorded_at >= ? AND recorded_at < ?")) {
            ps.setTimestamp(1, Timestamp.from(month));
            ps.setTimestamp(2, Timestamp.from(Months.next(month)));
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                long first = rs.getLong(1);
                return rs.wasNull() ? null : new long[] {first, rs.getLong(2)};
            }
        }
    }

    /** A month's partition: {@code audit_entry_YYYY_MM}. */
    private static final java.util.regex.Pattern PARTITION = java.util.regex.Pattern.compile(
            "audit_entry_(\\d{4})_(\\d{2})");

    /** The months the log holds partitions for (their starts), oldest first. */
    @Transactional
    public List<Instant> months() {
        List<Instant> out = new java.util.ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
                        + " WHERE i.inhparent = 'audit_entry'::regclass ORDER BY c.relname");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                java.util.regex.Matcher m = PARTITION.matcher(rs.getString(1));
                if (m.matches()) {
                    out.add(java.time.YearMonth.of(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)))
                            .atDay(1).atStartOfDay().toInstant(java.time.ZoneOffset.UTC));
                }
            }
        } catch (SQLException ex) {
            throw new DataAccessException("listing the audit log's months failed", ex);
        }
        return out;
    }

    /**
     * Removes the log's oldest month, the one starting at {@code month}, under the chain head's lock. When it holds
     * entries (which must continue from the latest retention anchor), a new anchor is made first at its last entry:
     * the tree's frontier there (from the previous anchor's and the month's entry hashes), that entry's hash, the
     * removed leaves of the block kept entries begin in, signed; the roots of whole blocks are kept. The database
     * refuses the removal unless the month ended longer ago than its retention floor ({@code audit_settings}).
     *
     * @return the last entry removed, or 0 when the month held none
     */
    @Transactional
    public long removeMonth(Instant month) {
        try (Connection c = dataSource.getConnection()) {
            lockHead(c);
            long[] range = monthRange(c, month);
            long last = 0;
            if (range != null) {
                last = range[1];
                anchor(c, range[0], last, Months.next(month));
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT audit_drop_partition(?)")) {
                ps.setTimestamp(1, Timestamp.from(month));
                ps.execute();
            }
            return last;
        } catch (SQLException ex) {
            throw new DataAccessException("removing an audit log month failed: " + ex.getMessage(), ex);
        }
    }

    private void anchor(Connection c, long first, long last, Instant removedBefore) throws SQLException {
        RetentionAnchor before = RetentionAnchor.latestTrusted(c, signer.publicKey());
        long removed = before == null ? 0 : before.treeSize();
        if (first != removed + 1) {
            throw new DataAccessException("the audit log's oldest month begins at entry " + first + ", not at "
                    + (removed + 1) + " where the log does", null);
        }
        MerkleTree.Frontier tree = before == null ? new MerkleTree.Frontier()
                : new MerkleTree.Frontier(removed, before.frontier().subtrees());
        long keptBlock = last & ~(long) (BLOCK - 1);
        List<byte[]> blockLeaves = new java.util.ArrayList<>();
        if (before != null && (removed & ~(long) (BLOCK - 1)) == keptBlock) {
            blockLeaves.addAll(before.blockLeaves());
        }
        java.util.Map<Long, byte[]> blocks = new java.util.LinkedHashMap<>();
        byte[] lastHash = before == null ? AuditChain.GENESIS : before.lastHash();
        // what is signed away must be the log: every link checked again here, in the transaction that removes it,
        // and nothing removed that happened after the month it is removed with (recorded_at is not hashed; the
        // time an act happened is)
        Instant latestAllowed = removedBefore.plus(java.time.Duration.ofDays(1));
        try (PreparedStatement ps = c.prepareStatement("SELECT seq, entry_hash, prev_hash, occurred_at FROM audit_entry"
                + " WHERE seq > ? AND seq <= ? ORDER BY seq")) {
            ps.setLong(1, removed);
            ps.setLong(2, last);
            ps.setFetchSize(10_000);
            long next = removed + 1;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    long seq = rs.getLong(1);
                    byte[] entryHash = rs.getBytes(2);
                    if (seq != next || !java.security.MessageDigest.isEqual(rs.getBytes(3), lastHash)) {
                        throw new DataAccessException("audit log entry " + next + " is missing or not chained to"
                                + " the one before: nothing is removed", null);
                    }
                    Instant occurred = rs.getObject(4, java.time.OffsetDateTime.class).toInstant();
                    if (occurred.isAfter(latestAllowed)) {
                        throw new DataAccessException("audit log entry " + seq + " happened at " + occurred
                                + ", after the month it would be removed with: nothing is removed", null);
                    }
                    byte[] leaf = MerkleTree.leafHash(entryHash);
                    if (seq - 1 >= keptBlock) {
                        blockLeaves.add(leaf);
                    }
                    byte[] block = tree.append(leaf, BLOCK_BITS);
                    if (block != null) {
                        blocks.put((tree.size() >>> BLOCK_BITS) - 1, block);
                    }
                    lastHash = entryHash;
                    next++;
                }
            }
            if (next != last + 1) {
                throw new DataAccessException("audit log entry " + next + " is missing: nothing is removed", null);
            }
        }
        storeBlocks(c, blocks);
        Instant createdAt = clock.now().truncatedTo(ChronoUnit.MICROS);
        byte[] signature = signer.signNote(RetentionAnchor.note(last, tree.root(), lastHash, removedBefore,
                createdAt));
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO audit_anchor (tree_size, last_hash, frontier,"
                + " block_leaves, removed_before, created_at, key_id, signature) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setLong(1, last);
            ps.setBytes(2, lastHash);
            ps.setBytes(3, encode(tree));
            ps.setBytes(4, RetentionAnchor.concat(blockLeaves));
            ps.setTimestamp(5, Timestamp.from(removedBefore));
            ps.setTimestamp(6, Timestamp.from(createdAt));
            ps.setString(7, signer.keyId());
            ps.setBytes(8, signature);
            ps.executeUpdate();
        }
    }

    /** The chain hash of entry {@code seq}; fails when there is none. */
    @Transactional
    public byte[] entryHash(long seq) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT entry_hash FROM audit_entry WHERE seq = ?")) {
            ps.setLong(1, seq);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new DataAccessException("audit log entry " + seq + " is missing", null);
                }
                return rs.getBytes(1);
            }
        } catch (SQLException ex) {
            throw new DataAccessException("reading an audit entry's hash failed", ex);
        }
    }

    /**
     * Verifies entries {@code from} to {@code to} (see {@link LogVerifier}) in one read-only snapshot, trusting
     * {@code key}. Not itself appended to the log: it reads hashes, not patient data.
     */
    public LogVerifier.Result verify(java.security.PublicKey key, long from, long to) {
        try (Connection c = dataSource.getConnection()) {
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
                return new LogVerifier(List.of(key)).verify(c, schema, List.of(), from, to);
            } finally {
                c.rollback();
                c.setReadOnly(false);
                c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
                c.setAutoCommit(autoCommit);
            }
        } catch (SQLException ex) {
            throw new DataAccessException("verifying the audit log failed", ex);
        }
    }

    /** How many entries retention removed (entries 1 to this are gone); 0 when none. */
    @Transactional
    public long removed() {
        try (Connection c = dataSource.getConnection()) {
            RetentionAnchor anchor = RetentionAnchor.latestTrusted(c, signer.publicKey());
            return anchor == null ? 0 : anchor.treeSize();
        } catch (SQLException ex) {
            throw new DataAccessException("reading the audit log's retention anchor failed", ex);
        }
    }

    /** How many entries the log holds. */
    @Transactional
    public long size() {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT last_seq FROM audit_chain_head WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException ex) {
            throw new DataAccessException("reading the audit log's size failed", ex);
        }
    }

    /**
     * Truncates descriptive fields to their column sizes, fills required ones, and cuts the time to PostgreSQL's
     * microseconds, so that a valid event always fits and the stored entry hashes to what was chained. The event id
     * is an identity and is never cut: the contract ({@link AuditEvent}) refuses one longer than the column.
     */
    private static AuditEvent normalise(AuditEvent e) {
        Instant at = (e.occurredAt() == null ? Instant.now() : e.occurredAt()).truncatedTo(ChronoUnit.MICROS);
        // within the years 1583 to 9999: what PostgreSQL's COPY reads, an RFC 3339 reader takes, and java.sql.Timestamp
        // reads in the same calendar as PostgreSQL (before October 1582 it counts Julian days)
        if (at.isBefore(EARLIEST)) {
            at = EARLIEST;
        } else if (at.isAfter(LATEST)) {
            at = LATEST;
        }
        return new AuditEvent(e.eventId(), at,
                cut(orUnknown(e.service()), 100), cut(orUnknown(e.action()), 100), cut(orUnknown(e.outcome()), 20),
                cut(orUnknown(e.actor()), 200), cut(e.submissionId(), 36), cut(e.patientRef(), 300),
                cut(e.purpose(), 100), cut(e.detail(), 1000), normalise(e.context()));
    }

    /** A context with each value cut to its size and each list to {@link AuditEvent.Context#MAX_LIST} values. */
    static AuditEvent.Context normalise(AuditEvent.Context c) {
        if (c == null) {
            return null;
        }
        boolean cutList = Boolean.TRUE.equals(c.truncated()) || longer(c.roles()) || longer(c.sourceIds())
                || longer(c.resources());
        return new AuditEvent.Context(cutAll(c.roles(), 100), cut(c.onBehalfOf(), 200), cut(c.clientAddress(), 100),
                cut(c.correlationId(), 100), cut(c.personId(), 100), cut(c.previousPersonId(), 100),
                cutAll(c.sourceIds(), 300), cutAll(c.resources(), 300), cutList ? true : null);
    }

    private static boolean longer(List<String> values) {
        return values != null && values.size() > AuditEvent.Context.MAX_LIST;
    }

    /**
     * The first {@link AuditEvent.Context#MAX_LIST} values of {@code values} without nulls, each {@link #cut} to
     * {@code max}; {@code values} itself when that changes nothing.
     */
    private static List<String> cutAll(List<String> values, int max) {
        if (values == null) {
            return null;
        }
        int n = Math.min(values.size(), AuditEvent.Context.MAX_LIST);
        boolean same = n == values.size();
        String[] out = new String[n];
        int k = 0;
        for (int i = 0; i < n; i++) {
            String v = values.get(i);
            if (v == null) {
                same = false;
                continue;
            }
            String c = cut(v, max);
            same &= c == v;
            out[k++] = c;
        }
        return same ? values : List.of(Arrays.copyOf(out, k));
    }

    private static final Instant EARLIEST = Instant.parse("1583-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999999Z");

    private static String orUnknown(String s) {
        return s == null || s.isBlank() ? "unknown" : s;
    }

    /**
     * {@code s} without NUL characters and unpaired surrogates (text PostgreSQL refuses, as text and as jsonb), cut to
     * at most {@code max} UTF-16 units without splitting a character.
     */
    static String cut(String s, int max) {
        if (s == null) {
            return null;
        }
        int i = 0;
        while (i < s.length()) {
            char ch = s.charAt(i);
            if (ch == 0 || Character.isSurrogate(ch)) {
                break;
            }
            i++;
        }
        if (i == s.length()) {
            // the usual case: nothing to take out, and no surrogate to keep whole
            return s.length() <= max ? s : s.substring(0, max);
        }
        StringBuilder b = new StringBuilder(s.length()).append(s, 0, i);
        for (; i < s.length(); i++) {
            char ch = s.charAt(i);
            boolean pair = Character.isHighSurrogate(ch) && i + 1 < s.length()
                    && Character.isLowSurrogate(s.charAt(i + 1));
            boolean bad = ch == 0 || (Character.isSurrogate(ch) && !pair);
            if (!bad) {
                b.append(ch);
                if (pair) {
                    b.append(s.charAt(i + 1));
                }
            }
            if (pair) {
                i++;
            }
        }
        String clean = b.toString();
        if (clean.length() <= max) {
            return clean;
        }
        int end = Character.isLowSurrogate(clean.charAt(max)) ? max - 1 : max;
        return clean.substring(0, end);
    }
}
