package org.recordline.ingestion.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordChanged;
import org.recordline.events.QuarantineDismissed;
import org.recordline.events.RecordQuarantined;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.events.ValidationIssue;
import org.recordline.testsupport.AuditCoverage;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/** GET /submissions/{id}: the status follows the downstream topics, idempotently, and poison goes to the DLQ. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class SubmissionResourceTest {

    private static final String FHIR = "application/fhir+json";

    private static String token(String user, String role) {
        return RecordlineStackResource.tokens().token(user, role);
    }

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    private static String submit(String publisher) {
        // a key each: the same document again without one would be a resend of the first
        return given().auth().oauth2(token(publisher, "ehr-publisher")).contentType(FHIR)
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .body(SharedData.fixture("patient-complete.json")).when().post("/fhir")
                .then().statusCode(202).extract().path("submissionId");
    }

    /**
     * Every endpoint is classified, and both are called with their own correlation id: the intake's
     * {@code submission.received} (recorded by the group commit's thread) and the status read carry the request's
     * context and name the patient's source record.
     */
    @Test
    void everyEndpointThatShowsOrTakesPatientDataIsAudited() {
        AuditCoverage.assertClassified(SubmissionResource.class, java.util.Set.of("POST /fhir",
                "POST /fhir/{type: [^$%/][^/]*}", "POST /hl7v2", "GET /submissions/{id}", "GET /fhir/_async/{id}", "POST /fhir/{operation: [$]import|%24import}"),
                Map.of("GET /fhir/metadata", "the CapabilityStatement: no patient data"));
        TopicClient topics = topics();
        String posted = "cov-" + UUID.randomUUID();
        String id = given().auth().oauth2(token("ehr-south", "ehr-publisher")).header("X-Correlation-Id", posted)
                .header("Idempotency-Key", posted).contentType(FHIR).body(SharedData.fixture("patient-complete.json")).when().post("/fhir")
                .then().statusCode(202).header("X-Correlation-Id", posted).extract().path("submissionId");
        var received = AuditCoverage.awaitEvent(topics, posted, "submission.received");
        assertEquals(id, received.path("submissionId").asText());
        assertEquals("ehr-publisher", received.path("context").path("roles").path(0).asText());
        assertEquals("TREAT", received.path("purpose").asText());
        String source = received.path("context").path("sourceIds").path(0).asText();
        assertEquals("ehr-south|", source.substring(0, source.indexOf('|') + 1));

        String read = "cov-" + UUID.randomUUID();
        given().auth().oauth2(token("terry", "records-technician")).header("X-Correlation-Id", read)
                .header("X-Purpose-Of-Use", "PATRQT").header("X-On-Behalf-Of", "dr-ng").when()
                .get("/submissions/" + id).then().statusCode(200);
        var status = AuditCoverage.awaitEvent(topics, read, "submission.read");
        assertEquals("success", status.path("outcome").asText());
        assertEquals("terry", status.path("actor").asText());
        assertEquals("PATRQT", status.path("purpose").asText());
        assertEquals("dr-ng", status.path("context").path("onBehalfOf").asText());
        assertEquals(source, status.path("context").path("sourceIds").path(0).asText());
        assertEquals(id, status.path("submissionId").asText());
    }

    @Test
    void statusMovesThroughValidatedToIndexedAndRedeliveryChangesNothing() {
        String id = submit("ehr-south");
        given().auth().oauth2(token("ehr-south", "ehr-publisher")).when().get("/submissions/" + id)
                .then().statusCode(200).body("status", equalTo("RECEIVED")).body("steps.size()", equalTo(1));

        String validatedEventId = UUID.randomUUID().toString();
        byte[] validated = EventCodec.encode(new RecordValidated(id, "ehr-south", "ehr-south|pat-complete-1",
                Instant.now(), List.of(), "{\"resourceType\":\"Patient\"}"));
        topics().publish(Topics.VALIDATED, "ehr-south|pat-complete-1",
                EventFixtures.headers(validatedEventId, EventTypes.RECORD_VALIDATED, id), validated);
        String tech = token("terry", "records-technician");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(tech)
                .when().get("/submissions/" + id).then().statusCode(200).body("status", equalTo("VALIDATED")));

        byte[] changed = EventCodec.encode(new RecordChanged(id, "person-42", "ehr-south|pat-complete-1",
                RecordChanged.ChangeType.PERSON_CREATED, "new-person",
                List.of(new RecordChanged.ResourceRef("Patient", "pat-complete-1")), Instant.now(),
                "{\"resourceType\":\"Patient\"}"));
        topics().publish(Topics.RECORD_CHANGES, "person-42",
                EventFixtures.headers(EventTypes.RECORD_CHANGED, id), changed);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(tech)
                .when().get("/submissions/" + id).then().statusCode(200).body("status", equalTo("INDEXED"))
                .body("enterprisePersonId", equalTo("person-42")).body("steps.size()", equalTo(3)));

        // the same validated event again, and a late one: one step each at most, status stays INDEXED
        topics().publish(Topics.VALIDATED, "ehr-south|pat-complete-1",
                EventFixtures.headers(validatedEventId, EventTypes.RECORD_VALIDATED, id), validated);
        String marker = submit("ehr-south");
        topics().publish(Topics.VALIDATED, "ehr-south|pat-complete-1",
                EventFixtures.headers(EventTypes.RECORD_VALIDATED, marker), EventCodec.encode(new RecordValidated(
                        marker, "ehr-south", "ehr-south|pat-complete-1", Instant.now(), List.of(), "{}")));
        // once the later event on the same partition is applied, the redelivered one was seen and skipped
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(tech)
                .when().get("/submissions/" + marker).then().body("status", equalTo("VALIDATED")));
        given().auth().oauth2(tech).when().get("/submissions/" + id).then().statusCode(200)
                .body("status", equalTo("INDEXED")).body("steps.size()", equalTo(3))
                .body("steps.status", equalTo(List.of("RECEIVED", "VALIDATED", "INDEXED")));
    }

    @Test
    void quarantineShowsTheReasons() {
        String id = submit("ehr-west");
        topics().publish(Topics.QUARANTINED, "ehr-west|pat-complete-1",
                EventFixtures.headers(EventTypes.RECORD_QUARANTINED, id),
                EventCodec.encode(new RecordQuarantined(id, "ehr-west", "ehr-west|pat-complete-1", Instant.now(),
                        List.of(new ValidationIssue("error", "required", "patient-birthdate", "Patient.birthDate",
                                "Patient has no birth date")))));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(token("ehr-west",
                        "ehr-publisher")).when().get("/submissions/" + id).then().statusCode(200)
                .body("status", equalTo("QUARANTINED")).body("issues[0].rule", equalTo("patient-birthdate")));
    }

    @Test
    void aDismissalByATechnicianEndsTheSubmissionAndTheSenderSeesTheReason() {
        String id = submit("ehr-west");
        String key = "ehr-west|pat-complete-1";
        topics().publish(Topics.QUARANTINED, key, EventFixtures.headers(EventTypes.RECORD_QUARANTINED, id),
                EventCodec.encode(new RecordQuarantined(id, "ehr-west", key, Instant.now(),
                        List.of(new ValidationIssue("error", "required", "patient-birthdate", "Patient.birthDate",
                                "Patient has no birth date")))));
        topics().publish(Topics.QUARANTINED, key, EventFixtures.headers(EventTypes.QUARANTINE_DISMISSED, id),
                EventCodec.encode(new QuarantineDismissed(id, "ehr-west", key, Instant.now(),
                        "a test record sent to production")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(token("ehr-west",
                        "ehr-publisher")).when().get("/submissions/" + id).then().statusCode(200)
                .body("status", equalTo("DISMISSED"))
                .body("steps.status", equalTo(List.of("RECEIVED", "QUARANTINED", "DISMISSED")))
                .body("steps[2].detail", equalTo("dismissed: a test record sent to production"))
                // the findings that held it back stay readable
                .body("issues[0].rule", equalTo("patient-birthdate")));
    }

    @Test
    void poisonMessageGoesToTheDeadLetterTopicAndThePartitionKeepsFlowing() {
        String key = "ehr-poison|p1";
        topics().publish(Topics.VALIDATED, key, Map.of(), "this is not json".getBytes(StandardCharsets.UTF_8));
        topics().publish(Topics.VALIDATED, key, EventFixtures.headers(EventTypes.RECORD_VALIDATED, "x"),
                "{\"submissionId\": [broken".getBytes(StandardCharsets.UTF_8));
        topics().publish(Topics.VALIDATED, key, EventFixtures.headers("org.recordline.ehr.unknown.v9", "x"),
                "{}".getBytes(StandardCharsets.UTF_8));
        String id = submit("ehr-poison");
        topics().publish(Topics.VALIDATED, key, EventFixtures.headers(EventTypes.RECORD_VALIDATED, id),
                EventCodec.encode(new RecordValidated(id, "ehr-poison", key, Instant.now(), List.of(), "{}")));

        String tech = token("terry", "records-technician");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(tech)
                .when().get("/submissions/" + id).then().body("status", equalTo("VALIDATED")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var dead = topics().find(Topics.deadLetterOf(Topics.VALIDATED), r -> key.equals(r.key()));
            assertEquals(3, dead.size(), "three poison records dead-lettered");
            dead.forEach(r -> org.junit.jupiter.api.Assertions.assertNotNull(TopicClient.header(r, "dead-letter-reason")));
        });
    }

    @Test
    void publishersSeeOnlyTheirOwnSubmissionsAndOtherRolesAreRefused() {
        String id = submit("ehr-east");
        given().auth().oauth2(token("ehr-other", "ehr-publisher")).when().get("/submissions/" + id)
                .then().statusCode(404).contentType("application/problem+json");
        given().when().get("/submissions/" + id).then().statusCode(401);
        given().auth().oauth2(token("audrey", "auditor")).when().get("/submissions/" + id).then().statusCode(403);
        given().auth().oauth2(token("ehr-east", "ehr-publisher")).when().get("/submissions/" + id)
                .then().statusCode(200).body("submissionId", equalTo(id));
        given().auth().oauth2(token("terry", "records-technician")).when().get("/submissions/does-not-exist")
                .then().statusCode(404);
    }

    @Test
    void anEventAboutASubmissionNeverReceivedIsDeadLetteredWithTheReasonNotDropped() {
        String key = "ehr-ghost|p1";
        String ghost = UUID.randomUUID().toString();
        topics().publish(Topics.RECORD_CHANGES, key, EventFixtures.headers(EventTypes.RECORD_CHANGED, ghost),
                EventCodec.encode(new RecordChanged(ghost, "person-ghost", key, RecordChanged.ChangeType.PERSON_CREATED,
                        "new-person", List.of(), Instant.now(), "{\"resourceType\":\"Patient\"}")));
        // a marker on the same key (so the same partition) proves the consumer has moved past the ghost
        String marker = submit("ehr-ghost");
        topics().publish(Topics.RECORD_CHANGES, key, EventFixtures.headers(EventTypes.RECORD_CHANGED, marker),
                EventCodec.encode(new RecordChanged(marker, "person-marker", key,
                        RecordChanged.ChangeType.PERSON_CREATED, "new-person", List.of(), Instant.now(),
                        "{\"resourceType\":\"Patient\"}")));
        String tech = token("terry", "records-technician");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(tech)
                .when().get("/submissions/" + marker).then().body("status", equalTo("INDEXED")));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var dead = topics().find(Topics.deadLetterOf(Topics.RECORD_CHANGES), r -> key.equals(r.key()));
            assertEquals(1, dead.size(), "the ghost event is dead-lettered, once");
            String reason = TopicClient.header(dead.get(0), "dead-letter-reason");
            org.junit.jupiter.api.Assertions.assertTrue(reason != null && reason.contains(ghost)
                    && reason.contains("never received"), reason);
        });
    }
}
