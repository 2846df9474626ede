package org.recordline.events;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;

/**
 * The JSON codec of every event record. One shared, thread-safe mapper: timestamps as RFC 3339 strings, unknown
 * fields tolerated (a consumer must accept additive changes of a {@code .v1} event), duplicate keys refused at every
 * level (a document that different parsers read differently is never an event).
 */
public final class EventCodec {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .registerModule(new JavaTimeModule())
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
}
