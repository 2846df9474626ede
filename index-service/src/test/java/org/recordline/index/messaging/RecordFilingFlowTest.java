package org.recordline.index.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/** ehr.validated.v1 in, master patient index and ehr.record-changes.v1 out, through the real broker and database. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class RecordFilingFlowTest {

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    private static String tech() {
        return RecordlineStackResource.tokens().token("terry", "records-technician");
    }

    private static void publishValidated(String eventId, String submissionId, String sourceKey, String fhir) {
        RecordValidated v = new RecordValidated(submissionId, sourceKey.substring(0, sourceKey.indexOf('|')),
                sourceKey, Instant.now(), List.of(), fhir);
        topics().publish(Topics.VALIDATED, sourceKey,
                EventFixtures.headers(eventId, EventTypes.RECORD_VALIDATED, submissionId), EventCodec.encode(v));
    }

    private static List<ConsumerRecord<String, byte[]>> on(String topic, String submissionId) {
        return topics().ofSubmission(topic, submissionId);
    }

    private static JsonNode change(String submissionId) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> on(Topics.RECORD_CHANGES, submissionId).size() == 1);
        return EventCodec.mapper().readTree(on(Topics.RECORD_CHANGES, submissionId).get(0).value());
    }

    @Test
    void syntheaBundleIsFiledUnderANewPersonAndASecondSourceWithTheSameIdentifiersJoinsIt() throws Exception {
        String fhir = Files.readString(SharedData.syntheaPatientBundles().get(1));
        int entries = EventCodec.mapper().readTree(fhir).get("entry").size();
        String first = UUID.randomUUID().toString();
        String eventId = UUID.randomUUID().toString();
        publishValidated(eventId, first, "ehr-a|local-1", fhir);
        publishValidated(eventId, first, "ehr-a|local-1", fhir);

        JsonNode created = change(first);
        String person = created.get("enterprisePersonId").asText();
        assertEquals("PERSON_CREATED", created.get("changeType").asText());
        assertEquals("new-person", created.get("matchRule").asText());
        assertEquals(entries, created.get("resources").size());
        assertEquals(person, on(Topics.RECORD_CHANGES, first).get(0).key(), "record changes are keyed by person");

        String second = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), second, "ehr-b|other-id", fhir);
        JsonNode joined = change(second);
        assertEquals("RECORDS_FILED", joined.get("changeType").asText());
        assertEquals("exact-identifier", joined.get("matchRule").asText());
        assertEquals(person, joined.get("enterprisePersonId").asText());
        // a marker from the same source record after the redelivery: same person, so the same partition of
        // ehr.record-changes.v1; once it is out, a second filing of the first event would be too
        String marker = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), marker, "ehr-a|local-1", fhir);
        JsonNode markerChange = change(marker);
        assertEquals(person, markerChange.get("enterprisePersonId").asText());
        assertEquals(on(Topics.RECORD_CHANGES, first).get(0).partition(), on(Topics.RECORD_CHANGES, marker).get(0).partition());
        assertEquals(1, on(Topics.RECORD_CHANGES, first).size(), "the redelivered event filed nothing twice");

        given().auth().oauth2(tech()).when().get("/persons/" + person).then().statusCode(200)
                .body("sourceRecords.size()", equalTo(2))
                .body("resourceCounts.Patient", equalTo(2));
        // (the marker filed the same source record again: still two source records, two Patients)
        await().atMost(Duration.ofSeconds(20)).until(() -> topics().find(Topics.AUDIT, r -> {
            try {
                JsonNode a = EventCodec.mapper().readTree(r.value());
                return "record.read".equals(a.get("action").asText()) && person.equals(a.get("patientRef").asText());
            } catch (java.io.IOException e) {
                return false;
            }
        }).size() == 1);
        assertEquals(1, on(Topics.AUDIT, first).size());
    }

    @Test
    void differentPatientsGetDifferentPersons() throws Exception {
        String a = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), a, "ehr-c|x1",
                new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8));
        String other = new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8)
                .replace("MRN-100001", "MRN-999999");
        String b = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), b, "ehr-c|x2", other);
        assertNotEquals(change(a).get("enterprisePersonId").asText(), change(b).get("enterprisePersonId").asText());
    }

    @Test
    void poisonIsDeadLetteredAndFilingContinues() throws Exception {
        String key = "ehr-d|poison-" + UUID.randomUUID();
        topics().publish(Topics.VALIDATED, key, Map.of("ce_specversion", "0.3"), "{}".getBytes(StandardCharsets.UTF_8));
        // a validated event without a Patient breaks the contract of ehr.validated.v1
        publishValidated(UUID.randomUUID().toString(), UUID.randomUUID().toString(), key,
                "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}");
        String ok = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), ok, key,
                new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8));
        change(ok);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var dead = topics().find(Topics.deadLetterOf(Topics.VALIDATED), r -> key.equals(r.key()));
            assertEquals(2, dead.size());
            assertTrue(dead.stream().allMatch(r -> TopicClient.header(r, "dead-letter-reason") != null));
        });
    }

    @Test
    void personsNeedATechnicianToken() {
        given().when().get("/persons/x").then().statusCode(401);
        given().auth().oauth2(RecordlineStackResource.tokens().token("ehr", "ehr-publisher"))
                .when().get("/persons/x").then().statusCode(403);
        given().auth().oauth2(tech()).when().get("/persons/x").then().statusCode(404);
    }
}
