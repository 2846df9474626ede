package org.recordline.validation.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.QuarantineDismissed;
import org.recordline.events.RecordIngested;
import org.recordline.events.Topics;
import org.recordline.testsupport.AuditCoverage;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.TopicClient;

/** The quarantine desk against the real broker and database: claims, notes, corrections, dismissals, quality. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class QuarantineDeskTest {

    private static final String SOURCE = "ehr-desk";

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    private static RequestSpecification as(String user, String role) {
        return given().auth().oauth2(RecordlineStackResource.tokens().token(user, role));
    }

    private static RequestSpecification ann() {
        return as("ann", "records-technician");
    }

    private static RequestSpecification bob() {
        return as("bob", "records-technician");
    }

    private static String patient(String mrn, boolean withBirthDate) {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:desk\",\"value\":\"" + mrn + "\"}],"
                + "\"name\":[{\"family\":\"Desk\"}],\"gender\":\"female\""
                + (withBirthDate ? ",\"birthDate\":\"1980-01-01\"" : "") + "}";
    }

    /** Publishes a Patient without a birth date and waits until it is in the quarantine. */
    private static String quarantined(String mrn) {
        String id = UUID.randomUUID().toString();
        RecordIngested in = new RecordIngested(id, SOURCE, SOURCE + "|" + mrn, "Patient", 1, Instant.now(),
                patient(mrn, false));
        topics().publish(Topics.INGESTED, in.sourceRecordKey(),
                EventFixtures.headers(UUID.randomUUID().toString(), EventTypes.RECORD_INGESTED, id),
                EventCodec.encode(in));
        await().atMost(Duration.ofSeconds(60)).until(() -> ann().when().get("/quarantine/" + id).statusCode() == 200);
        return id;
    }

    private static List<String> auditActions(String submissionId) {
        return topics().ofSubmission(Topics.AUDIT, submissionId).stream().map(r -> {
            try {
                var n = EventCodec.mapper().readTree(r.value());
                return n.get("action").asText() + ":" + n.get("outcome").asText();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).toList();
    }

    /**
     * Every endpoint is classified; each one that shows patient data, and each work-queue act, is called with its own
     * correlation id and must have emitted its audit event, naming the record, with the request's context.
     */
    @Test
    void everyEndpointThatShowsPatientDataOrActsOnItIsAudited() {
        Map<String, String> others = Map.of(
                "GET /quarantine/quality", "counts by source and rule: no patient data",
                "GET /rule-packs", "the completeness rules: no patient data",
                "POST /rule-packs", "an administrator's act, audited as rule-pack.loaded (CompletenessCheckFlowTest)",
                "PUT /quarantine/{submissionId}/record", "a correction, audited (the correction test above)",
                "POST /quarantine/{submissionId}/dismiss", "a dismissal, audited (the dismissal test above)");
        Set<String> called = Set.of("GET /quarantine", "GET /quarantine/{submissionId}",
                "GET /quarantine/{submissionId}/record", "GET /quarantine/{submissionId}/versions/{version}/record",
                "POST /quarantine/{submissionId}/claim", "DELETE /quarantine/{submissionId}/claim",
                "POST /quarantine/{submissionId}/notes");
        AuditCoverage.assertClassified(QuarantineResource.class, called, others);

        String mrn = "cov-" + UUID.randomUUID().toString().substring(0, 8);
        String id = quarantined(mrn);
        Map<String, java.util.function.Function<RequestSpecification, io.restassured.response.Response>> calls =
                new java.util.LinkedHashMap<>();
        calls.put("GET /quarantine", r -> r.when().get("/quarantine"));
        calls.put("GET /quarantine/{submissionId}", r -> r.when().get("/quarantine/" + id));
        calls.put("GET /quarantine/{submissionId}/record", r -> r.when().get("/quarantine/" + id + "/record"));
        calls.put("GET /quarantine/{submissionId}/versions/{version}/record",
                r -> r.when().get("/quarantine/" + id + "/versions/1/record"));
        calls.put("POST /quarantine/{submissionId}/claim", r -> r.when().post("/quarantine/" + id + "/claim"));
        calls.put("POST /quarantine/{submissionId}/notes", r -> r.contentType("application/json")
                .body("{\"text\":\"called the clinic\"}").when().post("/quarantine/" + id + "/notes"));
        calls.put("DELETE /quarantine/{submissionId}/claim", r -> r.when().delete("/quarantine/" + id + "/claim"));
        Map<String, String> actions = Map.of("POST /quarantine/{submissionId}/claim", "quarantine.claimed",
                "DELETE /quarantine/{submissionId}/claim", "quarantine.released",
                "POST /quarantine/{submissionId}/notes", "quarantine.annotated");
        assertEquals(called, calls.keySet());
        TopicClient topics = topics();
        calls.forEach((endpoint, call) -> {
            String correlation = "cov-" + UUID.randomUUID();
            int status = call.apply(ann().header("X-Correlation-Id", correlation).header("X-Purpose-Of-Use",
                    "RECORDMGT")).then().extract().statusCode();
            assertTrue(status < 300, endpoint + " answered " + status);
            var event = AuditCoverage.awaitEvent(topics, correlation, actions.getOrDefault(endpoint, "record.read"));
            assertEquals("success", event.path("outcome").asText(), endpoint);
            assertEquals("ann", event.path("actor").asText(), endpoint);
            assertEquals("RECORDMGT", event.path("purpose").asText(), endpoint);
            assertEquals("records-technician", event.path("context").path("roles").path(0).asText(), endpoint);
            assertTrue(event.path("context").hasNonNull("clientAddress"), endpoint);
            if (!"GET /quarantine".equals(endpoint)) {
                assertEquals(id, event.path("submissionId").asText(), endpoint);
            }
            if (endpoint.startsWith("GET /quarantine/")) {
                assertEquals(SOURCE + "|" + mrn, event.path("context").path("sourceIds").path(0).asText(), endpoint);
            }
        });
    }

    @Test
    void claimAnnotateCorrectTwiceAndTheSecondCorrectionGoesOnUnderTheSameSubmission() {
        String mrn = UUID.randomUUID().toString();
        String id = quarantined(mrn);
        ann().when().get("/quarantine?source=" + SOURCE + "&rule=patient-birthdate&size=500").then().statusCode(200)
                .body("submissionId", hasItem(id));
        ann().when().get("/quarantine?source=" + SOURCE + "&rule=patient-gender&size=500").then().statusCode(200)
                .body("submissionId", not(hasItem(id)));
        ann().when().get("/quarantine?patientIdentifier=urn:desk|" + mrn).then().statusCode(200)
                .body("submissionId", equalTo(List.of(id)));

        ann().when().post("/quarantine/" + id + "/claim").then().statusCode(200).body("claimedBy", equalTo("ann"));
        bob().when().post("/quarantine/" + id + "/claim").then().statusCode(409)
                .contentType("application/problem+json");
        bob().contentType("application/json").body("{\"text\":\"mine\"}").when().post("/quarantine/" + id + "/notes")
                .then().statusCode(409);
        ann().contentType("application/json").body("{\"text\":\"called the clinic for the birth date\"}")
                .when().post("/quarantine/" + id + "/notes").then().statusCode(201);
        ann().when().get("/quarantine?claimedBy=me&size=500").then().body("submissionId", hasItem(id));

        // still incomplete: a new version, still open, published again with its findings
        ann().contentType("application/fhir+json").body(patient(mrn, false).replace("Desk", "Desk-Corrected"))
                .when().put("/quarantine/" + id + "/record").then().statusCode(200)
                .body("status", equalTo("OPEN")).body("version", equalTo(2))
                .body("issues.rule", hasItem("patient-birthdate"));
        await().atMost(Duration.ofSeconds(30)).until(() -> topics().ofSubmission(Topics.QUARANTINED, id).size() == 2);

        // complete: resolved, and validated under the same submission
        ann().contentType("application/fhir+json").body(patient(mrn, true)).when().put("/quarantine/" + id + "/record")
                .then().statusCode(200).body("status", equalTo("RESOLVED")).body("version", equalTo(3));
        await().atMost(Duration.ofSeconds(30)).until(() -> topics().ofSubmission(Topics.VALIDATED, id).size() == 1);
        String validated = new String(topics().ofSubmission(Topics.VALIDATED, id).get(0).value(),
                StandardCharsets.UTF_8);
        assertTrue(validated.contains("1980-01-01"), "the corrected record went on");

        ann().when().get("/quarantine/" + id).then().statusCode(200)
                .body("entry.status", equalTo("RESOLVED"))
                .body("history.kind", equalTo(List.of("QUARANTINED", "CLAIMED", "NOTE", "CORRECTED", "CORRECTED",
                        "RESOLVED")))
                .body("history.version", equalTo(List.of(1, 1, 1, 2, 3, 3)));
        ann().when().get("/quarantine/" + id + "/versions/1/record").then().statusCode(200)
                .body(not(containsString("birthDate")));
        ann().when().get("/quarantine/" + id + "/versions/2/record").then().statusCode(200)
                .body(containsString("Desk-Corrected"));
        ann().when().post("/quarantine/" + id + "/claim").then().statusCode(409); // no longer open

        await().atMost(Duration.ofSeconds(30)).until(() -> auditActions(id).containsAll(List.of(
                "quarantine.claimed:success", "quarantine.claimed:failure", "quarantine.annotated:success",
                "quarantine.annotated:failure", "quarantine.corrected:success", "record.read:success")));
    }

    @Inject
    AgroalDataSource db;

    @io.quarkus.test.common.http.TestHTTPResource(value = "/metrics", management = true)
    java.net.URL metrics;

    private double openGauge() {
        String text = given().when().get(metrics).then().statusCode(200).extract().asString();
        return text.lines().filter(l -> l.startsWith("recordline_quarantine_open ")).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1).strip()))
                .orElseThrow(() -> new AssertionError("no recordline_quarantine_open on /q/metrics"));
    }

    private long openInDatabase() throws Exception {
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "SELECT count(*) FROM quarantined_record WHERE status = 'OPEN'"); var rs = s.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** The queue's size is a metric (for the records console's pipeline page), kept within seconds of the table. */
    @Test
    void theOpenEntriesAreAMetricThatFollowsTheTable() throws Exception {
        long before = openInDatabase();
        await().atMost(Duration.ofSeconds(20)).until(() -> openGauge() == before);
        String id = quarantined(UUID.randomUUID().toString());
        assertEquals(before + 1, openInDatabase());
        await().atMost(Duration.ofSeconds(20)).until(() -> openGauge() == before + 1);
        ann().when().post("/quarantine/" + id + "/claim").then().statusCode(200);
        ann().contentType("application/json").body("{\"reason\":\"metric check\"}")
                .when().post("/quarantine/" + id + "/dismiss").then().statusCode(204);
        await().atMost(Duration.ofSeconds(20)).until(() -> openGauge() == before);
    }

    @Test
    void dismissNeedsAReasonAndAClaimAndAnExpiredClaimPassesOn() throws Exception {
        String id = quarantined(UUID.randomUUID().toString());
        bob().when().post("/quarantine/" + id + "/claim").then().statusCode(200);
        ann().when().post("/quarantine/" + id + "/claim").then().statusCode(409);
        // let Bob's claim run out (rather than wait 30 minutes): then Ann may claim
        try (Connection c = db.getConnection(); PreparedStatement s = c.prepareStatement(
                "UPDATE quarantined_record SET claim_expires_at = now() - interval '1 second' WHERE submission_id = ?")) {
            s.setString(1, id);
            assertEquals(1, s.executeUpdate());
        }
        ann().when().post("/quarantine/" + id + "/claim").then().statusCode(200);
        bob().contentType("application/json").body("{\"reason\":\"mine\"}")
                .when().post("/quarantine/" + id + "/dismiss").then().statusCode(409);
        ann().contentType("application/json").body("{}").when().post("/quarantine/" + id + "/dismiss")
                .then().statusCode(422);
        ann().contentType("application/json").body("{\"reason\":\"the sender's duplicate\"}")
                .when().post("/quarantine/" + id + "/dismiss").then().statusCode(204);
        ann().when().get("/quarantine/" + id).then().body("entry.status", equalTo("DISMISSED"))
                .body("resolutionReason", equalTo("the sender's duplicate"));
        ann().when().get("/quarantine?status=dismissed&source=" + SOURCE + "&size=500").then()
                .body("submissionId", hasItem(id));
        await().atMost(Duration.ofSeconds(30)).until(() -> auditActions(id).contains("quarantine.dismissed:success"));
        // the sender's status follows: a dismissal event after the quarantine event, on its key
        await().atMost(Duration.ofSeconds(30)).until(() -> topics().ofSubmission(Topics.QUARANTINED, id).size() == 2);
        var onTopic = topics().ofSubmission(Topics.QUARANTINED, id);
        assertEquals(EventTypes.QUARANTINE_DISMISSED, TopicClient.header(onTopic.get(1), CloudEventHeaders.CE_TYPE));
        assertEquals(onTopic.get(0).key(), onTopic.get(1).key());
        QuarantineDismissed d = EventCodec.decode(onTopic.get(1).value(), QuarantineDismissed.class);
        assertEquals("the sender's duplicate", d.reason());
    }

    @Test
    void qualityBySourceCountsWhatPassedAndWhatDidNot() {
        quarantined(UUID.randomUUID().toString());
        var quality = ann().when().get("/quarantine/quality?days=7").then().statusCode(200).extract().jsonPath();
        List<String> sources = quality.getList("sourceSystem");
        int i = sources.indexOf(SOURCE);
        assertTrue(i >= 0, sources.toString());
        assertTrue(quality.getLong("[" + i + "].quarantined") >= 1);
        assertEquals(0.0, quality.getDouble("[" + i + "].sharePassing"), 1e-9);
        assertTrue(quality.getMap("[" + i + "].topRules").containsKey("patient-birthdate"));
        assertTrue(quality.getDouble("[" + i + "].medianHours") >= 0.0);
    }

    @Test
    void everyActionNeedsATechnicianAndBadInputIsA4xx() {
        String id = UUID.randomUUID().toString();
        given().when().post("/quarantine/" + id + "/claim").then().statusCode(401);
        as("ehr", "ehr-publisher").when().post("/quarantine/" + id + "/claim").then().statusCode(403);
        as("audrey", "auditor").when().get("/quarantine/quality").then().statusCode(403);
        ann().when().post("/quarantine/" + id + "/claim").then().statusCode(404);
        ann().when().get("/quarantine?status=maybe").then().statusCode(400);
        String deep = "{\"resourceType\":\"Patient\",\"extension\":" + "[{\"extension\":".repeat(40) + "[]"
                + "}]".repeat(40) + "}";
        ann().contentType("application/fhir+json").body(deep).when().put("/quarantine/" + id + "/record")
                .then().statusCode(400).body("detail", containsString("nesting deeper than 64 levels"));
        ann().contentType("application/fhir+json").body("[1]").when().put("/quarantine/" + id + "/record")
                .then().statusCode(400);
        String narrative = "{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\""
                + "<div xmlns='http://www.w3.org/1999/xhtml'>" + "<b>".repeat(5000) + "</div>\"}}";
        ann().contentType("application/fhir+json").body(narrative).when().put("/quarantine/" + id + "/record")
                .then().statusCode(400).body("detail", containsString("narrative"));
        ann().contentType("application/fhir+json").body("{\"resourceType\":\"Observation\",\"valueQuantity\":"
                + "{\"value\":" + "9".repeat(100) + "}}").when().put("/quarantine/" + id + "/record")
                .then().statusCode(400).body("detail", containsString("number"));
    }
}
