package org.recordline.audit.domain;

import java.security.MessageDigest;
import java.security.PublicKey;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.recordline.events.AuditEvent;

/**
 * Checks the whole audit log against its checkpoints, reading the tables only (no service involved): every entry's
 * hash is recomputed from its fields and chained from the start, the Merkle tree is rebuilt from those recomputed
 * hashes, and at every checkpoint's size its root must equal the signed one, with a signature by a trusted key.
 * Names the first fault it finds:
 * <ul>
 *   <li>an entry whose fields no longer give its stored hash: <b>modified</b>; when they give it at the position
 *       before or after, it was moved: an entry was <b>inserted</b> before it, or entries <b>reordered</b>;</li>
 *   <li>a gap in the sequence: <b>deleted</b>;</li>
 *   <li>an entry whose stored hashes are its own but whose predecessor is not the one it was chained to: something
 *       was <b>inserted, deleted or reordered</b> before it (and the chain re-hashed from there);</li>
 *   <li>a checkpoint whose root the log no longer gives, though every entry chains: history before it was
 *       <b>rewritten</b> (the first such checkpoint bounds where);</li>
 *   <li>a checkpoint larger than the log: <b>truncated</b>;</li>
 *   <li>a checkpoint without a valid signature by a trusted key: <b>forged</b>.</li>
 * </ul>
 * A checkpoint kept outside the database (an older one replayed, or the latest) is checked the same way, so that a
 * log rewritten together with its checkpoint table is still caught.
 *
 * <p>Every entry's stored patient ids ({@code patient_ids}, what queries by patient use) must be the ones its hashed
 * fields name ({@link PatientIds}). After retention removed the oldest months, the walk starts from the latest
 * retention anchor ({@link RetentionAnchor}) when a trusted key signed it: its frontier and last hash stand for the
 * removed entries, checkpoints within them are checked for their signatures only, and an entry left at or before it
 * is a fault.
 */
public final class LogVerifier {

    /** The result: {@code ok}, how many entries and checkpoints were checked, and the first fault. */
    public record Result(boolean ok, long entries, int checkpoints, Long position, String fault, long removed) {

        static Result fault(long entries, int checkpoints, long position, String fault) {
            return new Result(false, entries, checkpoints, position, fault, 0);
        }

        @Override
        public String toString() {
            return ok ? "audit log verified: " + entries + " entries, " + checkpoints + " checkpoints"
                    + (removed > 0 ? " (entries 1 to " + removed + " removed by retention, anchored)" : "")
                    : "audit log NOT verified: " + fault;
        }
    }

    private final Map<String, PublicKey> trusted;

    /** A verifier that trusts checkpoints signed by {@code trustedKeys} (by {@link CheckpointSigner#keyId}). */
    public LogVerifier(Collection<PublicKey> trustedKeys) {
        this.trusted = new TreeMap<>();
        trustedKeys.forEach(k -> trusted.put(CheckpointSigner.keyId(k), k));
    }

    /**
     * Verifies the log in {@code schema} on {@code c} against its stored checkpoints and {@code external} ones
     * (kept elsewhere).
     */
    public Result verify(Connection c, String schema, List<Checkpoint> external) throws SQLException {
        return verify(c, schema, external, 1, Long.MAX_VALUE);
    }

    /**
     * Verifies entries {@code from} to {@code to} of the log in {@code schema}: their hashes are recomputed from their
     * fields and chained from entry {@code from - 1}'s stored hash; every entry's stored hash builds the Merkle tree,
     * whose root must be the signed one at every checkpoint (stored and {@code external}), so a change anywhere that
     * altered a stored hash is caught too, and one that left the hashes alone is caught when it is in the range. The
     * head and truncation are checked as for the whole log.
     */
    public Result verify(Connection c, String schema, List<Checkpoint> external, long from, long to)
            throws SQLException {
        if (from < 1 || to < from) {
            throw new IllegalArgumentException("the range must be 1 <= from <= to");
        }
        TreeMap<Long, List<Checkpoint>> checkpoints = new TreeMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT tree_size, root_hash, created_at, key_id, signature"
                + " FROM " + schema + ".audit_checkpoint ORDER BY tree_size");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                Checkpoint cp = new Checkpoint(rs.getLong(1), rs.getBytes(2), rs.getTimestamp(3).toInstant(),
                        rs.getString(4), rs.getBytes(5));
                checkpoints.computeIfAbsent(cp.treeSize(), k -> new ArrayList<>()).add(cp);
            }
        }
        external.forEach(cp -> checkpoints.computeIfAbsent(cp.treeSize(), k -> new ArrayList<>()).add(cp));
        int count = 0;
        for (List<Checkpoint> at : checkpoints.values()) {
            for (Checkpoint cp : at) {
                PublicKey key = trusted.get(cp.keyId());
                if (key == null || !cp.verify(key)) {
                    return Result.fault(0, count, cp.treeSize(), "checkpoint at tree size " + cp.treeSize()
                            + " is forged: " + (key == null ? "signed by an untrusted key " + cp.keyId()
                            : "its signature does not verify"));
                }
                count++;
            }
        }

        Walk walk = new Walk(checkpoints, count);
        long removed = 0;
        RetentionAnchor anchor = RetentionAnchor.latest(c, schema);
        if (anchor != null) {
            removed = anchor.treeSize();
            PublicKey key = trusted.get(anchor.keyId());
            String why = key == null ? "signed by an untrusted key " + anchor.keyId() : anchor.fault(key);
            if (why != null) {
                return Result.fault(removed, count, removed, "the retention anchor at entry " + removed
                        + " is forged: " + why);
            }
            try (PreparedStatement ps = c.prepareStatement("SELECT min(seq) FROM " + schema + ".audit_entry");
                 ResultSet rs = ps.executeQuery()) {
                rs.next();
                long first = rs.getLong(1);
                if (!rs.wasNull() && first <= removed) {
                    return Result.fault(removed, count, first, "entry " + first + " is at or before the retention"
                            + " anchor at entry " + removed + ": it was inserted, or the anchor is not the log's");
                }
            }
            Result fault = walk.startAt(anchor);
            if (fault != null) {
                return fault;
            }
        }
        // entries before the range: their stored hashes build the tree (their fields are not recomputed)
        long start = Math.max(from, removed + 1);
        long end = Math.max(to, start - 1);
        Result fault = start > removed + 1 ? walk.stored(c, schema, removed + 1, start - 1) : null;
        if (fault == null) {
            fault = walk.recomputed(c, schema, start, end);
        }
        if (fault == null && end < Long.MAX_VALUE) {
            fault = walk.stored(c, schema, end + 1, Long.MAX_VALUE);
        }
        if (fault != null) {
            return fault;
        }
        long expected = walk.expected;
        byte[] prev = walk.prev;
        long size = expected - 1;
        if (!checkpoints.isEmpty() && checkpoints.lastKey() > size) {
            return Result.fault(size, count, size + 1, "the log was truncated: it holds " + size
                    + " entries, a checkpoint covers " + checkpoints.lastKey());
        }
        // the chain head names the last entry appended: entries after the latest checkpoint are covered by it only
        try (PreparedStatement ps = c.prepareStatement("SELECT last_seq, last_hash FROM " + schema
                + ".audit_chain_head WHERE id = 1"); ResultSet rs = ps.executeQuery()) {
            if (rs.next()) {
                if (rs.getLong(1) > size) {
                    return Result.fault(size, count, size + 1, "the log was truncated: it holds " + size
                            + " entries, its chain head names entry " + rs.getLong(1));
                }
                if (rs.getLong(1) == size && !MessageDigest.isEqual(rs.getBytes(2), prev)) {
                    return Result.fault(size, count, size, "entry " + size + " is not the last entry its chain"
                            + " head names: the end of the log was rewritten");
                }
            }
        }
        return new Result(true, size, count, null, null, removed);
    }

    /** The patient ids an entry's fields name; none for a context that is not a JSON object (its own fault). */
    private static List<String> patientIds(String patientRef, String context) {
        try {
            return PatientIds.of(patientRef, context);
        } catch (IllegalArgumentException e) {
            return List.of();
        }
    }

    /**
     * Rows in PostgreSQL's binary format from the first execution (hashes as bytes, not hex; times as numbers, not
     * text), for the walk over stored hashes outside a verified range: less for the server to format and for the
     * driver to parse. A no-op on another driver.
     */
    private static void binary(PreparedStatement ps) throws SQLException {
        if (ps.isWrapperFor(org.postgresql.PGStatement.class)) {
            ps.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(-1);
        }
    }

    /** The walk along the log in order: the chain so far, the tree, and the checkpoints to meet. */
    private static final class Walk {

        private final TreeMap<Long, List<Checkpoint>> checkpoints;
        private final int count;
        private MerkleTree.Frontier tree = new MerkleTree.Frontier();
        private byte[] prev = AuditChain.GENESIS;
        private long expected = 1;

        Walk(TreeMap<Long, List<Checkpoint>> checkpoints, int count) {
            this.checkpoints = checkpoints;
            this.count = count;
        }

        /**
         * Starts after the entries {@code anchor} stands for: its frontier is the tree, its last hash the chain's,
         * and checkpoints at its size must have its root.
         */
        Result startAt(RetentionAnchor anchor) {
            long size = anchor.treeSize();
            tree = new MerkleTree.Frontier(size, anchor.frontier().subtrees());
            prev = anchor.lastHash();
            expected = size + 1;
            for (Checkpoint cp : checkpoints.getOrDefault(size, List.of())) {
                if (!MessageDigest.isEqual(cp.rootHash(), tree.root())) {
                    return Result.fault(size, count, size, "the checkpoint at tree size " + size + " does not have"
                            + " the root of the retention anchor there: history before it was rewritten");
                }
            }
            return null;
        }

        /** Entries {@code from} to {@code to} as stored: their hashes build the tree, nothing is recomputed. */
        Result stored(Connection c, String schema, long from, long to) throws SQLException {
            try (PreparedStatement ps = c.prepareStatement("SELECT seq, entry_hash, prev_hash FROM " + schema
                    + ".audit_entry WHERE seq BETWEEN ? AND ? ORDER BY seq")) {
                binary(ps);
                ps.setLong(1, from);
                ps.setLong(2, to);
                ps.setFetchSize(10_000);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        long seq = rs.getLong(1);
                        Result gap = gap(seq);
                        if (gap != null) {
                            return gap;
                        }
                        // the links are checked here too: a stored hash rewritten after the latest checkpoint breaks
                        // its successor's link even where the fields are not recomputed
                        if (!MessageDigest.isEqual(rs.getBytes(3), prev)) {
                            return Result.fault(seq - 1, count, seq, "entry " + seq + " is not chained to entry "
                                    + (seq - 1) + ": an entry was inserted, deleted, reordered or rewritten here");
                        }
                        Result root = next(rs.getBytes(2));
                        if (root != null) {
                            return root;
                        }
                    }
                }
            }
            return null;
        }

        private Result gap(long seq) {
            if (seq == expected) {
                return null;
            }
            return Result.fault(expected - 1, count, expected, seq > expected
                    ? "entry " + expected + (seq == expected + 1 ? " was" : " to " + (seq - 1) + " were")
                    + " deleted (the log goes from " + (expected - 1) + " to " + seq + ")"
                    : "entry " + seq + " appears twice");
        }

        /** Takes the next entry's (verified or stored) hash: the chain moves on, the tree grows, checkpoints met. */
        private Result next(byte[] stored) {
            long seq = expected;
            prev = stored;
            tree.append(MerkleTree.leafHash(stored));
            List<Checkpoint> here = checkpoints.get(seq);
            if (here != null) {
                for (Checkpoint cp : here) {
                    if (!MessageDigest.isEqual(cp.rootHash(), tree.root())) {
                        Long before = checkpoints.lowerKey(seq);
                        return Result.fault(seq, count, seq, "the log's first " + seq + " entries do not give"
                                + " the root signed at that size: history between entries "
                                + (before == null ? 1 : before + 1) + " and " + seq + " was rewritten");
                    }
                }
            }
            expected++;
            return null;
        }

        /**
         * Entries {@code from} to {@code to} recomputed from their fields and chained. The rows come as a binary
         * {@code COPY} ({@link CopyBinaryRows}): the server streams them while this thread hashes, rather than
         * waiting for each fetch. After a fault the rest of the stream is read and dropped, so that the transaction
         * stays usable (a cancelled COPY would abort it).
         */
        Result recomputed(Connection c, String schema, long from, long to) throws SQLException {
            String sql = "COPY (SELECT seq, event_id, occurred_at, service, action, outcome, actor, submission_id,"
                    + " patient_ref, purpose, detail, prev_hash, entry_hash, context, patient_ids FROM " + schema
                    + ".audit_entry WHERE seq BETWEEN " + from + " AND " + to + " ORDER BY seq)"
                    + " TO STDOUT WITH (FORMAT binary)";
            org.postgresql.copy.PGCopyInputStream stream = new org.postgresql.copy.PGCopyInputStream(
                    c.unwrap(org.postgresql.PGConnection.class), sql);
            try {
                return recomputed(new CopyBinaryRows(stream));
            } catch (java.io.IOException e) {
                throw new SQLException("reading the audit log failed: " + e.getMessage(), e);
            } finally {
                try {
                    byte[] rest = new byte[1 << 16];
                    while (stream.read(rest) >= 0) {
                        // drained: the COPY ends as the server sent it
                    }
                    stream.close();
                } catch (java.io.IOException e) {
                    throw new SQLException("reading the audit log failed: " + e.getMessage(), e);
                }
            }
        }

        private Result recomputed(CopyBinaryRows rows) throws java.io.IOException {
            while (rows.next() >= 0) {
                long seq = rows.int8();
                Result gap = gap(seq);
                if (gap != null) {
                    return gap;
                }
                AuditEvent e = new AuditEvent(rows.text(), rows.timestamptz(), rows.text(), rows.text(),
                        rows.text(), rows.text(), rows.text(), rows.text(), rows.text(), rows.text());
                byte[] storedPrev = rows.bytea();
                byte[] stored = rows.bytea();
                String context = rows.text();
                List<String> storedIds = rows.textArray();
                byte[] own = AuditChain.hash(storedPrev, seq, e, context);
                if (!MessageDigest.isEqual(own, stored)) {
                    // an entry hashed at another position was moved here: inserted, deleted or reordered
                    for (long was : new long[] {seq - 1, seq + 1}) {
                        if (was > 0
                                && MessageDigest.isEqual(AuditChain.hash(storedPrev, was, e, context), stored)) {
                            return Result.fault(seq - 1, count, seq, "entry " + seq + " holds what was entry "
                                    + was + ": " + (was < seq ? "an entry was inserted before it"
                                    : "entries were deleted or reordered at this position"));
                        }
                    }
                    return Result.fault(seq - 1, count, seq, "entry " + seq + " was modified (its fields no"
                            + " longer give its hash)");
                }
                if (!MessageDigest.isEqual(storedPrev, prev)) {
                    return Result.fault(seq - 1, count, seq, "entry " + seq + " is not chained to entry "
                            + (seq - 1) + ": an entry was inserted, deleted or reordered at this position");
                }
                if (!(storedIds == null ? List.of() : storedIds).equals(patientIds(e.patientRef(), context))) {
                    return Result.fault(seq - 1, count, seq, "entry " + seq + "'s patient ids were changed:"
                            + " they are not the ones its fields name");
                }
                Result root = next(stored);
                if (root != null) {
                    return root;
                }
            }
            return null;
        }
    }
}
