package org.recordline.ingestion.imports;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Pure logic: NDJSON lines with bounded memory. */
class NdjsonLinesTest {

    private static List<String> read(byte[] in, int max) throws IOException {
        NdjsonLines lines = new NdjsonLines(new ByteArrayInputStream(in), max);
        List<String> out = new ArrayList<>();
        NdjsonLines.Line l;
        while ((l = lines.next()) != null) {
            out.add(l.number() + ":" + (l.tooLong() ? "TOO LONG" : new String(l.bytes(), StandardCharsets.UTF_8)));
        }
        return out;
    }

    @Test
    void linesAreNumberedAsAnEditorShowsThemWithBlankLinesSkippedAndCrlfBomAndAMissingLastNewlineHandled()
            throws IOException {
        byte[] in = "\uFEFF{\"a\":1}\r\n\n  \r\n{\"b\":2}\n{\"c\":3}".getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("1:{\"a\":1}", "4:{\"b\":2}", "5:{\"c\":3}"), read(in, 100));
        assertEquals(List.of(), read(new byte[0], 100));
        assertEquals(List.of(), read("\n\n".getBytes(StandardCharsets.UTF_8), 100));
    }

    @Test
    void aLineOverTheLimitIsReportedAndSkippedAndTheNextIsRead() throws IOException {
        String big = "x".repeat(200_000);
        byte[] in = ("{\"a\":1}\n" + big + "\n{\"b\":2}\n").getBytes(StandardCharsets.UTF_8);
        assertEquals(List.of("1:{\"a\":1}", "2:TOO LONG", "3:{\"b\":2}"), read(in, 1000));
        // exactly at the limit is taken
        assertEquals(List.of("1:" + "y".repeat(1000)), read(("y".repeat(1000) + "\n").getBytes(), 1000));
    }

    /** An endless line is never held: reading it costs no more memory than the limit. */
    @Test
    void anEndlessLineIsSkippedWithoutHoldingIt() throws IOException {
        long size = 300L * 1024 * 1024;
        InputStream endless = new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? 'z' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'z');
                left -= n;
                return n;
            }
        };
        NdjsonLines lines = new NdjsonLines(endless, 1024);
        NdjsonLines.Line l = lines.next();
        assertTrue(l.tooLong());
        assertEquals(size, lines.bytesRead());
        assertNull(lines.next());
    }
}
