package org.recordline.events;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * CloudEvents 1.0 binary-mode Kafka headers ({@code ce_*}) plus Recordline's correlation id.
 *
 * @param id          unique id of the event, at most {@value #MAX_ID_LENGTH} characters; consumers use it as their
 *                    idempotency key, which is never truncated
 * @param source      URI-reference of the producing service, e.g. {@code /recordline/ingestion-service}
 * @param type        event type, e.g. {@code org.recordline.ehr.ingested.v1}
 * @param time        when the event happened
 * @param subject     what the event is about (a submission id), never patient data
 * @param correlationId the submission id that every event of one submission carries through every service
 */
public record CloudEventHeaders(String id, String source, String type, Instant time, String subject,
                                String correlationId) {

    public static final String SPEC_VERSION = "1.0";
    /** Longest {@code ce_id} Recordline accepts (the idempotency records store it whole). */
    public static final int MAX_ID_LENGTH = 100;
    public static final String CE_ID = "ce_id";
    public static final String CE_SOURCE = "ce_source";
    public static final String CE_TYPE = "ce_type";
    public static final String CE_SPECVERSION = "ce_specversion";
    public static final String CE_TIME = "ce_time";
    public static final String CE_SUBJECT = "ce_subject";
    public static final String CE_CONTENT_TYPE = "content-type";
    public static final String CORRELATION_ID = "ce_correlationid";

    /** The headers as an ordered name-to-value map (all values are UTF-8 strings). */
    public Map<String, String> asMap() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(CE_ID, id);
        m.put(CE_SOURCE, source);
        m.put(CE_TYPE, type);
        m.put(CE_SPECVERSION, SPEC_VERSION);
        m.put(CE_TIME, Rfc3339.format(time));
        if (subject != null) {
            m.put(CE_SUBJECT, subject);
        }
        m.put(CE_CONTENT_TYPE, "application/json");
        if (correlationId != null) {
            m.put(CORRELATION_ID, correlationId);
        }
        return m;
    }

    /** Writes the headers onto a Kafka record's headers. */
    public void writeTo(Headers headers) {
        asMap().forEach((k, v) -> headers.add(k, v.getBytes(StandardCharsets.UTF_8)));
    }

    /**
     * Reads the headers of a consumed record.
     *
     * @throws InvalidEventException if a required attribute is missing or the spec version is not 1.0
     */
    public static CloudEventHeaders readFrom(Headers headers) {
        String specVersion = last(headers, CE_SPECVERSION);
        if (!SPEC_VERSION.equals(specVersion)) {
            throw new InvalidEventException("missing or unsupported CloudEvents spec version: " + specVersion);
        }
        String id = require(headers, CE_ID);
        if (id.length() > MAX_ID_LENGTH) {
            throw new InvalidEventException("ce_id has " + id.length() + " characters, more than " + MAX_ID_LENGTH);
        }
        String source = require(headers, CE_SOURCE);
        String type = require(headers, CE_TYPE);
        String time = require(headers, CE_TIME);
        Instant at;
        try {
            at = Rfc3339.parse(time);
        } catch (RuntimeException e) {
            throw new InvalidEventException("ce_time is not an RFC 3339 timestamp");
        }
        return new CloudEventHeaders(id, source, type, at, last(headers, CE_SUBJECT), last(headers, CORRELATION_ID));
    }

    private static String require(Headers headers, String name) {
        String v = last(headers, name);
        if (v == null || v.isBlank()) {
            throw new InvalidEventException("missing CloudEvents header " + name);
        }
        return v;
    }

    private static String last(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
