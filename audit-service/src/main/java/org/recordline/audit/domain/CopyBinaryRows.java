package org.recordline.audit.domain;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads rows of PostgreSQL's binary {@code COPY ... TO STDOUT WITH (FORMAT binary)}, the format {@link CopyBinary}
 * writes. The verifier reads the log this way: the server streams rows into the socket while the verifier hashes the
 * ones before, instead of waiting for each fetch of a cursor. Each field is read by the caller in order with the
 * method of its type.
 */
final class CopyBinaryRows {

    private final DataInputStream in;

    /** Reads and checks the header. */
    CopyBinaryRows(InputStream stream) throws IOException {
        this.in = new DataInputStream(new java.io.BufferedInputStream(stream, 1 << 16));
        byte[] signature = new byte[CopyBinary.SIGNATURE.length];
        in.readFully(signature);
        if (!Arrays.equals(signature, CopyBinary.SIGNATURE)) {
            throw new IOException("not a binary COPY stream");
        }
        int flags = in.readInt();
        if ((flags & (1 << 16)) != 0) {
            throw new IOException("binary COPY with OIDs is not read here");
        }
        in.skipNBytes(in.readInt()); // header extension
    }

    /** Starts the next row: its number of fields, or -1 at the trailer. */
    int next() throws IOException {
        return in.readShort();
    }

    /** A field's length, -1 for null. */
    private int length() throws IOException {
        return in.readInt();
    }

    long int8() throws IOException {
        int n = length();
        if (n != 8) {
            throw new IOException("a bigint of " + n + " bytes");
        }
        return in.readLong();
    }

    String text() throws IOException {
        int n = length();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    byte[] bytea() throws IOException {
        int n = length();
        if (n < 0) {
            return null;
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return b;
    }

    /** A {@code timestamptz} (microseconds from 2000-01-01T00:00:00Z); null for null. */
    Instant timestamptz() throws IOException {
        int n = length();
        if (n < 0) {
            return null;
        }
        if (n != 8) {
            throw new IOException("a timestamp of " + n + " bytes");
        }
        long micros = in.readLong();
        return Instant.ofEpochSecond(CopyBinary.PG_EPOCH_SECONDS + Math.floorDiv(micros, 1_000_000L),
                Math.floorMod(micros, 1_000_000L) * 1000L);
    }

    /**
     * A one-dimensional {@code text[]} as a list (a null element as null); the empty array as an empty list; null for
     * null. An array of more dimensions is returned as null elements of its size, which no list of ids equals.
     */
    List<String> textArray() throws IOException {
        int n = length();
        if (n < 0) {
            return null;
        }
        int dims = in.readInt();
        in.readInt(); // has nulls
        in.readInt(); // element type
        if (dims == 0) {
            return List.of();
        }
        int count = 1;
        for (int d = 0; d < dims; d++) {
            count = Math.multiplyExact(count, in.readInt());
            in.readInt(); // lower bound
        }
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String v = text();
            out.add(dims == 1 ? v : null);
        }
        return out;
    }

    /** Skips a field. */
    void skip() throws IOException {
        int n = length();
        if (n > 0) {
            in.skipNBytes(n);
        }
    }
}
