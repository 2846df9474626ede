package org.recordline.ingestion.domain.hl7v2;

import ca.uhn.hl7v2.DefaultHapiContext;
import ca.uhn.hl7v2.ErrorCode;
import ca.uhn.hl7v2.HL7Exception;
import ca.uhn.hl7v2.HapiContext;
import ca.uhn.hl7v2.app.DefaultApplication;
import ca.uhn.hl7v2.model.Message;
import ca.uhn.hl7v2.model.Segment;
import ca.uhn.hl7v2.parser.CanonicalModelClassFactory;
import ca.uhn.hl7v2.parser.PipeParser;
import ca.uhn.hl7v2.util.Terser;
import ca.uhn.hl7v2.util.idgenerator.IDGenerator;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reads HL7 v2 messages (ER7, the pipe-delimited encoding) with HAPI HL7 v2 and writes their acknowledgements.
 * Every version from 2.1 to 2.8 is parsed into the v2.8 structures (HAPI's canonical model), so the mapping to FHIR
 * reads one model. Limits on size and segment count are checked on the bytes before HAPI sees them. Thread-safe.
 */
public final class Hl7v2Codec {

    /** The receiving application this service names itself in acknowledgements (MSH-3). */
    public static final String RECEIVER = "RECORDLINE";

    private final PipeParser parser;
    private final int maxBytes;
    private final int maxSegments;

    /**
     * @param maxBytes    largest message accepted, in bytes
     * @param maxSegments most segments accepted in one message
     */
    public Hl7v2Codec(int maxBytes, int maxSegments) {
        this.maxBytes = maxBytes;
        this.maxSegments = maxSegments;
        HapiContext context = new DefaultHapiContext(new CanonicalModelClassFactory("2.8"));
        // structure and content are checked by the mapping, which names what is wrong; HAPI's own validation would
        // refuse values (dates with time zones, long strings) that senders send every day
        context.getParserConfiguration().setValidating(false);
        context.getParserConfiguration().setIdGenerator(new ProcessIds());
        this.parser = context.getPipeParser();
    }

    /** A message that parsed, with the header fields the intake needs. */
    public record Parsed(Message message, String text, String version, String type, String trigger,
                         String sendingApplication, String sendingFacility, String controlId) {
    }

    /**
     * Parses {@code body}; throws {@link Hl7v2Refusal.Exception} ({@code AR}) for what is not an HL7 v2 message this
     * service can read. Accepts segments ended by CR, LF or CRLF, and a leading byte-order mark.
     */
    public Parsed parse(byte[] body) {
        if (body.length > maxBytes) {
            throw Hl7v2Refusal.tooLarge("message of " + body.length + " bytes exceeds the limit of " + maxBytes)
                    .asException();
        }
        String text = normalise(decode(body));
        if (!text.startsWith("MSH") || text.length() < 8) {
            throw Hl7v2Refusal.reject(ErrorCode.SEGMENT_SEQUENCE_ERROR,
                    "not an HL7 v2 message: it must begin with an MSH segment").asException();
        }
        int segments = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\r' && ++segments > maxSegments) {
                throw Hl7v2Refusal.tooLarge("message has more than " + maxSegments + " segments").asException();
            }
        }
        Message message;
        try {
            message = parser.parse(text);
        } catch (HL7Exception e) {
            ErrorCode code = e.getError() == null || e.getError() == ErrorCode.MESSAGE_ACCEPTED
                    ? ErrorCode.SEGMENT_SEQUENCE_ERROR : e.getError();
            throw Hl7v2Refusal.reject(code, "not a readable HL7 v2 message: " + safe(e)).asException();
        } catch (RuntimeException | StackOverflowError e) {
            throw Hl7v2Refusal.reject(ErrorCode.SEGMENT_SEQUENCE_ERROR,
                    "not a readable HL7 v2 message").asException();
        }
        try {
            Terser t = new Terser(message);
            return new Parsed(message, text, t.get("/MSH-12-1"), t.get("/MSH-9-1"), t.get("/MSH-9-2"),
                    t.get("/MSH-3-1"), t.get("/MSH-4-1"), t.get("/MSH-10"));
        } catch (HL7Exception e) {
            throw Hl7v2Refusal.reject(ErrorCode.REQUIRED_FIELD_MISSING, "unreadable MSH segment").asException();
        }
    }

    /** The acknowledgement of a message that parsed: {@code AA}, or the refusal's code with an ERR segment. */
    public String acknowledge(Parsed message, Hl7v2Refusal refusal) {
        try {
            Message ack = refusal == null ? message.message().generateACK()
                    : message.message().generateACK(refusal.code(), exception(refusal));
            return encode(ack, message.version());
        } catch (HL7Exception | IOException e) {
            throw new IllegalStateException("HAPI could not write an acknowledgement", e);
        }
    }

    /**
     * The acknowledgement of a message that did not parse: addressed and versioned from what of its MSH segment can
     * be read (HAPI's critical response data), else a bare one.
     */
    public String acknowledge(byte[] body, Hl7v2Refusal refusal) {
        String text = body.length > maxBytes ? "" : normalise(decode(body));
        String version = null;
        Message ack;
        try {
            Segment msh = parser.getCriticalResponseData(text);
            version = new Terser(msh.getMessage()).get("/MSH-12-1");
            ack = DefaultApplication.makeACK(msh);
        } catch (HL7Exception | IOException | RuntimeException e) {
            try {
                ca.uhn.hl7v2.model.v28.message.ACK bare = new ca.uhn.hl7v2.model.v28.message.ACK();
                bare.setParser(parser);
                bare.initQuickstart("ACK", null, "P");
                ack = bare;
            } catch (HL7Exception | IOException inner) {
                throw new IllegalStateException("HAPI could not write an acknowledgement", inner);
            }
        }
        try {
            exception(refusal).populateResponse(ack, refusal.code(), 0);
            new Terser(ack).set("/MSH-3-1", RECEIVER);
            return encode(ack, version);
        } catch (HL7Exception e) {
            throw new IllegalStateException("HAPI could not write an acknowledgement", e);
        }
    }

    private String encode(Message ack, String version) throws HL7Exception {
        Terser t = new Terser(ack);
        if (t.get("/MSH-3-1") == null) {
            t.set("/MSH-3-1", RECEIVER);
        }
        if (version != null && !version.isBlank()) {
            // answered in the version the sender spoke, though read through the v2.8 structures
            t.set("/MSH-12-1", version);
        }
        return parser.encode(ack);
    }

    private static HL7Exception exception(Hl7v2Refusal refusal) {
        HL7Exception e = new HL7Exception(refusal.reason(), refusal.error());
        if (refusal.segment() != null) {
            e.setSegmentName(refusal.segment());
            e.setSegmentRepetition(1);
            if (refusal.field() > 0) {
                e.setFieldPosition(refusal.field());
            }
        }
        return e;
    }

    /** UTF-8 when the bytes are valid UTF-8, else ISO 8859-1 (the other encoding v2 senders use). */
    static String decode(byte[] body) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    /** Without a byte-order mark or surrounding blank space, segments ended by CR, empty segments dropped. */
    static String normalise(String text) {
        String s = text.startsWith("\uFEFF") ? text.substring(1) : text;
        s = s.replace("\r\n", "\r").replace('\n', '\r').strip();
        while (s.contains("\r\r")) {
            s = s.replace("\r\r", "\r");
        }
        return s;
    }

    /** HAPI's message without the values it quotes (they could be patient data). */
    private static String safe(HL7Exception e) {
        String m = e.getMessageWithoutLocation() == null ? "" : e.getMessageWithoutLocation();
        m = m.replaceAll("'[^']*'", "'…'").replaceAll("\"[^\"]*\"", "\"…\"");
        String where = e.getLocation() == null || e.getLocation().getSegmentName() == null ? ""
                : " (at " + e.getLocation().getSegmentName() + ")";
        return (m.length() > 200 ? m.substring(0, 200) : m) + where;
    }

    /** Control ids for acknowledgements: unique in this process and short enough for every version (20 chars). */
    private static final class ProcessIds implements IDGenerator {
        private final String prefix = Long.toString(System.currentTimeMillis(), 36).toUpperCase();
        private final AtomicLong next = new AtomicLong();

        @Override
        public String getID() {
            return prefix + Long.toString(next.incrementAndGet(), 36).toUpperCase();
        }
    }
}
