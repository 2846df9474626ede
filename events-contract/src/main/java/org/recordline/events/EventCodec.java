package org.recordline.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.time.Instant;

/**
 * The JSON codec of every event record. One shared, thread-safe mapper: timestamps as RFC 3339 strings, unknown
 * fields tolerated (a consumer must accept additive changes of a {@code .v1} event), duplicate keys refused at every
 * level (a document that different parsers read differently is never an event).
 */
public final class EventCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            // registered after JavaTimeModule, so these take precedence for Instant
            .registerModule(new com.fasterxml.jackson.databind.module.SimpleModule("rfc3339")
                    .addSerializer(Instant.class, new InstantWriter())
                    .addDeserializer(Instant.class, new InstantReader()))
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private EventCodec() {
    }

    /** Serialises an event record to UTF-8 JSON. */
    public static byte[] encode(Object event) {
        try {
            return MAPPER.writeValueAsBytes(event);
        } catch (IOException e) {
            throw new IllegalStateException("event could not be serialised: " + event.getClass().getSimpleName(), e);
        }
    }

    /** Serialises an event record to JSON text (what {@link #encode(Object)} gives, as a string). */
    public static String encodeToString(Object event) {
        try {
            return MAPPER.writeValueAsString(event);
        } catch (IOException e) {
            throw new IllegalStateException("event could not be serialised: " + event.getClass().getSimpleName(), e);
        }
    }

    /**
     * Reads an event record from UTF-8 JSON.
     *
     * @throws InvalidEventException if the bytes are not JSON of that event
     */
    public static <T> T decode(byte[] json, Class<T> type) {
        if (json == null || json.length == 0) {
            throw new InvalidEventException("empty payload where a " + type.getSimpleName() + " was expected");
        }
        try {
            T value = MAPPER.readValue(json, type);
            if (value == null) {
                throw new InvalidEventException("payload is JSON null where a " + type.getSimpleName()
                        + " was expected");
            }
            return value;
        } catch (IOException e) {
            InvalidEventException broken = contractViolation(e);
            if (broken != null) {
                // a record's own check refused a value: its reason is the useful one
                throw new InvalidEventException("payload is not a valid " + type.getSimpleName() + ": "
                        + broken.getMessage(), e);
            }
            String reason = e.getMessage() != null && e.getMessage().startsWith("Duplicate field")
                    ? "duplicate key" : e.getClass().getSimpleName().replace("Exception", "");
            throw new InvalidEventException("payload is not a valid " + type.getSimpleName() + ": " + reason);
        }
    }

    private static InvalidEventException contractViolation(Throwable t) {
        int depth = 0;
        for (Throwable c = t; c != null && depth++ < 16; c = c.getCause()) {
            if (c instanceof InvalidEventException i) {
                return i;
            }
        }
        return null;
    }

    /** The shared mapper, for modules that need plain JSON of the same style. */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Writes an Instant as {@link Rfc3339#format(Instant)}: what JavaTimeModule writes, without a formatter. */
    static final class InstantWriter extends com.fasterxml.jackson.databind.ser.std.StdSerializer<Instant> {

        InstantWriter() {
            super(Instant.class);
        }

        @Override
        public void serialize(Instant value, com.fasterxml.jackson.core.JsonGenerator gen,
                              com.fasterxml.jackson.databind.SerializerProvider provider) throws IOException {
            gen.writeString(Rfc3339.format(value));
        }
    }

    /**
     * Reads an Instant from an RFC 3339 string with {@link Rfc3339#parseCommon(CharSequence)}; any other string or
     * token goes to JavaTimeModule's reader, so what it accepts and refuses is unchanged.
     */
    static final class InstantReader extends com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer<Instant> {

        InstantReader() {
            super(Instant.class);
        }

        @Override
        public Instant deserialize(JsonParser p, com.fasterxml.jackson.databind.DeserializationContext ctxt)
                throws IOException {
            if (p.hasToken(com.fasterxml.jackson.core.JsonToken.VALUE_STRING)) {
                Instant fast = Rfc3339.parseCommon(p.getText());
                if (fast != null) {
                    return fast;
                }
            }
            return com.fasterxml.jackson.datatype.jsr310.deser.InstantDeserializer.INSTANT.deserialize(p, ctxt);
        }
    }
}
