package org.recordline.events.contract;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCatalog;
import org.recordline.events.EventCodec;

/**
 * Recordline's events read by the CloudEvents Java SDK's Kafka binding, a reader written by others: every required
 * attribute, the {@code datacontenttype} and the {@code correlationid} extension are found, and an event written
 * again by the SDK is the same record.
 */
class CloudEventsSdkConformanceTest {

    @Test
    void everyEventTypeAsRecordlineWritesItIsACloudEventToTheSdk() {
        for (Fixture f : Fixture.all()) {
            EventCatalog.Entry kind = EventCatalog.byType(f.headers().get(CloudEventHeaders.CE_TYPE)).orElseThrow();
            // headers exactly as the services write them: through CloudEventHeaders, from the decoded fixture
            CloudEventHeaders ours = CloudEventHeaders.readFrom(f.kafkaHeaders());
            Headers written = new RecordHeaders();
            ours.writeTo(written);
            byte[] payload = EventCodec.encode(EventCodec.decode(f.payloadBytes(), kind.payload()));

            CloudEvent event = KafkaMessageFactory.createReader(written, payload).toEvent();

            assertEquals(SpecVersion.V1, event.getSpecVersion(), f.toString());
            assertEquals(ours.id(), event.getId(), f.toString());
            assertEquals(URI.create(ours.source()), event.getSource(), f.toString());
            assertEquals(kind.type(), event.getType(), f.toString());
            assertNotNull(event.getTime(), f.toString());
            assertEquals(ours.time(), event.getTime().toInstant(), f.toString());
            assertEquals(ours.subject(), event.getSubject(), f.toString());
            assertEquals("application/json", event.getDataContentType(), f.toString());
            assertEquals(ours.correlationId(), event.getExtension("correlationid"), f.toString());
            assertNotNull(event.getData(), f.toString());
            assertArrayEquals(payload, event.getData().toBytes(), f.toString());

            // and back: the SDK writes the same headers and value Recordline wrote
            ProducerRecord<String, byte[]> again = KafkaMessageFactory.createWriter(f.topic(), f.key())
                    .writeBinary(event);
            // the same headers; ce_time may be written with fewer fraction digits (RFC 3339 allows both): same instant
            Map<String, String> want = asMap(written);
            Map<String, String> got = asMap(again.headers());
            assertEquals(Instant.parse(want.remove(CloudEventHeaders.CE_TIME)),
                    Instant.parse(got.remove(CloudEventHeaders.CE_TIME)), f.toString());
            assertEquals(want, got, f.toString());
            assertArrayEquals(payload, again.value(), f.toString());
            assertEquals(ours, CloudEventHeaders.readFrom(again.headers()), f.toString());
        }
    }

    @Test
    void theSdksDeserializerReadsTheSameEvent() {
        try (CloudEventDeserializer deserializer = new CloudEventDeserializer()) {
            deserializer.configure(Map.of(), false);
            CloudEventHeaders ours = new CloudEventHeaders("ingestion-abc", "/recordline/ingestion-service",
                    "org.recordline.ehr.ingested.v1", Instant.parse("2026-11-28T10:15:30.123456789Z"), "abc", "abc");
            Headers h = new RecordHeaders();
            ours.writeTo(h);
            byte[] value = "{\"submissionId\":\"abc\"}".getBytes(StandardCharsets.UTF_8);
            CloudEvent event = deserializer.deserialize("ehr.ingested.v1", h, value);
            assertEquals(ours.time(), event.getTime().toInstant(), "nanoseconds survive");
            assertEquals("abc", event.getExtension("correlationid"));
        }
    }

    @Test
    void aRecordWithoutTheRequiredAttributesIsNotACloudEventToTheSdkEither() {
        Headers h = new RecordHeaders();
        h.add(CloudEventHeaders.CE_SPECVERSION, "1.0".getBytes(StandardCharsets.UTF_8));
        h.add(CloudEventHeaders.CE_ID, "x".getBytes(StandardCharsets.UTF_8));
        // no ce_source, ce_type: both readers refuse it
        assertThrows(RuntimeException.class, () -> KafkaMessageFactory.createReader(h, new byte[] {'{', '}'})
                .toEvent());
        assertThrows(org.recordline.events.InvalidEventException.class, () -> CloudEventHeaders.readFrom(h));
    }

    private static Map<String, String> asMap(Headers headers) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Header h : headers) {
            out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return new java.util.TreeMap<>(out);
    }
}
