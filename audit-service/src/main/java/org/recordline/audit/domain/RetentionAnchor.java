package org.recordline.audit.domain;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Where the log begins after retention removed its oldest months: entries 1 to {@code treeSize} are gone, and what
 * the rest needs of them is kept here, signed by the audit-service's checkpoint key. What is signed is the anchor's
 * {@link #note}, in the shape of a checkpoint's with its own origin line: the size, the tree's root at that size, the
 * last removed entry's hash, the time before which entries were removed and when the anchor was made:
 *
 * <pre>
 * recordline audit log retention
 * 1234
 * 3q2+7w...=        (root of the first 1234 entries, base64)
 * q83v...=          (entry 1234's hash, base64)
 * 2020-02-01T00:00:00Z
 * 2026-11-28T10:00:00.123456Z
 * </pre>
 *
 * @param treeSize      how many entries were removed (the last one's seq)
 * @param lastHash      entry {@code treeSize}'s hash: entry {@code treeSize + 1}'s {@code prev_hash}
 * @param frontier      the Merkle tree's right edge at {@code treeSize}: the tree goes on from it
 * @param blockLeaves   the leaf hashes of the removed entries in the 1024-leaf block that kept entries begin in (for
 *                      proofs), in order: leaves {@code treeSize & ~1023} to {@code treeSize - 1}
 * @param removedBefore entries recorded before this were removed (the end of the last month removed)
 * @param createdAt     when the anchor was made (microseconds, as stored)
 * @param keyId         the signing key's id
 * @param signature     the Ed25519 signature of {@link #note}
 */
public record RetentionAnchor(long treeSize, byte[] lastHash, MerkleTree.Frontier frontier, List<byte[]> blockLeaves,
                              Instant removedBefore, Instant createdAt, String keyId, byte[] signature) {

    /** The first line of every anchor's note. */
    public static final String ORIGIN = "recordline audit log retention";

    /** The signed text of an anchor. */
    public static String note(long treeSize, byte[] root, byte[] lastHash, Instant removedBefore, Instant createdAt) {
        Base64.Encoder b64 = Base64.getEncoder();
        return ORIGIN + "\n" + treeSize + "\n" + b64.encodeToString(root) + "\n" + b64.encodeToString(lastHash) + "\n"
                + removedBefore + "\n" + createdAt + "\n";
    }

    /** This anchor's signed text (with the root its frontier gives). */
    public String note() {
        return note(treeSize, frontier.root(), lastHash, removedBefore, createdAt);
    }

    /**
     * Why this anchor cannot be trusted with {@code key}, or null when it can: the signature must be {@code key}'s
     * over the note of the root its frontier gives, and its block's leaves must give the frontier's smallest subtrees.
     */
    public String fault(PublicKey key) {
        if (frontier.size() != treeSize) {
            return "its frontier is of " + frontier.size() + " entries, not " + treeSize;
        }
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(note().getBytes(StandardCharsets.UTF_8));
            if (!s.verify(signature)) {
                return "its signature does not verify";
            }
        } catch (GeneralSecurityException e) {
            return "its signature does not verify";
        }
        long partial = treeSize & (AuditLog.BLOCK_SIZE - 1);
        if (blockLeaves.size() != partial) {
            return "it keeps " + blockLeaves.size() + " leaves of its last block, not " + partial;
        }
        MerkleTree.Frontier small = new MerkleTree.Frontier();
        blockLeaves.forEach(small::append);
        List<byte[]> all = frontier.subtrees();
        List<byte[]> tail = all.subList(all.size() - small.subtrees().size(), all.size());
        for (int i = 0; i < tail.size(); i++) {
            if (!MessageDigest.isEqual(tail.get(i), small.subtrees().get(i))) {
                return "the leaves it keeps of its last block are not the ones its frontier was built from";
            }
        }
        return null;
    }

    /** The leaf hashes concatenated, as stored. */
    static byte[] concat(List<byte[]> hashes) {
        byte[] out = new byte[hashes.size() * 32];
        for (int i = 0; i < hashes.size(); i++) {
            System.arraycopy(hashes.get(i), 0, out, i * 32, 32);
        }
        return out;
    }

    /** 32-byte hashes from their concatenation. */
    static List<byte[]> split(byte[] concatenated) {
        List<byte[]> out = new ArrayList<>(concatenated.length / 32);
        for (int i = 0; i + 32 <= concatenated.length; i += 32) {
            out.add(java.util.Arrays.copyOfRange(concatenated, i, i + 32));
        }
        return out;
    }

    /** The latest anchor in {@code schema} (null when nothing was removed, or the schema predates anchors). */
    public static RetentionAnchor latest(java.sql.Connection c, String schema) throws java.sql.SQLException {
        List<RetentionAnchor> newest = newest(c, schema, 1);
        return newest.isEmpty() ? null : newest.get(0);
    }

    /**
     * The latest anchor of the current schema that {@code key} vouches for ({@link #fault} is null), or null: a row
     * anyone else inserted (the run-time role may insert) is passed over, as the verifier would name it.
     */
    public static RetentionAnchor latestTrusted(java.sql.Connection c, PublicKey key) throws java.sql.SQLException {
        for (RetentionAnchor a : newest(c, null, 20)) {
            if (a.fault(key) == null) {
                return a;
            }
        }
        return null;
    }

    private static List<RetentionAnchor> newest(java.sql.Connection c, String schema, int limit)
            throws java.sql.SQLException {
        String table = schema == null ? "audit_anchor" : schema + ".audit_anchor";
        try (java.sql.PreparedStatement exists = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
            exists.setString(1, table);
            try (java.sql.ResultSet rs = exists.executeQuery()) {
                rs.next();
                if (!rs.getBoolean(1)) {
                    return null;
                }
            }
        }
        try (java.sql.PreparedStatement ps = c.prepareStatement("SELECT tree_size, last_hash, frontier, block_leaves,"
                + " removed_before, created_at, key_id, signature FROM " + table
                + " ORDER BY tree_size DESC LIMIT " + limit); java.sql.ResultSet rs = ps.executeQuery()) {
            List<RetentionAnchor> out = new ArrayList<>();
            while (rs.next()) {
                long size = rs.getLong(1);
                List<byte[]> subtrees = split(rs.getBytes(3));
                MerkleTree.Frontier frontier;
                try {
                    frontier = new MerkleTree.Frontier(size, subtrees);
                } catch (IllegalArgumentException e) {
                    frontier = new MerkleTree.Frontier(); // a malformed row: its fault names it
                }
                out.add(new RetentionAnchor(size, rs.getBytes(2), frontier, split(rs.getBytes(4)),
                        rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant(), rs.getString(7),
                        rs.getBytes(8)));
            }
            return out;
        }
    }
}
