package org.recordline.ingestion.imports;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads NDJSON one line at a time with bounded memory: a line longer than the limit is skipped to its end (never held)
 * and reported as such. LF and CRLF line ends; a byte-order mark at the start is dropped; blank lines are skipped but
 * counted, so that line numbers are those an editor shows.
 */
public final class NdjsonLines {

    /** One line: its number (from 1), its bytes, or null when it was longer than the limit. */
    public record Line(long number, byte[] bytes) {
        public boolean tooLong() {
            return bytes == null;
        }
    }

    private final InputStream in;
    private final int maxBytes;
    private final byte[] buffer = new byte[64 * 1024];
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private int pos;
    private int limit;
    private long number;
    private boolean first = true;
    private long bytesRead;

    public NdjsonLines(InputStream in, int maxBytes) {
        this.in = in;
        this.maxBytes = maxBytes;
    }

    /** Bytes read so far. */
    public long bytesRead() {
        return bytesRead;
    }

    /** The next non-blank line, or null at the end. */
    public Line next() throws IOException {
        while (true) {
            line.reset();
            boolean overflow = false;
            boolean any = false;
            while (true) {
                if (pos == limit) {
                    limit = in.read(buffer);
                    pos = 0;
                    if (limit <= 0) {
                        limit = 0;
                        if (!any) {
                            return null;
                        }
                        break;
                    }
                    bytesRead += limit;
                }
                any = true;
                int start = pos;
                while (pos < limit && buffer[pos] != '\n') {
                    pos++;
                }
                int len = pos - start;
                if (!overflow) {
                    if (line.size() + len > maxBytes) {
                        overflow = true;
                        line.reset();
                    } else {
                        line.write(buffer, start, len);
                    }
                }
                if (pos < limit) {
                    pos++; // the '\n'
                    break;
                }
            }
            number++;
            if (overflow) {
                return new Line(number, null);
            }
            byte[] bytes = line.toByteArray();
            int from = 0;
            int to = bytes.length;
            if (first && to >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
                from = 3;
            }
            first = false;
            if (to > from && bytes[to - 1] == '\r') {
                to--;
            }
            if (blank(bytes, from, to)) {
                continue;
            }
            return new Line(number, from == 0 && to == bytes.length ? bytes : java.util.Arrays.copyOfRange(bytes, from, to));
        }
    }

    private static boolean blank(byte[] b, int from, int to) {
        for (int i = from; i < to; i++) {
            if (b[i] != ' ' && b[i] != '\t' && b[i] != '\r') {
                return false;
            }
        }
        return true;
    }
}
