package org.recordline.validation.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordIngested;
import org.recordline.events.Topics;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/** ehr.ingested.v1 in, ehr.validated.v1 or quarantine out, through the real broker and database. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class CompletenessCheckFlowTest {

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    private static String tech() {
        return RecordlineStackResource.tokens().token("terry", "records-technician");
    }

    private static String publishIngested(String eventId, String fhir, String resourceType) {
        String submissionId = UUID.randomUUID().toString();
        publishIngested(eventId, submissionId, fhir, resourceType);
        return submissionId;
    }

    private static void publishIngested(String eventId, String submissionId, String fhir, String resourceType) {
        publishIngested(eventId, submissionId, "ehr-test|" + submissionId, fhir, resourceType);
    }

    private static void publishIngested(String eventId, String submissionId, String sourceRecordKey, String fhir,
                                        String resourceType) {
        RecordIngested in = new RecordIngested(submissionId, "ehr-test", sourceRecordKey, resourceType, 1,
                Instant.now(), fhir);
        topics().publish(Topics.INGESTED, in.sourceRecordKey(),
                EventFixtures.headers(eventId, EventTypes.RECORD_INGESTED, submissionId), EventCodec.encode(in));
    }

    private static List<ConsumerRecord<String, byte[]>> on(String topic, String submissionId) {
        return topics().ofSubmission(topic, submissionId);
    }

    private static String fixture(String name) {
        return new String(SharedData.fixture(name), StandardCharsets.UTF_8);
    }

    /**
     * Publishes a marker submission with {@code sourceRecordKey} (so on the same partition as the submission under
     * test, and handled after it) and waits for its outcome on {@code outcomeTopic}: from then on, whatever the
     * earlier submission produced there is visible.
     */
    private static void awaitMarkerOn(String outcomeTopic, String sourceRecordKey) {
        String marker = UUID.randomUUID().toString();
        publishIngested(UUID.randomUUID().toString(), marker, sourceRecordKey,
                fixture(Topics.VALIDATED.equals(outcomeTopic) ? "patient-complete.json" : "patient-incomplete.json"),
                "Patient");
        await().atMost(Duration.ofSeconds(30)).until(() -> on(outcomeTopic, marker).size() == 1);
        assertEquals(TopicClient.partitionFor(sourceRecordKey, Topics.DEFAULT_PARTITIONS),
                on(outcomeTopic, marker).get(0).partition(), "the marker shares the partition");
    }

    @Test
    void completeSyntheaBundleIsValidatedOnceEvenWhenRedelivered() throws Exception {
        String fhir = Files.readString(SharedData.syntheaPatientBundles().get(0));
        String eventId = UUID.randomUUID().toString();
        String id = publishIngested(eventId, fhir, "Bundle");
        publishIngested(eventId, id, fhir, "Bundle");
        await().atMost(Duration.ofSeconds(60)).until(() -> on(Topics.VALIDATED, id).size() == 1);
        // markers after the duplicate, on its partition: once they are out, so would a second outcome be
        awaitMarkerOn(Topics.VALIDATED, "ehr-test|" + id);
        awaitMarkerOn(Topics.QUARANTINED, "ehr-test|" + id);
        assertEquals(1, on(Topics.VALIDATED, id).size(), "redelivery validated nothing twice");
        JsonNode event = EventCodec.mapper().readTree(on(Topics.VALIDATED, id).get(0).value());
        assertEquals("Bundle", event.at("/fhir/resourceType").asText());
        // Synthea's placeholder codes fail their check digits: warnings, which travel with the record
        assertTrue(event.get("warnings").size() > 0);
        for (JsonNode w : event.get("warnings")) {
            assertTrue(w.get("severity").asText().equals("warning") || w.get("severity").asText().equals("information"),
                    w.toString());
        }
        assertEquals(1.0, event.get("completeness").asDouble());
        assertEquals(List.of(), on(Topics.QUARANTINED, id));
        var audit = on(Topics.AUDIT, id);
        assertEquals(1, audit.size());
        assertEquals("record.validated", EventCodec.mapper().readTree(audit.get(0).value()).get("action").asText());
    }

    @Test
    void incompletePatientIsQuarantinedWithReasonsAndReadableByTechnicians() throws Exception {
        String id = publishIngested(UUID.randomUUID().toString(),
                new String(SharedData.fixture("patient-incomplete.json"), StandardCharsets.UTF_8), "Patient");
        await().atMost(Duration.ofSeconds(30)).until(() -> on(Topics.QUARANTINED, id).size() == 1);
        JsonNode event = EventCodec.mapper().readTree(on(Topics.QUARANTINED, id).get(0).value());
        assertEquals(2, event.get("issues").size());
        assertTrue(event.toString().contains("patient-birthdate") && event.toString().contains("patient-identifier"));
        assertTrue(!event.toString().contains("Nobirthdate"), "the quarantine event carries reasons, not the record");
        awaitMarkerOn(Topics.VALIDATED, "ehr-test|" + id);
        assertEquals(List.of(), on(Topics.VALIDATED, id));

        given().auth().oauth2(tech()).when().get("/quarantine?size=500").then().statusCode(200)
                .body("submissionId", hasItem(id));
        given().auth().oauth2(tech()).when().get("/quarantine/" + id + "/record").then().statusCode(200)
                .body("resourceType", equalTo("Patient")).body("name[0].family", equalTo("Nobirthdate"));
        await().atMost(Duration.ofSeconds(20)).until(() -> on(Topics.AUDIT, id).stream().map(r -> {
            try {
                return EventCodec.mapper().readTree(r.value()).get("action").asText();
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }).toList().containsAll(List.of("record.quarantined", "record.read")));
    }

    @Test
    void aRecordHoldingANulCharacterIsQuarantinedNotDeadLetteredAndKeptExactlyAsSent() throws Exception {
        // U+0000 escaped in a value and in an element name: FHIR refuses the first, and PostgreSQL's jsonb both
        String fhir = fixture("patient-complete.json").replace("\"Testperson\"", "\"Test\\u0000person\"")
                .replace("\"gender\"", "\"x\\u0000y\": 1, \"gender\"");
        String id = publishIngested(UUID.randomUUID().toString(), fhir, "Patient");
        await().atMost(Duration.ofSeconds(30)).until(() -> on(Topics.QUARANTINED, id).size() == 1);
        JsonNode event = EventCodec.mapper().readTree(on(Topics.QUARANTINED, id).get(0).value());
        assertTrue(event.get("issues").toString().contains("control character"), event.toString());
        assertTrue(!event.toString().contains("\\u0000"), "no finding carries U+0000 on");
        assertEquals(List.of(), topics().find(Topics.deadLetterOf(Topics.INGESTED),
                r -> r.key() != null && r.key().endsWith(id)));
        String kept = given().auth().oauth2(tech()).when().get("/quarantine/" + id + "/record").then().statusCode(200)
                .extract().asString();
        assertEquals(EventCodec.mapper().readTree(fhir), EventCodec.mapper().readTree(kept));
        assertTrue(kept.contains("Test\\u0000person"), "the desk shows the record as it was sent");
    }

    private static String observationEntry(String id, boolean complete) {
        return "{\"fullUrl\":\"urn:uuid:" + UUID.nameUUIDFromBytes(id.getBytes(StandardCharsets.UTF_8))
                + "\",\"resource\":{\"resourceType\":\"Observation\",\"id\":\"" + id + "\","
                + (complete ? "\"status\":\"final\"," : "")
                + "\"code\":{\"text\":\"heart rate\"}},\"request\":{\"method\":\"POST\",\"url\":\"Observation\"}}";
    }

    private static List<String> entryIds(JsonNode bundle) {
        List<String> ids = new java.util.ArrayList<>();
        bundle.get("entry").forEach(e -> ids.add(e.at("/resource/id").asText()));
        return ids;
    }

    @Test
    void aBatchIsJudgedEntryByEntryTheGoodEntriesGoOnAndTheBadOneWaitsWithItsPatient() throws Exception {
        String batch = "{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[{\"fullUrl\":\"urn:uuid:"
                + UUID.randomUUID() + "\",\"resource\":" + fixture("patient-complete.json")
                + ",\"request\":{\"method\":\"POST\",\"url\":\"Patient\"}}," + observationEntry("good-1", true) + ","
                + observationEntry("bad-2", false) + "," + observationEntry("good-3", true) + "]}";
        String id = publishIngested(UUID.randomUUID().toString(), batch, "Bundle");
        await().atMost(Duration.ofSeconds(30)).until(() -> on(Topics.VALIDATED, id).size() == 1
                && on(Topics.QUARANTINED, id).size() == 1);
        JsonNode validated = EventCodec.mapper().readTree(on(Topics.VALIDATED, id).get(0).value());
        assertEquals(List.of("pat-complete-1", "good-1", "good-3"), entryIds(validated.get("fhir")));
        assertEquals("[2]", validated.get("heldBack").toString());
        JsonNode quarantined = EventCodec.mapper().readTree(on(Topics.QUARANTINED, id).get(0).value());
        assertEquals("[2]", quarantined.get("entries").toString());
        // the findings point into the held part: its Patient first, then the held entry
        assertTrue(quarantined.get("issues").toString().contains("Bundle.entry[1]"), quarantined.toString());
        String kept = given().auth().oauth2(tech()).when().get("/quarantine/" + id + "/record").then()
                .statusCode(200).extract().asString();
        assertEquals(List.of("pat-complete-1", "bad-2"), entryIds(EventCodec.mapper().readTree(kept)));

        // the same entries as a transaction pass or fail as a whole
        String whole = publishIngested(UUID.randomUUID().toString(), batch.replace("\"batch\"", "\"transaction\""),
                "Bundle");
        await().atMost(Duration.ofSeconds(30)).until(() -> on(Topics.QUARANTINED, whole).size() == 1);
        assertTrue(!EventCodec.mapper().readTree(on(Topics.QUARANTINED, whole).get(0).value()).has("entries"));
        awaitMarkerOn(Topics.VALIDATED, "ehr-test|" + whole);
        assertEquals(List.of(), on(Topics.VALIDATED, whole));
    }

    @Test
    void poisonRecordsAreDeadLetteredAndTheNextRecordIsProcessed() {
        String key = "ehr-test|poison-" + UUID.randomUUID();
        topics().publish(Topics.INGESTED, key, Map.of(), new byte[] {0, 1, 2, (byte) 0xff});
        topics().publish(Topics.INGESTED, key, EventFixtures.headers(EventTypes.RECORD_INGESTED, "x"),
                "{\"submissionId\":".getBytes(StandardCharsets.UTF_8));
        String submissionId = UUID.randomUUID().toString();
        RecordIngested good = new RecordIngested(submissionId, "ehr-test", key, "Patient", 1, Instant.now(),
                new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8));
        topics().publish(Topics.INGESTED, key, EventFixtures.headers(EventTypes.RECORD_INGESTED, submissionId),
                EventCodec.encode(good));
        await().atMost(Duration.ofSeconds(30)).until(() -> on(Topics.VALIDATED, submissionId).size() == 1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var dead = topics().find(Topics.deadLetterOf(Topics.INGESTED), r -> key.equals(r.key()));
            assertEquals(2, dead.size());
            assertTrue(dead.stream().allMatch(r -> TopicClient.header(r, "dead-letter-reason") != null));
        });
        assertEquals(List.of(), on(Topics.QUARANTINED, submissionId), "only the poison went astray");
    }

    @Inject
    MeterRegistry registry;

    private static ProducerRecord<String, byte[]> ingested(String key, String submissionId, String fhir) {
        RecordIngested in = new RecordIngested(submissionId, "ehr-test", key, "Patient", 1, Instant.now(), fhir);
        ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.INGESTED, key, EventCodec.encode(in));
        EventFixtures.headers(UUID.randomUUID().toString(), EventTypes.RECORD_INGESTED, submissionId)
                .forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        return r;
    }

    @Test
    void aPoisonRecordInTheMiddleOfABatchIsDeadLetteredAloneAndItsNeighboursAreAppliedOnceInOrder() {
        String key = "ehr-test|batch-" + UUID.randomUUID();
        List<String> good = new java.util.ArrayList<>();
        List<ProducerRecord<String, byte[]>> batch = new java.util.ArrayList<>();
        String poison = "p".repeat(60);
        for (int i = 0; i < 30; i++) {
            if (i == 15) {
                // decodes, and fails only when applied: the quarantine keeps submission ids of at most 36 characters
                batch.add(ingested(key, poison, fixture("patient-incomplete.json")));
            }
            String id = UUID.randomUUID().toString();
            good.add(id);
            batch.add(ingested(key, id, fixture("patient-complete.json")));
        }
        topics().publishAll(batch);

        await().atMost(Duration.ofSeconds(60)).until(() -> on(Topics.QUARANTINED, poison).isEmpty()
                && topics().find(Topics.deadLetterOf(Topics.INGESTED), r -> key.equals(r.key())).size() == 1);
        var dead = topics().find(Topics.deadLetterOf(Topics.INGESTED), r -> key.equals(r.key()));
        assertEquals(poison, TopicClient.header(dead.get(0), "ce_correlationid"), "only the poison is dead-lettered");
        assertTrue(TopicClient.header(dead.get(0), "dead-letter-reason").contains("22001"),
                "the reason names the failure: " + TopicClient.header(dead.get(0), "dead-letter-reason"));

        // every neighbour validated exactly once, in the order published (one key, one partition); the marker after
        // them on the same partition makes any second outcome visible
        await().atMost(Duration.ofSeconds(60)).until(() ->
                topics().find(Topics.VALIDATED, r -> key.equals(r.key())).size() >= good.size());
        awaitMarkerOn(Topics.VALIDATED, key);
        java.util.Set<String> goodIds = new java.util.HashSet<>(good);
        List<String> validated = topics().find(Topics.VALIDATED, r -> key.equals(r.key())).stream()
                .map(r -> TopicClient.header(r, "ce_correlationid")).filter(goodIds::contains).toList();
        assertEquals(good, validated);
        assertTrue(registry.find("recordline.consumer.batch.size").tag("topic", Topics.INGESTED).summary().max() > 1,
                "the records were consumed in batches");
    }

    @Test
    void quarantineNeedsATechnicianToken() {
        given().when().get("/quarantine").then().statusCode(401);
        given().auth().oauth2(RecordlineStackResource.tokens().token("ehr", "ehr-publisher"))
                .when().get("/quarantine").then().statusCode(403);
        given().auth().oauth2(RecordlineStackResource.tokens().token("audrey", "auditor"))
                .when().get("/quarantine/x/record").then().statusCode(403);
        given().auth().oauth2(tech()).when().get("/quarantine/no-such/record").then().statusCode(404);
        given().auth().oauth2(tech()).when().get("/quarantine?page=abc").then().statusCode(400)
                .contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("'page'"));
        given().when().get("/quarantine").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"));
    }

    @Test
    void anAdministratorLoadsARulePackWithoutARestartAndItIsAudited() throws Exception {
        String admin = RecordlineStackResource.tokens().token("ada", "admin");
        String pack = """
                pack: flow-test-pack
                version: "1"
                rules:
                  - id: pack-test-telecom
                    resourceType: Patient
                    severity: error
                    where: identifier.where(system = 'urn:recordline:pack-test').exists()
                    require: telecom.exists()
                    location: telecom
                    message: Patient has no telecom
                """;
        given().auth().oauth2(tech()).contentType("application/yaml").body(pack.getBytes(StandardCharsets.UTF_8)).when().post("/rule-packs")
                .then().statusCode(403);
        given().auth().oauth2(admin).contentType("application/yaml").body("pack: x\nrules: []\n".getBytes(StandardCharsets.UTF_8))
                .when().post("/rule-packs").then().statusCode(422).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("version"));
        given().auth().oauth2(admin).contentType("application/yaml").body(pack.getBytes(StandardCharsets.UTF_8)).when().post("/rule-packs")
                .then().statusCode(201).body("pack", equalTo("flow-test-pack")).body("version", equalTo("1"));
        given().auth().oauth2(admin).contentType("application/yaml").body(pack.getBytes(StandardCharsets.UTF_8)).when().post("/rule-packs")
                .then().statusCode(422); // the same version twice: a new pack needs a new version
        given().auth().oauth2(tech()).when().get("/rule-packs").then().statusCode(200)
                .body("pack", hasItem("flow-test-pack")).body("pack", hasItem("recordline-core"));

        com.fasterxml.jackson.databind.node.ObjectNode patient =
                (com.fasterxml.jackson.databind.node.ObjectNode) EventCodec.mapper().readTree(fixture("patient-complete.json"));
        patient.remove("telecom");
        patient.withArray("identifier").addObject().put("system", "urn:recordline:pack-test").put("value", "1");
        String id = publishIngested(UUID.randomUUID().toString(), patient.toString(), "Patient");
        await().atMost(Duration.ofSeconds(60)).until(() -> on(Topics.QUARANTINED, id).size() == 1);
        JsonNode issues = EventCodec.mapper().readTree(on(Topics.QUARANTINED, id).get(0).value()).get("issues");
        assertTrue(issues.toString().contains("\"rule\":\"pack-test-telecom\""), issues.toString());
        assertTrue(issues.toString().contains("\"pack\":\"flow-test-pack@1\""), issues.toString());

        await().atMost(Duration.ofSeconds(30)).until(() -> topics().find(Topics.AUDIT, r -> {
            String v = new String(r.value(), StandardCharsets.UTF_8);
            return v.contains("rule-pack.loaded") && v.contains("flow-test-pack@1") && v.contains("success");
        }).size() == 1);
        await().atMost(Duration.ofSeconds(30)).until(() -> topics().find(Topics.AUDIT, r -> {
            String v = new String(r.value(), StandardCharsets.UTF_8);
            return v.contains("rule-pack.loaded") && v.contains("failure");
        }).size() >= 2);
    }
}
