package org.recordline.ingestion.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.Topics;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/**
 * The broker goes away: a submission is kept but answered 503 (no 2xx without the broker's acknowledgement; an HL7 v2
 * message gets AR, not AA); after the broker is back, the outbox publishes it and a resend with the same
 * Idempotency-Key (the same control id) confirms it, once.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class BrokerOutageTest {

    private static final String FHIR = "application/fhir+json";

    @Test
    void submissionDuringOutageIs503ThenPublishedOnceAfterRecovery() {
        String token = RecordlineStackResource.tokens().token("ehr-outage", "ehr-publisher");
        byte[] body = SharedData.fixture("patient-complete.json");
        // warm up: the app and its producer are connected before the outage
        given().auth().oauth2(token).contentType(FHIR).body(body).when().post("/fhir").then().statusCode(202);

        String control = "OUT" + java.util.UUID.randomUUID().toString().substring(0, 8);
        byte[] hl7 = ("MSH|^~\\&|APP|OUTAGE|RL|RL|20260101||ADT^A04^ADT_A01|" + control + "|P|2.5.1\rPID|1||"
                + control + "^^^OUTAGE^MR||Out^Age||19700101|F\r").getBytes(java.nio.charset.StandardCharsets.UTF_8);

        RecordlineStackResource.broker().stop();
        String submissionId;
        String hl7Location;
        try {
            // HL7 v2 too: no AA without the broker, an AR the sender retries
            var refused = given().auth().oauth2(token).contentType(Hl7v2Resource.ER7).body(hl7).when()
                    .post("/hl7v2").then().statusCode(503).header("Retry-After", org.hamcrest.Matchers.notNullValue())
                    .extract();
            org.junit.jupiter.api.Assertions.assertTrue(refused.asString().contains("\rMSA|AR|" + control),
                    refused.asString());
            hl7Location = refused.header("Location");
            submissionId = given().auth().oauth2(token).contentType(FHIR).header("Idempotency-Key", "outage-1")
                    .body(body).when().post("/fhir").then().statusCode(503).contentType(FHIR)
                    .body("resourceType", equalTo("OperationOutcome")).body("issue[0].code", equalTo("transient"))
                    .extract().path("issue[0].diagnostics").toString().split(" ")[1];
        } finally {
            RecordlineStackResource.broker().restart();
        }

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().auth().oauth2(token).contentType(FHIR).header("Idempotency-Key", "outage-1").body(body)
                        .when().post("/fhir").then().statusCode(202).body("replay", equalTo(true))
                        .body("submissionId", equalTo(submissionId)));

        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                given().auth().oauth2(token).contentType(Hl7v2Resource.ER7).body(hl7).when().post("/hl7v2").then()
                        .statusCode(200).header("Location", equalTo(hl7Location))
                        .header(Hl7v2Resource.REPLAY_HEADER, equalTo("true")));

        TopicClient topics = new TopicClient(RecordlineStackResource.broker().bootstrapServers());
        String hl7Submission = hl7Location.substring(hl7Location.lastIndexOf('/') + 1);
        assertEquals(1, topics.ofSubmission(Topics.INGESTED, hl7Submission).stream()
                .map(r -> TopicClient.header(r, CloudEventHeaders.CE_ID)).collect(Collectors.toSet()).size(),
                "one ingested event for the HL7 v2 message");
        Set<String> eventIds = topics.ofSubmission(Topics.INGESTED, submissionId)
                .stream().map(r -> TopicClient.header(r, CloudEventHeaders.CE_ID)).collect(Collectors.toSet());
        // at-least-once on the wire, one event in effect: every copy carries the same event id
        assertEquals(1, eventIds.size(), "one ingested event for the submission");
    }
}
