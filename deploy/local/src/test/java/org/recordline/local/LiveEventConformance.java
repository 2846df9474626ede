package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.cloudevents.CloudEvent;
import io.cloudevents.SpecVersion;
import io.cloudevents.kafka.CloudEventDeserializer;
import io.cloudevents.kafka.KafkaMessageFactory;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCatalog;
import org.recordline.events.EventCodec;
import org.recordline.events.contract.AsyncApi;

/**
 * Events as the running services wrote them, read with the CloudEvents Java SDK's Kafka binding and held to the
 * AsyncAPI document shipped in events-contract's jar: the attributes, {@code datacontenttype}, the
 * {@code correlationid} extension, the payload's schema, and the record the SDK writes back.
 */
final class LiveEventConformance {

    private static final AsyncApi DOC = AsyncApi.readResource(EventCatalog.ASYNCAPI_RESOURCE);

    private LiveEventConformance() {
    }

    /**
     * Checks every record of a topic Recordline publishes.
     *
     * @param correlated whether every event of the topic belongs to a submission (and so carries the extension)
     * @return the CloudEvents types seen
     */
    static Set<String> check(String topic, List<ConsumerRecord<String, byte[]>> records, boolean correlated)
            throws Exception {
        Set<String> types = new TreeSet<>();
        try (CloudEventDeserializer sdk = new CloudEventDeserializer()) {
            sdk.configure(Map.of(), false);
            for (ConsumerRecord<String, byte[]> r : records) {
                String where = topic + "@" + r.partition() + ":" + r.offset();
                CloudEvent event = sdk.deserialize(topic, r.headers(), r.value());
                CloudEventHeaders ours = CloudEventHeaders.readFrom(r.headers());
                assertEquals(SpecVersion.V1, event.getSpecVersion(), where);
                assertEquals(ours.id(), event.getId(), where);
                assertEquals(ours.source(), event.getSource().toString(), where);
                assertEquals(ours.type(), event.getType(), where);
                assertEquals(ours.time(), event.getTime().toInstant(), where);
                assertEquals(ours.subject(), event.getSubject(), where);
                assertEquals("application/json", event.getDataContentType(), where);
                if (correlated) {
                    assertNotNull(event.getExtension("correlationid"), where + ": no correlationid extension");
                }
                assertEquals(ours.correlationId(), event.getExtension("correlationid"), where);
                assertArrayEquals(r.value(), event.getData().toBytes(), where);

                EventCatalog.Entry kind = EventCatalog.byType(event.getType())
                        .orElseThrow(() -> new AssertionError(where + ": a type the catalog lacks"));
                assertEquals(topic, kind.topic(), where);
                types.add(kind.type());
                List<JsonNode> messages = DOC.messagesOfType(topic, kind.type());
                assertEquals(1, messages.size(), where);
                JsonNode payload = AsyncApi.JSON.readTree(r.value());
                assertEquals(Set.of(), DOC.problems(messages.get(0).path("payload"), payload), where);
                assertEquals(Set.of(), DOC.problems(messages.get(0).path("headers"),
                        AsyncApi.JSON.valueToTree(strings(r.headers()))), where);
                EventCodec.decode(r.value(), kind.payload());

                ProducerRecord<String, byte[]> again = KafkaMessageFactory.createWriter(topic, r.key())
                        .writeBinary(event);
                Map<String, String> was = cloudEventHeaders(r.headers());
                Map<String, String> is = cloudEventHeaders(again.headers());
                assertEquals(Instant.parse(was.remove(CloudEventHeaders.CE_TIME)),
                        Instant.parse(is.remove(CloudEventHeaders.CE_TIME)), where);
                assertEquals(was, is, where + ": the SDK writes the event back unchanged");
                assertArrayEquals(r.value(), again.value(), where);
            }
        }
        return types;
    }

    private static Map<String, String> strings(Headers headers) {
        Map<String, String> out = new TreeMap<>();
        for (Header h : headers) {
            out.put(h.key(), new String(h.value(), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The CloudEvents headers only (trace context and other transport headers are not event attributes). */
    private static Map<String, String> cloudEventHeaders(Headers headers) {
        Map<String, String> out = strings(headers);
        out.keySet().removeIf(k -> !k.startsWith("ce_") && !k.equals(CloudEventHeaders.CE_CONTENT_TYPE));
        return out;
    }
}
