package org.recordline.audit.domain;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;

/**
 * A signed checkpoint of the audit log's Merkle tree: its size and root at {@code createdAt}, signed with Ed25519 by
 * the key {@code keyId}. What is signed is the checkpoint's {@link #note}, text in the shape of a transparency log
 * checkpoint (c2sp.org/tlog-checkpoint): the origin line, the size in decimal, the root in base64, then the time
 * (RFC 3339, UTC, as {@link Instant#toString()} writes it), each line ending in a newline:
 *
 * <pre>
 * recordline audit log
 * 1234
 * 3q2+7w...=
 * 2026-11-28T10:00:00.123456Z
 * </pre>
 *
 * @param treeSize  how many entries the tree holds (entries with seq 1 to treeSize)
 * @param rootHash  the tree's root (32 bytes)
 * @param createdAt when it was made (microseconds, as stored)
 * @param keyId     the signing key's id ({@link CheckpointSigner#keyId(PublicKey)})
 * @param signature the Ed25519 signature of {@link #note}
 */
public record Checkpoint(long treeSize, byte[] rootHash, Instant createdAt, String keyId, byte[] signature) {

    /** The first line of every checkpoint's note. */
    public static final String ORIGIN = "recordline audit log";

    /** The signed text of a checkpoint of {@code treeSize} leaves with root {@code rootHash} at {@code createdAt}. */
    public static String note(long treeSize, byte[] rootHash, Instant createdAt) {
        return ORIGIN + "\n" + treeSize + "\n" + Base64.getEncoder().encodeToString(rootHash) + "\n" + createdAt
                + "\n";
    }

    /** This checkpoint's signed text. */
    public String note() {
        return note(treeSize, rootHash, createdAt);
    }

    /** Whether the signature is {@code key}'s over this checkpoint's note. */
    public boolean verify(PublicKey key) {
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initVerify(key);
            s.update(note().getBytes(StandardCharsets.UTF_8));
            return s.verify(signature);
        } catch (GeneralSecurityException e) {
            return false;
        }
    }
}
