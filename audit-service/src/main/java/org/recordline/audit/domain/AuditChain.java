package org.recordline.audit.domain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventCodec;
import org.recordline.events.Rfc3339;

/**
 * The hash of an audit entry: SHA-256 over the previous hash, the sequence number and every field, length-prefixed;
 * an entry with a context has one more field, the context's JSON text as stored.
 */
public final class AuditChain {

    /** Hash that the first entry chains to. */
    public static final byte[] GENESIS = new byte[32];

    private AuditChain() {
    }

    /** The JSON text an entry stores (and hashes) for a context: compact, absent fields left out; null for none. */
    public static String contextText(AuditEvent.Context context) {
        return context == null ? null : EventCodec.encodeToString(context);
    }

    /** The hash of entry {@code seq} with fields of {@code e}, chained to {@code prevHash}. */
    public static byte[] hash(byte[] prevHash, long seq, AuditEvent e) {
        return hash(prevHash, seq, e, contextText(e.context()));
    }

    /**
     * The hash of entry {@code seq} with the fields of {@code e} and the context text {@code contextText} as stored
     * (its {@code context} component is ignored), chained to {@code prevHash}.
     */
    public static byte[] hash(byte[] prevHash, long seq, AuditEvent e, String contextText) {
        return hash(prevHash, seq, body(e, contextText));
    }

    /**
     * What an entry's hash covers after the previous hash and the sequence number: every field, length-prefixed,
     * then the context text when there is one. Known before the entry's place in the log is, so that appends make it
     * before they take the chain head.
     */
    public static byte[] body(AuditEvent e, String contextText) {
        String[] fields = {e.eventId(), Rfc3339.format(e.occurredAt()), e.service(), e.action(), e.outcome(),
                e.actor(), e.submissionId(), e.patientRef(), e.purpose(), e.detail(), contextText};
        // an eleventh field only when there is a context, so entries without one hash as they always did
        int count = contextText != null ? fields.length : fields.length - 1;
        byte[][] encoded = new byte[count][];
        int length = 0;
        for (int i = 0; i < count; i++) {
            encoded[i] = fields[i] == null ? null : fields[i].getBytes(StandardCharsets.UTF_8);
            length += 4 + (encoded[i] == null ? 0 : encoded[i].length);
        }
        ByteBuffer out = ByteBuffer.allocate(length);
        for (byte[] f : encoded) {
            if (f == null) {
                out.putInt(-1);
            } else {
                out.putInt(f.length).put(f);
            }
        }
        return out.array();
    }

    /** The hash of entry {@code seq} with the fields {@code body} ({@link #body}), chained to {@code prevHash}. */
    public static byte[] hash(byte[] prevHash, long seq, byte[] body) {
        MessageDigest md = MerkleTree.sha256();
        md.update(prevHash);
        md.update(ByteBuffer.allocate(8).putLong(seq).array());
        md.update(body);
        return md.digest();
    }
}
