package org.recordline.ingestion.messaging;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/**
 * Upstream systems publish on {@code ehr.inbound.v1} instead of calling HTTP: each record is handled like the HTTP
 * inputs, and its outcome is on {@code ehr.inbound-results.v1}, subject its {@code ce_id}; only a record without
 * CloudEvents headers is dead-lettered.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class InboundTest {

    private static final String SENDER = "/ehr/kafka-test";

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    private static Map<String, String> headers(String id, String source, String contentType) {
        Map<String, String> h = new HashMap<>();
        h.put(CloudEventHeaders.CE_SPECVERSION, "1.0");
        h.put(CloudEventHeaders.CE_ID, id);
        h.put(CloudEventHeaders.CE_SOURCE, source);
        h.put(CloudEventHeaders.CE_TYPE, "org.example.ehr.record.v1");
        h.put(CloudEventHeaders.CE_TIME, Instant.now().toString());
        if (contentType != null) {
            h.put(CloudEventHeaders.CE_CONTENT_TYPE, contentType);
        }
        return h;
    }

    private static String publish(String key, String source, String contentType, String body) {
        String id = "in-" + UUID.randomUUID();
        topics().publish(Topics.INBOUND, key, headers(id, source, contentType), body.getBytes(StandardCharsets.UTF_8));
        return id;
    }

    /** The results about inbound record {@code id}, once there are {@code n}. */
    private static List<JsonNode> results(String id, int n) {
        await().atMost(Duration.ofSeconds(60)).until(() -> topics().find(Topics.INBOUND_RESULTS,
                r -> id.equals(TopicClient.header(r, CloudEventHeaders.CE_SUBJECT))).size() >= n);
        return topics().find(Topics.INBOUND_RESULTS, r -> id.equals(TopicClient.header(r, CloudEventHeaders.CE_SUBJECT)))
                .stream().map(InboundTest::json).toList();
    }

    private static JsonNode json(ConsumerRecord<String, byte[]> r) {
        try {
            return EventCodec.mapper().readTree(r.value());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void everyKindOfRecordIsTakenOrRefusedWithItsResultAndAResendRecordsNothingNew() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String patient = "{\"resourceType\":\"Patient\",\"id\":\"kin-" + tag + "\",\"identifier\":[{\"system\":"
                + "\"urn:kin\",\"value\":\"" + tag + "\"}],\"gender\":\"female\"}";
        String json = publish("kin-" + tag, SENDER, "application/fhir+json", patient);
        String xml = publish("kx-" + tag, SENDER, "application/fhir+xml", "<Patient xmlns=\"http://hl7.org/fhir\">"
                + "<id value=\"kx-" + tag + "\"/><gender value=\"male\"/></Patient>");
        String hl7 = publish("kh-" + tag, SENDER, "x-application/hl7-v2+er7", "MSH|^~\\&|APP|KFAC|RL|RL|20260101||"
                + "ADT^A04^ADT_A01|K" + tag + "|P|2.5.1\rPID|1||KH" + tag + "^^^KFAC^MR||Kaf^Ka||19700101|F\r");
        String bad = publish("kb-" + tag, SENDER, "application/fhir+json", "{\"resourceType\":\"Patient\","
                + "\"gender\":\"sometimes\"}");
        String stranger = publish("ks-" + tag, "/ehr/not-registered", "application/fhir+json", patient);
        String text = publish("kt-" + tag, SENDER, "text/plain", "hello");
        String doctype = publish("kd-" + tag, SENDER, "application/fhir+xml", "<?xml version=\"1.0\"?><!DOCTYPE x"
                + " [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><Patient xmlns=\"http://hl7.org/fhir\"/>");

        JsonNode taken = results(json, 1).get(0);
        assertEquals(202, taken.get("status").asInt());
        assertEquals(SENDER, taken.get("inboundSource").asText());
        assertFalse(taken.get("replay").asBoolean());
        String submission = taken.get("submissionId").asText();
        List<ConsumerRecord<String, byte[]>> ingested = topics().ofSubmission(Topics.INGESTED, submission);
        assertEquals(1, ingested.size());
        assertEquals("ehr-kafka|kin-" + tag, ingested.get(0).key());

        assertEquals(202, results(xml, 1).get(0).get("status").asInt());
        JsonNode hl7Result = results(hl7, 1).get(0);
        assertEquals(202, hl7Result.get("status").asInt());
        assertTrue(hl7Result.get("acknowledgement").asText().contains("\rMSA|AA|K" + tag), hl7Result.toString());
        JsonNode refused = results(bad, 1).get(0);
        assertEquals(400, refused.get("status").asInt());
        assertTrue(refused.get("diagnostics").asText().contains("not a valid FHIR R4 resource"), refused.toString());
        assertTrue(refused.path("submissionId").isMissingNode());
        assertEquals(403, results(stranger, 1).get(0).get("status").asInt());
        assertEquals(415, results(text, 1).get(0).get("status").asInt());
        JsonNode unsafe = results(doctype, 1).get(0);
        assertEquals(400, unsafe.get("status").asInt());
        assertTrue(unsafe.get("diagnostics").asText().contains("DOCTYPE"), unsafe.toString());

        // the same record again (the same ce_id): the same submission, nothing new on the ingested topic
        topics().publish(Topics.INBOUND, "kin-" + tag, headers(json, SENDER, "application/fhir+json"),
                patient.getBytes(StandardCharsets.UTF_8));
        List<JsonNode> both = results(json, 2);
        JsonNode again = both.get(1);
        assertEquals(202, again.get("status").asInt());
        assertTrue(again.get("replay").asBoolean());
        assertEquals(submission, again.get("submissionId").asText());
        assertEquals(1, topics().ofSubmission(Topics.INGESTED, submission).size());
        // the same ce_id with other content is a conflict
        topics().publish(Topics.INBOUND, "kin-" + tag, headers(json, SENDER, "application/fhir+json"),
                patient.replace("female", "male").getBytes(StandardCharsets.UTF_8));
        assertEquals(409, results(json, 3).get(2).get("status").asInt());
    }

    @Test
    void aRecordWithoutCloudEventsHeadersIsDeadLetteredAndItsNeighboursTaken() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String key = "kdl-" + tag;
        Map<String, String> none = new HashMap<>();
        none.put("content-type", "application/fhir+json");
        topics().publish(Topics.INBOUND, key, none, ("{\"resourceType\":\"Patient\",\"id\":\"" + key + "\"}")
                .getBytes(StandardCharsets.UTF_8));
        // a neighbour on the same partition, after it
        String after = publish(key, SENDER, "application/fhir+json", "{\"resourceType\":\"Patient\",\"id\":\"" + key
                + "-2\"}");
        assertEquals(202, results(after, 1).get(0).get("status").asInt());
        // dead letters are sent once the poll's good records are applied: awaited
        await().atMost(Duration.ofSeconds(30)).until(() -> !topics().find(Topics.deadLetterOf(Topics.INBOUND),
                r -> key.equals(r.key())).isEmpty());
        List<ConsumerRecord<String, byte[]>> dead = topics().find(Topics.deadLetterOf(Topics.INBOUND),
                r -> key.equals(r.key()));
        assertEquals(1, dead.size());
        String reason = TopicClient.header(dead.get(0), "dead-letter-reason");
        assertTrue(reason != null && reason.contains("CloudEvents"), String.valueOf(reason));
        assertNull(TopicClient.header(dead.get(0), CloudEventHeaders.CE_ID));
    }
}
