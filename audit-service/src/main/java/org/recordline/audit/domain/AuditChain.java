package org.recordline.audit.domain;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import org.recordline.events.AuditEvent;

/** The hash of an audit entry: SHA-256 over the previous hash, the sequence number and every field, length-prefixed. */
public final class AuditChain {

    /** Hash that the first entry chains to. */
    public static final byte[] GENESIS = new byte[32];

    private AuditChain() {
    }

    /** The hash of entry {@code seq} with fields of {@code e}, chained to {@code prevHash}. */
    public static byte[] hash(byte[] prevHash, long seq, AuditEvent e) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(prevHash);
            md.update(ByteBuffer.allocate(8).putLong(seq).array());
            for (String f : new String[] {e.eventId(), e.occurredAt().toString(), e.service(), e.action(),
                    e.outcome(), e.actor(), e.submissionId(), e.patientRef(), e.purpose(), e.detail()}) {
                if (f == null) {
                    md.update(ByteBuffer.allocate(4).putInt(-1).array());
                } else {
                    byte[] b = f.getBytes(StandardCharsets.UTF_8);
                    md.update(ByteBuffer.allocate(4).putInt(b.length).array());
                    md.update(b);
                }
            }
            return md.digest();
        } catch (NoSuchAlgorithmException ex) {
            throw new IllegalStateException(ex);
        }
    }
}
