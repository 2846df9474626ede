package org.recordline.ingestion.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;

/**
 * PostgreSQL goes away: a request that needs it is answered {@code 503} with {@code Retry-After} and the usual error
 * body, never {@code 500}; readiness says the service is not ready; once the database is back, submissions are
 * accepted again.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class DatabaseOutageTest {

    private static final String FHIR = "application/fhir+json";

    @TestHTTPResource(value = "/health/ready", management = true)
    URL ready;

    @Test
    void anUnreachableDatabaseIsA503WithRetryAfterAndReadinessSaysSo() {
        String publisher = RecordlineStackResource.tokens().token("ehr-db-outage", "ehr-publisher");
        byte[] body = SharedData.fixture("patient-complete.json");
        String id = given().auth().oauth2(publisher).contentType(FHIR).body(body).when().post("/fhir")
                .then().statusCode(202).extract().path("submissionId");
        // ready before the outage (an earlier test may have restarted the broker, which readiness also reports)
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get(ready).then().statusCode(200));

        RecordlineStackResource.database().stop();
        try {
            given().auth().oauth2(publisher).contentType(FHIR).body(body).when().post("/fhir")
                    .then().statusCode(503).contentType(FHIR).header("Retry-After", notNullValue())
                    .body("resourceType", equalTo("OperationOutcome")).body("issue[0].code", equalTo("transient"));
            given().auth().oauth2(publisher).when().get("/submissions/" + id)
                    .then().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", notNullValue()).body("status", equalTo(503));
            given().when().get(ready).then().statusCode(503).body("status", equalTo("DOWN"));
            // HL7 v2: an AR the sender sends again, never an AA for what was not recorded
            String ack = given().auth().oauth2(publisher).contentType(Hl7v2Resource.ER7)
                    .body(("MSH|^~\\&|APP|DBOUT|RL|RL|20260101||ADT^A04^ADT_A01|DB1|P|2.5.1\r"
                            + "PID|1||DB1^^^DBOUT^MR||Db^Out||19700101|F\r")
                            .getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .when().post("/hl7v2").then().statusCode(503).header("Retry-After", notNullValue()).extract()
                    .asString();
            org.junit.jupiter.api.Assertions.assertTrue(ack.contains("\rMSA|AR|DB1"), ack);
        } finally {
            RecordlineStackResource.database().restart();
        }

        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                given().auth().oauth2(publisher).contentType(FHIR).body(body).when().post("/fhir")
                        .then().statusCode(202));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().when().get(ready).then().statusCode(200));
        given().auth().oauth2(publisher).when().get("/submissions/" + id).then().statusCode(200)
                .body("submissionId", equalTo(id));
    }
}
