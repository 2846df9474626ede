package org.recordline.events;

import java.time.Instant;

/**
 * A signed checkpoint of the audit log's Merkle tree, published so that copies of it are kept outside the database:
 * a log rewritten or rolled back later cannot reproduce a root that was published. Topic
 * {@link Topics#AUDIT_CHECKPOINTS}, key {@link #LOG}, so that every checkpoint of the log is on one partition in the
 * order they were made.
 *
 * <p>A keeper verifies {@code signature} (Ed25519) over the UTF-8 bytes of {@code note} with the public key it holds
 * for {@code keyId}, and checks that {@code note} states {@code treeSize} and {@code rootHash}; a later checkpoint is
 * checked against an earlier one with a consistency proof ({@code GET /audit/proofs/consistency}).
 *
 * @param treeSize  entries covered: seq 1 to treeSize
 * @param rootHash  the RFC 9162 Merkle root of those entries, hex
 * @param createdAt when it was made
 * @param keyId     the signing key's id: the first 16 hex digits of SHA-256 over its X.509 public key
 * @param signature Ed25519 signature of {@code note}, base64
 * @param note      the signed text: {@code recordline audit log}, the size, the root in base64 and the time, each on
 *                  a line ending in a newline (c2sp.org/tlog-checkpoint's shape)
 */
public record AuditCheckpoint(long treeSize, String rootHash, Instant createdAt, String keyId, String signature,
                              String note) {

    /** The key of every checkpoint of Recordline's audit log. */
    public static final String LOG = "recordline-audit-log";
}
