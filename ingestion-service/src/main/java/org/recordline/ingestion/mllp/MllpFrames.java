package org.recordline.ingestion.mllp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/**
 * MLLP framing (HL7's Minimal Lower Layer Protocol): a message is sent as {@code <VT> message <FS><CR>}. Reads frames
 * from a stream with a size limit, so a sender that never ends a frame cannot exhaust the heap, and writes them.
 */
public final class MllpFrames {

    /** Start block (vertical tab). */
    static final int START = 0x0B;
    /** End block (file separator), followed by a carriage return. */
    static final int END = 0x1C;
    static final int CR = 0x0D;

    private MllpFrames() {
    }

    /** A stream that does not follow the framing, or a frame over the limit. */
    public static final class FramingException extends IOException {
        private final boolean tooLarge;

        FramingException(String message, boolean tooLarge) {
            super(message);
            this.tooLarge = tooLarge;
        }

        /** Whether the frame was over the size limit (else the framing was wrong). */
        public boolean tooLarge() {
            return tooLarge;
        }
    }

    /**
     * Reads the next frame's content, or null when the stream ends between frames. Blank space (CR, LF, spaces)
     * between frames is skipped; anything else outside a frame, a stream ending inside one, or content over
     * {@code maxBytes} is a {@link FramingException}.
     */
    public static byte[] read(InputStream in, int maxBytes) throws IOException {
        int b;
        while ((b = in.read()) != START) {
            if (b == -1) {
                return null;
            }
            if (b != CR && b != '\n' && b != ' ' && b != '\t') {
                throw new FramingException("data outside an MLLP frame (expected the start block 0x0B)", false);
            }
        }
        ByteArrayOutputStream content = new ByteArrayOutputStream(1024);
        while (true) {
            b = in.read();
            if (b == -1) {
                throw new FramingException("the stream ended inside an MLLP frame", false);
            }
            if (b == END) {
                int next = in.read();
                if (next != CR) {
                    throw new FramingException("an MLLP end block not followed by a carriage return", false);
                }
                return content.toByteArray();
            }
            if (content.size() >= maxBytes) {
                throw new FramingException("an MLLP frame longer than " + maxBytes + " bytes", true);
            }
            content.write(b);
        }
    }

    /** Writes {@code content} as one frame and flushes. */
    public static void write(OutputStream out, byte[] content) throws IOException {
        byte[] frame = new byte[content.length + 3];
        frame[0] = START;
        System.arraycopy(content, 0, frame, 1, content.length);
        frame[frame.length - 2] = END;
        frame[frame.length - 1] = CR;
        out.write(frame);
        out.flush();
    }
}
