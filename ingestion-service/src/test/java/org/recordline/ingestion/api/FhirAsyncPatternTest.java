package org.recordline.ingestion.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.EncodingEnum;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import ca.uhn.fhir.rest.client.interceptor.CapturingInterceptor;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordChanged;
import org.recordline.events.RecordQuarantined;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.events.ValidationIssue;
import org.recordline.testsupport.AuditCoverage;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/**
 * FHIR clients work unchanged: HAPI's own generic client posts a Synthea transaction with {@code Prefer:
 * respond-async}, and the status endpoint answers 202 with progress, then the transaction-response Bundle (or the
 * OperationOutcome of a quarantined submission). The downstream services are played by events on their topics.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class FhirAsyncPatternTest {

    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private static String token(String user, String role) {
        return RecordlineStackResource.tokens().token(user, role);
    }

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    private static IGenericClient client(String user, CapturingInterceptor capture) {
        IGenericClient client = FHIR.newRestfulGenericClient("http://localhost:" + RestAssured.port + "/fhir");
        client.setEncoding(EncodingEnum.JSON);
        client.registerInterceptor(new BearerTokenAuthInterceptor(token(user, "ehr-publisher")));
        client.registerInterceptor(capture);
        return client;
    }

    @Test
    void hapisGenericClientPostsASyntheaTransactionAndFollowsTheStatusEndpointToTheTransactionResponse()
            throws Exception {
        java.nio.file.Path file = SharedData.syntheaPatientBundles().get(0);
        Bundle transaction = FHIR.newJsonParser().parseResource(Bundle.class, java.nio.file.Files.readString(file));
        String patientId = transaction.getEntryFirstRep().getFullUrl().substring("urn:uuid:".length());
        CapturingInterceptor capture = new CapturingInterceptor();
        String correlation = "async-" + UUID.randomUUID();

        Bundle answer = client("ehr-async", capture).transaction().withBundle(transaction)
                .withAdditionalHeader("Prefer", "respond-async").withAdditionalHeader("X-Correlation-Id", correlation)
                .execute();

        assertEquals(202, capture.getLastResponse().getStatus());
        assertEquals(Bundle.BundleType.TRANSACTIONRESPONSE, answer.getType());
        assertEquals(transaction.getEntry().size(), answer.getEntry().size());
        for (Bundle.BundleEntryComponent e : answer.getEntry()) {
            assertEquals("202 Accepted", e.getResponse().getStatus());
            assertTrue(e.getResponse().getLocation().matches("[A-Z][A-Za-z]+/[A-Za-z0-9\\-.]+"),
                    e.getResponse().getLocation());
        }
        assertEquals("Patient/" + patientId, answer.getEntryFirstRep().getResponse().getLocation());
        String status = capture.getLastResponse().getHeaders("Content-Location").get(0);
        assertTrue(status.startsWith("http://localhost:" + RestAssured.port + "/fhir/_async/"), status);
        String id = status.substring(status.lastIndexOf('/') + 1);

        // while the pipeline works: 202 with progress
        String publisher = token("ehr-async", "ehr-publisher");
        given().auth().oauth2(publisher).header("X-Correlation-Id", correlation).when().get(status).then()
                .statusCode(202).header("X-Progress", equalTo("RECEIVED (step 1 of 3)"))
                .header("Retry-After", equalTo("1")).body("resourceType", equalTo("OperationOutcome"));
        // the read of the status is audited, with the patient's source record
        var read = AuditCoverage.awaitEvent(topics(), correlation, "submission.read");
        assertEquals(id, read.path("submissionId").asText());
        assertEquals("ehr-async|" + patientId, read.path("context").path("sourceIds").path(0).asText());
        // another source cannot tell it from a missing one
        given().auth().oauth2(token("ehr-other", "ehr-publisher")).when().get(status).then().statusCode(404)
                .body("resourceType", equalTo("OperationOutcome"));

        // the validation-service and the index-service do their part
        String recordKey = "ehr-async|" + patientId;
        topics().publish(Topics.VALIDATED, recordKey, EventFixtures.headers(EventTypes.RECORD_VALIDATED, id),
                EventCodec.encode(new RecordValidated(id, "ehr-async", recordKey, Instant.now(), List.of(), "{}")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(publisher).when()
                .get(status).then().statusCode(202).header("X-Progress", equalTo("VALIDATED (step 2 of 3)")));
        topics().publish(Topics.RECORD_CHANGES, "person-async", EventFixtures.headers(EventTypes.RECORD_CHANGED, id),
                EventCodec.encode(new RecordChanged(id, "person-async", recordKey,
                        RecordChanged.ChangeType.PERSON_CREATED, "new-person",
                        List.of(new RecordChanged.ResourceRef("Patient", patientId)), Instant.now(), "{}")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(publisher).when()
                .get(status).then().statusCode(200));

        // the final answer, read by the same HAPI client
        Bundle done = client("ehr-async", new CapturingInterceptor()).fetchResourceFromUrl(Bundle.class, status);
        assertEquals(Bundle.BundleType.TRANSACTIONRESPONSE, done.getType());
        assertEquals(answer.getEntry().size(), done.getEntry().size());
        for (int i = 0; i < done.getEntry().size(); i++) {
            assertEquals("201 Created", done.getEntry().get(i).getResponse().getStatus());
            assertEquals(answer.getEntry().get(i).getResponse().getLocation(),
                    done.getEntry().get(i).getResponse().getLocation());
        }
    }

    @Test
    void aBatchAnswersEachEntryAndOnlyItsGoodEntriesPassOnAndEntriesHeldBackByValidationAre422() {
        Bundle batch = new Bundle().setType(Bundle.BundleType.BATCH);
        org.hl7.fhir.r4.model.Patient p = new org.hl7.fhir.r4.model.Patient();
        String patientUrl = "urn:uuid:" + UUID.randomUUID();
        p.addIdentifier().setSystem("urn:oid:1.2.36.146.595.217.0.1").setValue("async-" + UUID.randomUUID());
        batch.addEntry().setFullUrl(patientUrl).setResource(p).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
        batch.addEntry().setResource(new org.hl7.fhir.r4.model.Patient().setId("gone")).getRequest()
                .setMethod(Bundle.HTTPVerb.DELETE).setUrl("Patient/gone");
        org.hl7.fhir.r4.model.Observation o = new org.hl7.fhir.r4.model.Observation();
        o.setStatus(org.hl7.fhir.r4.model.Observation.ObservationStatus.FINAL).getCode().setText("weight");
        o.setSubject(new org.hl7.fhir.r4.model.Reference(patientUrl));
        batch.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(o).getRequest()
                .setMethod(Bundle.HTTPVerb.POST).setUrl("Observation");
        CapturingInterceptor capture = new CapturingInterceptor();

        Bundle answer = client("ehr-async", capture).transaction().withBundle(batch)
                .withAdditionalHeader("Prefer", "respond-async").execute();

        assertEquals(Bundle.BundleType.BATCHRESPONSE, answer.getType());
        assertEquals("202 Accepted", answer.getEntry().get(0).getResponse().getStatus());
        assertEquals("400 Bad Request", answer.getEntry().get(1).getResponse().getStatus());
        OperationOutcome why = (OperationOutcome) answer.getEntry().get(1).getResponse().getOutcome();
        assertTrue(why.getIssueFirstRep().getDiagnostics().contains("has method DELETE"));
        assertEquals("202 Accepted", answer.getEntry().get(2).getResponse().getStatus());
        String status = capture.getLastResponse().getHeaders("Content-Location").get(0);
        String token = token("ehr-async", "ehr-publisher");
        given().auth().oauth2(token).when().get(status).then().statusCode(202);
        // the submission holds the good entries only, and says what became of all three
        String id = status.substring(status.lastIndexOf('/') + 1);
        String patientId = patientUrl.substring("urn:uuid:".length());
        given().auth().oauth2(token("terry", "records-technician")).when().get("/submissions/" + id).then()
                .statusCode(200).body("entryCount", equalTo(2)).body("requestType", equalTo("batch"))
                .body("entries.status", equalTo(List.of(201, 400, 201)));

        // validation holds back the second entry passed on (the Observation), files the rest
        String recordKey = "ehr-async|" + patientId;
        topics().publish(Topics.VALIDATED, recordKey, EventFixtures.headers(EventTypes.RECORD_VALIDATED, id),
                EventCodec.encode(new RecordValidated(id, "ehr-async", recordKey, Instant.now(), List.of(), "{}", null,
                        List.of(1))));
        // as in the pipeline, the index files it only after validation passed it on: the record change follows the
        // verdict (published at once after it, on another topic, it could be applied first)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(token("terry",
                "records-technician")).when().get("/submissions/" + id).then().body("status", equalTo("VALIDATED")));
        topics().publish(Topics.RECORD_CHANGES, "person-batch", EventFixtures.headers(EventTypes.RECORD_CHANGED, id),
                EventCodec.encode(new RecordChanged(id, "person-batch", recordKey,
                        RecordChanged.ChangeType.PERSON_CREATED, "new-person",
                        List.of(new RecordChanged.ResourceRef("Patient", patientId)), Instant.now(), "{}")));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(token).when().get(status)
                .then().statusCode(200));
        Bundle done = FHIR.newJsonParser().parseResource(Bundle.class, given().auth().oauth2(token).when()
                .get(status).then().statusCode(200).extract().asString());
        assertEquals("201 Created", done.getEntry().get(0).getResponse().getStatus());
        assertEquals("Patient/" + patientId, done.getEntry().get(0).getResponse().getLocation());
        assertEquals("400 Bad Request", done.getEntry().get(1).getResponse().getStatus());
        assertEquals("422 Unprocessable Entity", done.getEntry().get(2).getResponse().getStatus());
        assertTrue(((OperationOutcome) done.getEntry().get(2).getResponse().getOutcome()).getIssueFirstRep()
                .getDiagnostics().contains("held back by validation"));
    }

    @Test
    void aQuarantinedSubmissionAnswersTheOperationOutcomeOfItsFindings() {
        String token = token("ehr-async-q", "ehr-publisher");
        String body = "{\"resourceType\":\"Patient\",\"id\":\"q-" + UUID.randomUUID() + "\",\"gender\":\"female\"}";
        var accepted = given().auth().oauth2(token).contentType("application/fhir+json")
                .header("Prefer", "respond-async").body(body).when().post("/fhir").then().statusCode(202)
                .contentType("application/fhir+json").body("resourceType", equalTo("OperationOutcome"))
                .body("issue[0].severity", equalTo("information")).extract();
        String status = accepted.header("Content-Location");
        String id = status.substring(status.lastIndexOf('/') + 1);
        assertTrue(accepted.path("issue[0].diagnostics").toString().contains(id));
        String key = "ehr-async-q|" + new io.restassured.path.json.JsonPath(body).getString("id");
        topics().publish(Topics.QUARANTINED, key, EventFixtures.headers(EventTypes.RECORD_QUARANTINED, id),
                EventCodec.encode(new RecordQuarantined(id, "ehr-async-q", key, Instant.now(),
                        List.of(new ValidationIssue("error", "required", "patient-birthdate", "Patient.birthDate",
                                "Patient has no birth date")))));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(token).when().get(status)
                .then().statusCode(422).body("resourceType", equalTo("OperationOutcome"))
                .body("issue[0].code", equalTo("required"))
                .body("issue[0].diagnostics", containsString("no birth date"))
                .body("issue[0].expression[0]", equalTo("Patient.birthDate")));
    }

    @Test
    void theCapabilityStatementSaysWhatTheIntakeDoes() {
        given().auth().oauth2(token("ehr-async", "ehr-publisher")).when().get("/fhir/metadata").then().statusCode(200)
                .body("resourceType", equalTo("CapabilityStatement")).body("fhirVersion", equalTo("4.0.1"))
                .body("rest[0].interaction.code", org.hamcrest.Matchers.hasItems("transaction", "batch"))
                .body("rest[0].resource.find { it.type == 'Patient' }.conditionalCreate", equalTo(true));
        given().when().get("/fhir/metadata").then().statusCode(401);
    }

    @Test
    void withoutAskingForFhirACallerKeepsTheReceiptAndGetsTheStatusLocationToo() {
        String status = given().auth().oauth2(token("ehr-async", "ehr-publisher")).contentType("application/fhir+json")
                .header("Idempotency-Key", UUID.randomUUID().toString())
                .body(SharedData.fixture("patient-complete.json")).when().post("/fhir").then().statusCode(202)
                .contentType("application/json").body("status", equalTo("RECEIVED")).extract()
                .header("Content-Location");
        assertTrue(status.contains("/fhir/_async/"), status);
    }
}
