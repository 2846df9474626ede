package org.recordline.ingestion.mllp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class MllpFramesTest {

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void framesRoundTripAndBlankSpaceBetweenThemIsSkipped() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        MllpFrames.write(out, bytes("MSH|one"));
        out.write(bytes("\r\n"));
        MllpFrames.write(out, bytes("MSH|two"));
        byte[] wire = out.toByteArray();
        assertArrayEquals(bytes("\u000BMSH|one\u001C\r"), java.util.Arrays.copyOf(wire, 10));
        ByteArrayInputStream in = new ByteArrayInputStream(wire);
        assertArrayEquals(bytes("MSH|one"), MllpFrames.read(in, 100));
        assertArrayEquals(bytes("MSH|two"), MllpFrames.read(in, 100));
        assertNull(MllpFrames.read(in, 100), "end of stream between frames");
    }

    @Test
    void aFrameOverTheLimitIsRefusedWithoutReadingItAll() {
        byte[] wire = new byte[1_000_000];
        wire[0] = MllpFrames.START;
        java.util.Arrays.fill(wire, 1, wire.length, (byte) 'A');
        var in = new ByteArrayInputStream(wire);
        var e = assertThrows(MllpFrames.FramingException.class, () -> MllpFrames.read(in, 1000));
        assertTrue(e.tooLarge());
        assertTrue(in.available() > 990_000, "stopped at the limit");
    }

    @Test
    void brokenFramingIsNamed() {
        var outside = assertThrows(MllpFrames.FramingException.class,
                () -> MllpFrames.read(new ByteArrayInputStream(bytes("MSH|no start block")), 100));
        assertFalse(outside.tooLarge());
        assertThrows(MllpFrames.FramingException.class,
                () -> MllpFrames.read(new ByteArrayInputStream(bytes("\u000BMSH|cut off")), 100));
        assertThrows(MllpFrames.FramingException.class,
                () -> MllpFrames.read(new ByteArrayInputStream(bytes("\u000BMSH|x\u001CX")), 100));
    }
}
