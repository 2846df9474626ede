package org.recordline.audit.domain;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import org.recordline.events.AuditEvent;
import org.recordline.events.Rfc3339;

/**
 * A chunk of audit events written as the rows of one binary {@code COPY} ({@link CopyBinary}) before their places in
 * the log are known. Each row begins with a fixed-size gap for the four fields that depend on its place (sequence
 * number, time recorded, previous hash, hash), filled by {@link #place}; the rest, the event's twelve columns, is
 * written once, straight into the chunk's buffer.
 *
 * <p>The hash covers what {@link AuditChain#body(AuditEvent, String)} lists, and most of that is already in the row in
 * the same form (a length or -1, then UTF-8): the event id, {@code service} to {@code detail}, and the context's text
 * when there is one. Only {@code occurred_at} differs (the row holds microseconds, the hash its RFC 3339 text), so
 * {@link #place} hashes slices of the row around it, and no entry's fields are encoded or copied a second time: a
 * poll allocates a few buffers a chunk instead of several arrays an entry (issue 9, docs/benchmarks.md).
 */
final class PreparedRows {

    /** The fields of a row: the four that depend on its place, then the event's twelve. */
    static final int FIELDS = 16;
    /** The place fields: {@code bigint}, {@code timestamptz} and two 32-byte {@code bytea}, each with its length. */
    private static final int GAP = (4 + 8) + (4 + 8) + (4 + 32) + (4 + 32);
    /** A timestamptz field: its length (8), then microseconds. */
    private static final int TIME_FIELD = 4 + 8;

    private final CopyBinary data;
    private String[] eventIds;
    /** Where each row starts (its field count), then where its event id ends and where its hashed part ends. */
    private int[] starts;
    private int[] idEnds;
    private int[] bodyEnds;
    /** The hashed form of each row's {@code occurred_at}: its text's length, then the text. */
    private byte[][] times;
    private int n;

    PreparedRows(int expected) {
        data = CopyBinary.withHeader(expected * 700);
        eventIds = new String[expected];
        starts = new int[expected];
        idEnds = new int[expected];
        bodyEnds = new int[expected];
        times = new byte[expected][];
    }

    /** Writes the row of {@code e}, which {@code AuditLog} has cut to the columns' sizes, with its place left open. */
    void add(AuditEvent e) {
        if (n == starts.length) {
            int more = Math.max(8, n * 2);
            eventIds = java.util.Arrays.copyOf(eventIds, more);
            starts = java.util.Arrays.copyOf(starts, more);
            idEnds = java.util.Arrays.copyOf(idEnds, more);
            bodyEnds = java.util.Arrays.copyOf(bodyEnds, more);
            times = java.util.Arrays.copyOf(times, more);
        }
        eventIds[n] = e.eventId();
        starts[n] = data.size();
        data.row(FIELDS).gap(GAP);
        data.text(e.eventId());
        idEnds[n] = data.size();
        byte[] time = Rfc3339.format(e.occurredAt()).getBytes(StandardCharsets.US_ASCII);
        times[n] = java.nio.ByteBuffer.allocate(4 + time.length).putInt(time.length).put(time).array();
        data.time(e.occurredAt()).text(e.service()).text(e.action()).text(e.outcome()).text(e.actor())
                .text(e.submissionId()).text(e.patientRef()).text(e.purpose()).text(e.detail());
        if (e.context() == null) {
            bodyEnds[n] = data.size();
            data.utf8(null);
        } else {
            // the text a String holds, in UTF-8: Jackson's byte output would escape characters outside the BMP
            data.text(AuditChain.contextText(e.context()));
            bodyEnds[n] = data.size();
        }
        data.textArray(PatientIds.of(e.patientRef(), e.context()));
        n++;
    }

    int size() {
        return n;
    }

    String eventId(int i) {
        return eventIds[i];
    }

    /** The event ids of the rows, for one look-up of those already in the log. */
    String[] eventIds() {
        return java.util.Arrays.copyOf(eventIds, n);
    }

    /**
     * Puts row {@code i} at {@code seq}, recorded at {@code recordedAt}, after the entry whose hash is {@code prev};
     * returns its hash, {@link AuditChain#hash(byte[], long, byte[])} of its fields.
     */
    byte[] place(int i, long seq, Instant recordedAt, byte[] prev) {
        int fields = starts[i] + 2 + GAP;
        int afterTime = idEnds[i] + TIME_FIELD;
        MessageDigest md = MerkleTree.sha256();
        md.update(prev);
        md.update(java.nio.ByteBuffer.allocate(8).putLong(seq).array());
        md.update(data.buffer(), fields, idEnds[i] - fields);
        md.update(times[i]);
        md.update(data.buffer(), afterTime, bodyEnds[i] - afterTime);
        byte[] hash = md.digest();
        data.place(starts[i] + 2, seq, recordedAt, prev, hash);
        return hash;
    }

    /**
     * The whole {@code COPY}'s data, with its trailer: every row, or only those {@code kept} says (a chunk with
     * duplicates of entries already in the log, rare).
     */
    CopyBinary copyData(boolean[] kept, int keptCount) {
        if (keptCount == n) {
            return data.trailer();
        }
        CopyBinary out = CopyBinary.withHeader(data.size());
        for (int i = 0; i < n; i++) {
            if (kept[i]) {
                int end = i + 1 < n ? starts[i + 1] : data.size();
                out.raw(data.buffer(), starts[i], end - starts[i]);
            }
        }
        return out.trailer();
    }
}
