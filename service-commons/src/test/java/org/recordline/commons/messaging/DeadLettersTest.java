package org.recordline.commons.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.InvalidEventException;

class DeadLettersTest {

    private static String header(ProducerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void theContractsOwnMessageIsTheReasonEvenWhenWrapped() {
        assertEquals("event without a submissionId", DeadLetters.reason(
                new IllegalStateException("wrapper", new InvalidEventException("event without a submissionId"))));
    }

    @Test
    void aDatabaseFailureNamesClassesAndTheSqlStateButNeverTheServersMessage() {
        // PostgreSQL's messages quote the offending row's values: "Key (value)=(Jane Doe ...) already exists"
        SQLException sql = new SQLException("duplicate key: Key (family)=(Doe) already exists", "23505");
        String reason = DeadLetters.reason(new DataAccessException("filing failed", sql));
        assertEquals("DataAccessException: filing failed (cause SQLException, SQL state 23505)", reason);
        assertFalse(reason.contains("Doe"));
        String other = DeadLetters.reason(new RuntimeException("Jane Doe born 1970", sql));
        assertFalse(other.contains("Jane"), other);
        assertTrue(other.startsWith("RuntimeException (cause SQLException"), other);
    }

    @Test
    void aDeadLetterKeepsKeyValueAndHeadersAndSaysWhereItCameFrom() {
        ConsumerRecord<String, byte[]> in = new ConsumerRecord<>("ehr.validated.v1", 2, 41L, "k", new byte[] {1, 2});
        in.headers().add("ce_id", "e-1".getBytes(StandardCharsets.UTF_8));
        in.headers().add("dead-letter-reason", "an older one".getBytes(StandardCharsets.UTF_8));
        ProducerRecord<String, byte[]> out = DeadLetters.toRecord(
                new DeadLetters.DeadLetter(in, new InvalidEventException("unexpected event type")));
        assertEquals("ehr.validated.v1.dlq", out.topic());
        assertEquals("k", out.key());
        assertEquals(2, out.value().length);
        assertEquals("e-1", header(out, "ce_id"));
        assertEquals("unexpected event type", header(out, "dead-letter-reason"));
        assertEquals(1, out.headers().toArray().length - 6, "the old dead-letter headers are replaced, not kept");
        assertEquals("ehr.validated.v1", header(out, "dead-letter-topic"));
        assertEquals("2", header(out, "dead-letter-partition"));
        assertEquals("41", header(out, "dead-letter-offset"));
    }

    @Test
    void theDeadLetterHeadersAreThoseTheAsyncApiDocumentPromises() throws Exception {
        ConsumerRecord<String, byte[]> in = new ConsumerRecord<>("ehr.audit.v1", 0, 1L, "k", new byte[] {1});
        ProducerRecord<String, byte[]> out = DeadLetters.toRecord(
                new DeadLetters.DeadLetter(in, new InvalidEventException("broken")));
        java.util.Set<String> written = new java.util.TreeSet<>();
        out.headers().forEach(h -> written.add(h.key()));
        com.fasterxml.jackson.databind.JsonNode doc;
        try (var stream = getClass().getResourceAsStream(org.recordline.events.EventCatalog.ASYNCAPI_RESOURCE)) {
            doc = new com.fasterxml.jackson.databind.ObjectMapper(
                    new com.fasterxml.jackson.dataformat.yaml.YAMLFactory()).readTree(stream);
        }
        com.fasterxml.jackson.databind.JsonNode headers = doc.at("/components/messages/DeadLetter/headers");
        java.util.Set<String> required = new java.util.TreeSet<>();
        headers.path("required").forEach(n -> required.add(n.asText()));
        java.util.Set<String> documented = new java.util.TreeSet<>();
        headers.path("properties").fieldNames().forEachRemaining(documented::add);
        assertEquals(required, documented);
        assertEquals(documented, written, "the record had no headers of its own, so only dead-letter ones remain");
    }
}
