package org.recordline.ingestion.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/** POST /fhir against the real broker and database: acceptance, publication, limits, security. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class FhirIntakeResourceTest {

    private static final String FHIR = "application/fhir+json";

    private static String publisher(String name) {
        return RecordlineStackResource.tokens().token(name, "ehr-publisher");
    }

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    private static List<ConsumerRecord<String, byte[]>> ingestedFor(String submissionId) {
        return topics().ofSubmission(Topics.INGESTED, submissionId);
    }

    @Test
    void acceptedPatientIsOnTheIngestedTopicWithCloudEventsHeadersAndPatientKey() throws Exception {
        var response = given().auth().oauth2(publisher("ehr-north")).contentType(FHIR)
                .body(SharedData.fixture("patient-complete.json"))
                .when().post("/fhir")
                .then().statusCode(202)
                .body("status", equalTo("RECEIVED")).body("resourceType", equalTo("Patient"))
                .extract();
        String id = response.path("submissionId");
        assertTrue(response.header("Location").endsWith("/submissions/" + id));

        // 202 means acknowledged by the broker: the record is there without waiting
        List<ConsumerRecord<String, byte[]>> records = ingestedFor(id);
        assertEquals(1, records.size());
        ConsumerRecord<String, byte[]> r = records.get(0);
        assertEquals("ehr-north|pat-complete-1", r.key());
        assertEquals("1.0", TopicClient.header(r, CloudEventHeaders.CE_SPECVERSION));
        assertEquals("org.recordline.ehr.ingested.v1", TopicClient.header(r, CloudEventHeaders.CE_TYPE));
        assertEquals("/recordline/ingestion-service", TopicClient.header(r, CloudEventHeaders.CE_SOURCE));
        assertEquals(id, TopicClient.header(r, CloudEventHeaders.CE_SUBJECT));
        JsonNode payload = EventCodec.mapper().readTree(r.value());
        assertEquals(id, payload.get("submissionId").asText());
        assertTrue(payload.get("fhir").isObject(), "FHIR travels as a JSON object");
        assertEquals("Patient", payload.get("fhir").get("resourceType").asText());
        assertEquals("MRN-100001", payload.at("/fhir/identifier/0/value").asText());

        List<ConsumerRecord<String, byte[]>> audit = topics().ofSubmission(Topics.AUDIT, id);
        assertEquals(1, audit.size());
        JsonNode entry = EventCodec.mapper().readTree(audit.get(0).value());
        assertEquals("submission.received", entry.get("action").asText());
        assertEquals("ehr-north", entry.get("actor").asText());
        assertFalse(new String(audit.get(0).value(), StandardCharsets.UTF_8).contains("Testperson"),
                "audit events carry no patient data");
    }

    @Test
    void syntheaBundleOverOneMegabyteTravelsThroughKafka() throws Exception {
        var bundle = SharedData.syntheaPatientBundles().stream()
                .max(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        byte[] body = Files.readAllBytes(bundle);
        assertTrue(body.length > 1_048_576, "the largest Synthea bundle is over Kafka's 1 MB default");
        String id = given().auth().oauth2(publisher("ehr-synthea")).contentType(FHIR).body(body)
                .when().post("/fhir")
                .then().statusCode(202).body("resourceType", equalTo("Bundle")).extract().path("submissionId");
        List<ConsumerRecord<String, byte[]>> records = ingestedFor(id);
        assertEquals(1, records.size());
        JsonNode payload = EventCodec.mapper().readTree(records.get(0).value());
        assertEquals(payload.get("entryCount").asInt(), payload.get("fhir").get("entry").size());
        assertTrue(records.get(0).key().startsWith("ehr-synthea|"));
    }

    @Test
    void idempotencyKeyReplaysTheEarlierSubmission() {
        byte[] body = SharedData.fixture("patient-complete.json");
        String first = given().auth().oauth2(publisher("ehr-idem")).contentType(FHIR).header("Idempotency-Key", "k-1")
                .body(body).when().post("/fhir").then().statusCode(202).body("replay", equalTo(false))
                .extract().path("submissionId");
        String second = given().auth().oauth2(publisher("ehr-idem")).contentType(FHIR).header("Idempotency-Key", "k-1")
                .body(body).when().post("/fhir").then().statusCode(202).body("replay", equalTo(true))
                .extract().path("submissionId");
        assertEquals(first, second);
        assertEquals(1, ingestedFor(first).size(), "a replay publishes nothing new");
    }

    @Test
    void aKeyReusedForOtherContentIsAConflictAndRecordsNothing() {
        String key = "k-" + java.util.UUID.randomUUID();
        String first = given().auth().oauth2(publisher("ehr-idem")).contentType(FHIR).header("Idempotency-Key", key)
                .body(SharedData.fixture("patient-complete.json")).when().post("/fhir").then().statusCode(202)
                .extract().path("submissionId");
        given().auth().oauth2(publisher("ehr-idem")).contentType(FHIR).header("Idempotency-Key", key)
                .body(SharedData.fixture("patient-incomplete.json")).when().post("/fhir").then().statusCode(409)
                .body("issue[0].code", equalTo("conflict"))
                .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString(first));
    }

    /**
     * Without a key, a resend is the same content as the source record's latest submission: it returns that one. The
     * same content after a change is a new submission (A, B, then A again is three), never swallowed.
     */
    @Test
    void withoutAKeyAResendOfTheLatestContentIsTheSameSubmissionButARevertIsNew() {
        String a = "{\"resourceType\":\"Patient\",\"id\":\"rev-" + java.util.UUID.randomUUID()
                + "\",\"identifier\":[{\"system\":\"urn:x\",\"value\":\"1\"}],\"gender\":\"female\"}";
        String b = a.replace("female", "other");
        java.util.function.Function<String, io.restassured.response.ExtractableResponse<io.restassured.response.Response>>
                post = body -> given().auth().oauth2(publisher("ehr-nokey")).contentType(FHIR).body(body).when()
                .post("/fhir").then().statusCode(202).extract();
        var first = post.apply(a);
        var resend = post.apply(a);
        assertEquals(first.<String>path("submissionId"), resend.path("submissionId"));
        assertEquals(Boolean.TRUE, resend.path("replay"));
        String changed = post.apply(b).path("submissionId");
        var reverted = post.apply(a);
        assertEquals(Boolean.FALSE, reverted.path("replay"));
        assertEquals(3, java.util.Set.of(first.path("submissionId"), changed, reverted.path("submissionId")).size());
        assertEquals(1, ingestedFor(first.path("submissionId")).size(), "the resend published nothing new");
    }

    @Test
    void malformedJsonIsRefusedWithOperationOutcome() {
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR).body("{\"resourceType\": \"Patient\", ")
                .when().post("/fhir")
                .then().statusCode(400).contentType(FHIR)
                .body("resourceType", equalTo("OperationOutcome")).body("issue[0].severity", equalTo("error"))
                .body("issue[0].code", equalTo("structure"));
    }

    @Test
    void refusedSubmissionsAreAuditedWithoutTheirContent() {
        given().auth().oauth2(publisher("ehr-rejected")).contentType(FHIR)
                .body("{\"resourceType\":\"Patient\",\"id\":\"x\",\"secretField\":\"Secretname\"}")
                .when().post("/fhir").then().statusCode(400);
        await().atMost(Duration.ofSeconds(20)).until(() -> !rejectedBy("ehr-rejected").isEmpty());
        String entry = rejectedBy("ehr-rejected").get(0);
        assertTrue(entry.contains("\"outcome\":\"failure\"") && entry.contains("400 structure"), entry);
        assertFalse(entry.contains("Secretname") || entry.contains("secretField"), entry);
    }

    private static List<String> rejectedBy(String actor) {
        return topics().readAll(Topics.AUDIT).stream().map(r -> new String(r.value(), StandardCharsets.UTF_8))
                .filter(s -> s.contains("\"submission.rejected\"") && s.contains("\"actor\":\"" + actor + "\""))
                .toList();
    }

    @Test
    void unknownElementsAndWrongTypesAreRefused() {
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"Patient\",\"id\":\"x\",\"favouriteColour\":\"blue\"}")
                .when().post("/fhir").then().statusCode(400).body("resourceType", equalTo("OperationOutcome"));
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"NoSuchThing\",\"id\":\"x\"}")
                .when().post("/fhir").then().statusCode(400).body("resourceType", equalTo("OperationOutcome"));
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR).body("[1,2,3]")
                .when().post("/fhir").then().statusCode(400).body("resourceType", equalTo("OperationOutcome"));
    }

    @Test
    void deeplyNestedJsonIsRefused() {
        String deep = "{\"resourceType\":\"Patient\",\"extension\":" + "[{\"extension\":".repeat(100) + "[]"
                + "}]".repeat(100) + "}";
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR).body(deep)
                .when().post("/fhir").then().statusCode(400).body("resourceType", equalTo("OperationOutcome"))
                .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("nesting"));
    }

    @Test
    void tooManyBundleEntriesAreCountedBeforeParsingAndRefusedWith413() {
        String entries = String.join(",", java.util.Collections.nCopies(5001, "{}"));
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"Bundle\",\"type\":\"batch\",\"entry\":[" + entries + "]}")
                .when().post("/fhir").then().statusCode(413).body("issue[0].code", equalTo("too-costly"))
                .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("5000"));
    }

    @Test
    void nulCharactersAndInvalidIdsAreRefused() {
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"Patient\",\"id\":\"p1\",\"name\":[{\"family\":\"A\\u0000B\"}]}")
                .when().post("/fhir").then().statusCode(400).body("issue[0].code", equalTo("invalid"));
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"Patient\",\"id\":\"" + "x".repeat(65) + "\"}")
                .when().post("/fhir").then().statusCode(400).body("issue[0].code", equalTo("invalid"));
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"Patient\",\"id\":\"has space\"}")
                .when().post("/fhir").then().statusCode(400).body("resourceType", equalTo("OperationOutcome"));
    }

    @Test
    void oversizedSubmissionIsRefusedWith413() {
        byte[] big = new byte[10 * 1024 * 1024 + 1];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR).body(big)
                .when().post("/fhir").then().statusCode(413).body("resourceType", equalTo("OperationOutcome"))
                .body("issue.code", hasItem("too-costly"));
    }

    @Test
    void tokenAndRoleAreRequiredAndEveryRefusalIsAnOperationOutcomeAndAudited() {
        byte[] body = SharedData.fixture("patient-complete.json");
        List<String> before = deniedActors();
        given().contentType(FHIR).body(body).when().post("/fhir").then().statusCode(401)
                .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer")).contentType(FHIR)
                .body("resourceType", equalTo("OperationOutcome")).body("issue[0].code", equalTo("login"))
                .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("bearer token is required"));
        given().auth().oauth2("not-a-token").contentType(FHIR).body(body).when().post("/fhir").then().statusCode(401)
                .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer")).contentType(FHIR)
                .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("not valid"));
        // a caller of this test alone, so that its refusal is known to be this test's
        String wrongRole = "audrey-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String auditor = RecordlineStackResource.tokens().token(wrongRole, "auditor");
        given().auth().oauth2(auditor).contentType(FHIR).body(body).when().post("/fhir").then().statusCode(403)
                .contentType(FHIR).body("resourceType", equalTo("OperationOutcome"))
                .body("issue[0].code", equalTo("forbidden"));
        String expired = RecordlineStackResource.tokens().token("ehr-late", Duration.ofSeconds(-120), "ehr-publisher");
        given().auth().oauth2(expired).contentType(FHIR).body(body).when().post("/fhir").then().statusCode(401)
                .contentType(FHIR).body("issue[0].code", equalTo("login"));
        String otherIssuer = org.recordline.testsupport.TokenIssuer.generate().token("mallory", "ehr-publisher");
        given().auth().oauth2(otherIssuer).contentType(FHIR).body(body).when().post("/fhir").then().statusCode(401)
                .contentType(FHIR);

        // every one of the five refusals is audited (repeats of one caller's refusal in a window as one event with
        // their count, when the window closes: 2 s in tests); the wrong-role one names the caller. Repeats of
        // earlier tests' refusals may still be waiting in the open window, so at least five more
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<String> now = deniedActors();
            assertTrue(now.size() >= before.size() + 5, () -> "denials audited: " + now);
            assertTrue(now.contains(wrongRole), now::toString);
        });
    }

    @Test
    void refusalsOutsideFhirPathsAreProblemDetails() {
        given().when().get("/submissions/x").then().statusCode(401).contentType("application/problem+json")
                .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"))
                .body("status", equalTo(401)).body("title", equalTo("Unauthorized"));
        given().auth().oauth2(RecordlineStackResource.tokens().token("audrey", "auditor")).when()
                .get("/submissions/x").then().statusCode(403).contentType("application/problem+json")
                .body("status", equalTo(403)).body("instance", equalTo("/submissions/x"));
    }

    @Test
    void aNarrativeNestedThousandsDeepIsRefusedBeforeParsingAndTheServiceStaysHealthy() {
        String div = "<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">" + "<b>".repeat(3000) + "x"
                + "</b>".repeat(3000) + "</div>";
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"Patient\",\"id\":\"deep\",\"text\":{\"status\":\"generated\","
                        + "\"div\":\"" + div + "\"}}")
                .when().post("/fhir").then().statusCode(400).contentType(FHIR)
                .body("resourceType", equalTo("OperationOutcome")).body("issue[0].code", equalTo("too-costly"))
                .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("XHTML"))
                .body("issue[0].expression[0]", equalTo("Patient.text.div"));
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR).body(SharedData.fixture("patient-complete.json"))
                .when().post("/fhir").then().statusCode(202);
    }

    @Test
    void duplicateKeysAreRefusedAtEveryLevel() {
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"Patient\",\"resourceType\":\"Observation\"}")
                .when().post("/fhir").then().statusCode(400).contentType(FHIR)
                .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("duplicate JSON key \"resourceType\""));
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"Patient\",\"id\":\"d\",\"name\":[{\"family\":\"A\",\"family\":\"B\"}]}")
                .when().post("/fhir").then().statusCode(400)
                .body("issue[0].expression[0]", equalTo("Patient.name[0]"));
    }

    @Test
    void aNumberThousandsOfDigitsLongIsRefusedForItsLength() {
        given().auth().oauth2(publisher("ehr-bad")).contentType(FHIR)
                .body("{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"},"
                        + "\"valueQuantity\":{\"value\":" + "9".repeat(5000) + "}}")
                .when().post("/fhir").then().statusCode(400).contentType(FHIR)
                .body("issue[0].diagnostics", org.hamcrest.Matchers.containsString("number of 5000 characters"))
                .body("issue[0].diagnostics", org.hamcrest.Matchers.not(org.hamcrest.Matchers.containsString("nesting")))
                .body("issue[0].expression[0]", equalTo("Observation.valueQuantity.value"));
    }

    /**
     * The callers of the refused requests audited so far, one per refusal (repeats expanded). Any path: one caller's
     * refusals for one reason are counted together in a window, named by the first one's path.
     */
    private static List<String> deniedActors() {
        return topics().readAll(Topics.AUDIT).stream().map(r -> {
            try {
                return EventCodec.mapper().readTree(r.value());
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }).filter(a -> "access.denied".equals(a.get("action").asText()) && "denied".equals(a.get("outcome").asText()))
                .flatMap(a -> {
                    java.util.regex.Matcher m = java.util.regex.Pattern.compile("repeated (\\d+) times")
                            .matcher(a.get("detail").asText());
                    return java.util.Collections.nCopies(m.find() ? Integer.parseInt(m.group(1)) : 1,
                            a.get("actor").asText()).stream();
                }).toList();
    }
}
