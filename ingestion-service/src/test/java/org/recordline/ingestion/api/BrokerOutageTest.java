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
 * The broker goes away: a submission is kept but answered 503 (no 2xx without the broker's acknowledgement); after
 * the broker is back, the outbox publishes it and a resend with the same Idempotency-Key confirms it, once.
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

        RecordlineStackResource.broker().stop();
        String submissionId;
        try {
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

        TopicClient topics = new TopicClient(RecordlineStackResource.broker().bootstrapServers());
        Set<String> eventIds = topics.ofSubmission(Topics.INGESTED, submissionId)
                .stream().map(r -> TopicClient.header(r, CloudEventHeaders.CE_ID)).collect(Collectors.toSet());
        // at-least-once on the wire, one event in effect: every copy carries the same event id
        assertEquals(1, eventIds.size(), "one ingested event for the submission");
    }
}
