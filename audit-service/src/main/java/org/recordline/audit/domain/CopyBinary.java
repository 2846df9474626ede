package org.recordline.audit.domain;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;

/**
 * Rows in PostgreSQL's binary {@code COPY ... FROM STDIN WITH (FORMAT binary)} format: a header, each row as its
 * field count and each field as its length (-1 for null) and its value in the type's binary form, a trailer. The
 * server reads these values without parsing text (timestamps, hex, array literals), which took about half of a
 * COPY's time per row (issue 9, docs/benchmarks.md). Only the types the log uses: {@code bigint},
 * {@code timestamptz}, {@code bytea}, {@code text}/{@code varchar} and {@code text[]}.
 */
final class CopyBinary {

    /** The format's signature, which both directions begin with. */
    static final byte[] SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    /** The signature, no flags (no OIDs), no header extension. */
    private static final byte[] HEADER = java.util.Arrays.copyOf(SIGNATURE, SIGNATURE.length + 8);
    /** PostgreSQL's {@code text} type, the element type of a {@code text[]}. */
    private static final int TEXT_OID = 25;
    /** Seconds from the Unix epoch to PostgreSQL's, 2000-01-01T00:00:00Z. */
    static final long PG_EPOCH_SECONDS = 946_684_800L;

    private byte[] buf;
    private int size;

    CopyBinary(int capacity) {
        this.buf = new byte[Math.max(capacity, 64)];
    }

    /** The data of a whole COPY: its header, then rows. */
    static CopyBinary withHeader(int capacity) {
        CopyBinary c = new CopyBinary(capacity + HEADER.length + 2);
        c.raw(HEADER, 0, HEADER.length);
        return c;
    }

    /** Starts a row of {@code fields} fields. */
    CopyBinary row(int fields) {
        ensure(2);
        buf[size++] = (byte) (fields >>> 8);
        buf[size++] = (byte) fields;
        return this;
    }

    CopyBinary number(long v) {
        int32(8);
        int64(v);
        return this;
    }

    /** A {@code timestamptz}: microseconds from 2000-01-01T00:00:00Z (finer parts are dropped). */
    CopyBinary time(Instant t) {
        int32(8);
        int64(micros(t));
        return this;
    }

    private static long micros(Instant t) {
        return Math.addExact(Math.multiplyExact(t.getEpochSecond() - PG_EPOCH_SECONDS, 1_000_000L),
                t.getNano() / 1000);
    }

    /** Leaves {@code length} bytes to fill later ({@link #place}). */
    CopyBinary gap(int length) {
        ensure(length);
        size += length;
        return this;
    }

    /**
     * Fills a gap at {@code at} with a {@code bigint}, a {@code timestamptz} and two 32-byte {@code bytea} fields: an
     * audit entry's place in the log ({@link PreparedRows}).
     */
    void place(int at, long seq, Instant recordedAt, byte[] prev, byte[] hash) {
        if (prev.length != 32 || hash.length != 32) {
            throw new IllegalArgumentException("hashes are 32 bytes");
        }
        int saved = size;
        size = at;
        number(seq).time(recordedAt).bytes(prev).bytes(hash);
        size = saved;
    }

    CopyBinary bytes(byte[] v) {
        int32(v.length);
        raw(v, 0, v.length);
        return this;
    }

    /** A {@code text} or {@code varchar} in UTF-8 (the database's encoding), or null. */
    CopyBinary text(String s) {
        if (s == null) {
            int32(-1);
            return this;
        }
        int n = s.length();
        ensure(4 + n);
        int at = size + 4;
        for (int i = 0; i < n; i++) {
            char ch = s.charAt(i);
            if (ch >= 0x80) {
                // not ASCII: the JDK's encoder, for the rest of the text as for all of it
                return utf8(s.getBytes(StandardCharsets.UTF_8));
            }
            buf[at + i] = (byte) ch;
        }
        int32(n);
        size += n;
        return this;
    }

    /** A {@code text} or {@code varchar} already in UTF-8, or null. */
    CopyBinary utf8(byte[] utf8) {
        if (utf8 == null) {
            int32(-1);
            return this;
        }
        int32(utf8.length);
        raw(utf8, 0, utf8.length);
        return this;
    }

    /** A {@code text[]} of non-null values, one dimension from 1; no values is the empty array ({@code '{}'}). */
    CopyBinary textArray(List<String> values) {
        byte[][] elements = new byte[values.size()][];
        int length = 12 + (values.isEmpty() ? 0 : 8);
        for (int i = 0; i < elements.length; i++) {
            elements[i] = values.get(i).getBytes(StandardCharsets.UTF_8);
            length += 4 + elements[i].length;
        }
        int32(length);
        int32(values.isEmpty() ? 0 : 1); // dimensions
        int32(0); // no nulls
        int32(TEXT_OID);
        if (!values.isEmpty()) {
            int32(elements.length);
            int32(1); // lower bound
            for (byte[] e : elements) {
                int32(e.length);
                raw(e, 0, e.length);
            }
        }
        return this;
    }

    /** Appends fields another {@code CopyBinary} encoded ({@link #toByteArray()}). */
    CopyBinary raw(byte[] b, int from, int length) {
        ensure(length);
        System.arraycopy(b, from, buf, size, length);
        size += length;
        return this;
    }

    /** Ends the data of a COPY with its trailer. */
    CopyBinary trailer() {
        ensure(2);
        buf[size++] = (byte) 0xff;
        buf[size++] = (byte) 0xff;
        return this;
    }

    byte[] buffer() {
        return buf;
    }

    int size() {
        return size;
    }

    byte[] toByteArray() {
        return Arrays.copyOf(buf, size);
    }

    private void int32(int v) {
        ensure(4);
        buf[size++] = (byte) (v >>> 24);
        buf[size++] = (byte) (v >>> 16);
        buf[size++] = (byte) (v >>> 8);
        buf[size++] = (byte) v;
    }

    private void int64(long v) {
        int32((int) (v >>> 32));
        int32((int) v);
    }

    private void ensure(int more) {
        if (size + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + more));
        }
    }
}
