package org.recordline.events;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** CloudEvents binary-mode headers: the map, writing onto Kafka headers and reading them back. */
class CloudEventHeadersTest {

    private static final Instant TIME = Instant.parse("2024-05-01T10:15:30.123Z");

    private static CloudEventHeaders full() {
        return new CloudEventHeaders("evt-1", "/recordline/ingestion-service", EventTypes.RECORD_INGESTED, TIME,
                "sub-42", "corr-42");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(Headers headers, String name) {
        return new String(headers.lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    /** Valid headers of {@link #full()}, written the way a producer does. */
    private static RecordHeaders validHeaders() {
        RecordHeaders headers = new RecordHeaders();
        full().writeTo(headers);
        return headers;
    }

    @Test
    void asMapListsEveryAttributeInOrder() {
        Map<String, String> m = full().asMap();
        assertEquals(List.of("ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "ce_subject",
                "content-type", "ce_correlationid"), List.copyOf(m.keySet()));
        assertEquals("evt-1", m.get(CloudEventHeaders.CE_ID));
        assertEquals("/recordline/ingestion-service", m.get(CloudEventHeaders.CE_SOURCE));
        assertEquals("org.recordline.ehr.ingested.v1", m.get(CloudEventHeaders.CE_TYPE));
        assertEquals("1.0", m.get(CloudEventHeaders.CE_SPECVERSION));
        assertEquals("2024-05-01T10:15:30.123Z", m.get(CloudEventHeaders.CE_TIME));
        assertEquals("sub-42", m.get(CloudEventHeaders.CE_SUBJECT));
        assertEquals("application/json", m.get(CloudEventHeaders.CE_CONTENT_TYPE));
        assertEquals("corr-42", m.get(CloudEventHeaders.CORRELATION_ID));
    }

    @Test
    void asMapOmitsAbsentSubjectAndCorrelationId() {
        Map<String, String> m = new CloudEventHeaders("evt-2", "/recordline/audit-service", EventTypes.AUDIT, TIME,
                null, null).asMap();
        assertEquals(List.of("ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "content-type"),
                List.copyOf(m.keySet()));
        assertFalse(m.containsKey(CloudEventHeaders.CE_SUBJECT));
        assertFalse(m.containsKey(CloudEventHeaders.CORRELATION_ID));
    }

    @Test
    void writeToAddsEachAttributeAsUtf8Bytes() {
        RecordHeaders headers = validHeaders();
        assertEquals(8, headers.toArray().length);
        assertArrayEquals(utf8("1.0"), headers.lastHeader("ce_specversion").value());
        assertArrayEquals(utf8("application/json"), headers.lastHeader("content-type").value());
        full().asMap().forEach((k, v) -> assertEquals(v, text(headers, k), k));
    }

    @Test
    void writeThenReadRoundTrips() {
        CloudEventHeaders original = full();
        RecordHeaders headers = new RecordHeaders();
        original.writeTo(headers);
        CloudEventHeaders read = CloudEventHeaders.readFrom(headers);
        assertEquals(original, read);
        assertEquals(TIME, read.time());
    }

    @Test
    void writeThenReadRoundTripsWithoutOptionalAttributes() {
        CloudEventHeaders original = new CloudEventHeaders("evt-3", "/recordline/index-service",
                EventTypes.RECORD_CHANGED, Instant.parse("2024-01-02T03:04:05Z"), null, null);
        RecordHeaders headers = new RecordHeaders();
        original.writeTo(headers);
        CloudEventHeaders read = CloudEventHeaders.readFrom(headers);
        assertEquals(original, read);
        assertNull(read.subject());
        assertNull(read.correlationId());
    }

    @Test
    void readFromRoundTripsNonAsciiValues() {
        CloudEventHeaders original = new CloudEventHeaders("évt-ü", "/recordline/ingestion-service",
                EventTypes.RECORD_INGESTED, TIME, "sübject", null);
        RecordHeaders headers = new RecordHeaders();
        original.writeTo(headers);
        assertEquals(original, CloudEventHeaders.readFrom(headers));
    }

    @Test
    void readFromTakesTheLastValueOfARepeatedHeader() {
        RecordHeaders headers = validHeaders();
        headers.add(CloudEventHeaders.CE_ID, utf8("evt-later"));
        assertEquals("evt-later", CloudEventHeaders.readFrom(headers).id());
    }

    @Test
    void readFromAcceptsAnEventWithoutContentType() {
        RecordHeaders headers = validHeaders();
        headers.remove(CloudEventHeaders.CE_CONTENT_TYPE);
        assertEquals(full(), CloudEventHeaders.readFrom(headers));
    }

    @Test
    void missingSpecVersionIsInvalid() {
        RecordHeaders headers = validHeaders();
        headers.remove(CloudEventHeaders.CE_SPECVERSION);
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> CloudEventHeaders.readFrom(headers));
        assertNotNull(e.getMessage());
        assertTrue(e.getMessage().contains("spec version"), e.getMessage());
    }

    @Test
    void specVersionZeroPointThreeIsInvalid() {
        RecordHeaders headers = validHeaders();
        headers.remove(CloudEventHeaders.CE_SPECVERSION);
        headers.add(CloudEventHeaders.CE_SPECVERSION, utf8("0.3"));
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> CloudEventHeaders.readFrom(headers));
        assertTrue(e.getMessage().contains("0.3"), e.getMessage());
    }

    @Test
    void emptyHeadersAreInvalid() {
        assertThrows(InvalidEventException.class, () -> CloudEventHeaders.readFrom(new RecordHeaders()));
    }

    @Test
    void missingIdIsInvalid() {
        assertMissing(CloudEventHeaders.CE_ID);
    }

    @Test
    void missingSourceIsInvalid() {
        assertMissing(CloudEventHeaders.CE_SOURCE);
    }

    @Test
    void missingTypeIsInvalid() {
        assertMissing(CloudEventHeaders.CE_TYPE);
    }

    @Test
    void missingTimeIsInvalid() {
        assertMissing(CloudEventHeaders.CE_TIME);
    }

    private static void assertMissing(String name) {
        RecordHeaders headers = validHeaders();
        headers.remove(name);
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> CloudEventHeaders.readFrom(headers));
        assertTrue(e.getMessage().contains(name), e.getMessage());
        assertTrue(e.getMessage().contains("missing"), e.getMessage());
    }

    @Test
    void blankIdIsInvalid() {
        RecordHeaders headers = validHeaders();
        headers.remove(CloudEventHeaders.CE_ID);
        headers.add(CloudEventHeaders.CE_ID, utf8("   "));
        assertThrows(InvalidEventException.class, () -> CloudEventHeaders.readFrom(headers));
    }

    @Test
    void sourceWithNullValueIsInvalid() {
        RecordHeaders headers = validHeaders();
        headers.remove(CloudEventHeaders.CE_SOURCE);
        headers.add(CloudEventHeaders.CE_SOURCE, null);
        assertThrows(InvalidEventException.class, () -> CloudEventHeaders.readFrom(headers));
    }

    @Test
    void unparseableTimeIsInvalid() {
        RecordHeaders headers = validHeaders();
        headers.remove(CloudEventHeaders.CE_TIME);
        headers.add(CloudEventHeaders.CE_TIME, utf8("yesterday at noon"));
        InvalidEventException e = assertThrows(InvalidEventException.class,
                () -> CloudEventHeaders.readFrom(headers));
        assertTrue(e.getMessage().contains("ce_time"), e.getMessage());
    }

    @Test
    void timeWithoutZoneIsInvalid() {
        RecordHeaders headers = validHeaders();
        headers.remove(CloudEventHeaders.CE_TIME);
        headers.add(CloudEventHeaders.CE_TIME, utf8("2024-05-01T10:15:30"));
        assertThrows(InvalidEventException.class, () -> CloudEventHeaders.readFrom(headers));
    }

    @Test
    void anIdLongerThanTheIdempotencyRecordsHoldIsRefusedNotTruncated() {
        RecordHeaders ok = validHeaders();
        ok.remove(CloudEventHeaders.CE_ID);
        ok.add(CloudEventHeaders.CE_ID, utf8("i".repeat(CloudEventHeaders.MAX_ID_LENGTH)));
        assertEquals(CloudEventHeaders.MAX_ID_LENGTH, CloudEventHeaders.readFrom(ok).id().length());
        RecordHeaders tooLong = validHeaders();
        tooLong.remove(CloudEventHeaders.CE_ID);
        tooLong.add(CloudEventHeaders.CE_ID, utf8("i".repeat(CloudEventHeaders.MAX_ID_LENGTH + 1)));
        InvalidEventException e = assertThrows(InvalidEventException.class, () -> CloudEventHeaders.readFrom(tooLong));
        assertTrue(e.getMessage().contains("ce_id"), e.getMessage());
    }
}
