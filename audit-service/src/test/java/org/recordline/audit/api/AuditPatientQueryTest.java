package org.recordline.audit.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.parser.StrictErrorHandler;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hl7.fhir.r4.model.AuditEvent.AuditEventEntityComponent;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.Topics;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.TopicClient;

/**
 * A patient found by any of their ids, as the index-service's filings and moves say now; the accounting of
 * disclosures as JSON and as a document; the export as BALP AuditEvents, read back with HAPI's strict parser; and the
 * request's audit context (purpose, correlation id, on-behalf-of) on the audit-service's own entries.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class AuditPatientQueryTest {

    private static final FhirContext R4 = FhirContext.forR4();

    private static String auditor() {
        return RecordlineStackResource.tokens().token("audrey", "auditor");
    }

    /** Publishes an event the way a service does (key: the submission, else the patient). */
    private static AuditEvent publish(String service, String action, String outcome, String actor,
                                      String submission, String patientRef, String purpose, String detail,
                                      AuditEvent.Context context) {
        AuditEvent e = new AuditEvent(UUID.randomUUID().toString(), Instant.now(), service, action, outcome, actor,
                submission, patientRef, purpose, detail, context);
        String key = submission != null ? submission : patientRef;
        new TopicClient(RecordlineStackResource.broker().bootstrapServers()).publish(Topics.AUDIT, key,
                EventFixtures.headers(e.eventId(), EventTypes.AUDIT, submission), EventCodec.encode(e));
        return e;
    }

    private static AuditEvent.Context indexed(String person, String previous, String source) {
        return new AuditEvent.Context(null, null, null, null, person, previous, List.of(source), null, null);
    }

    private static AuditEvent.Context read(String person, String onBehalfOf) {
        return new AuditEvent.Context(List.of("records-technician"), onBehalfOf, "10.1.2.3", "corr-" + person,
                person, null, null, List.of("Patient/" + person), null);
    }

    @Test
    void aPatientIsFoundByAnyIdIncludingRecordsLinkedAfterTheEventAndTheirDisclosuresAreAccounted() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String p1 = "p1-" + tag;
        String p2 = "p2-" + tag;
        String other = "p3-" + tag;
        String sourceA = "ehr-a|" + tag;
        String sourceB = "ehr-b|" + tag;
        // two source records filed under two persons
        publish("index-service", "record.indexed", "success", "index-service", UUID.randomUUID().toString(), p1,
                "ingest", "new-person resources=3", indexed(p1, null, sourceA));
        publish("index-service", "record.indexed", "success", "index-service", UUID.randomUUID().toString(), p2,
                "ingest", "new-person resources=2", indexed(p2, null, sourceB));
        // p2's chart is read before anyone knows p2 is p1; a refused read and an unrelated read
        AuditEvent readP2 = publish("index-service", "record.read", "success", "terry", null, p2, "TREAT",
                "person chart", read(p2, "dr-ng"));
        publish("index-service", "record.read", "failure", "terry", null, p2, "TREAT", "person chart, not found",
                read(p2, null));
        publish("index-service", "record.read", "success", "terry", null, other, "TREAT", "person chart",
                read(other, null));
        // a read of source record A's submission, by a caller whose name needs escaping in a document
        publish("ingestion-service", "submission.read", "success", "<script>x</script>", UUID.randomUUID().toString(),
                sourceA, "PATRQT", "submission status", null);
        // then p2 is merged into p1: source record B moves to p1
        publish("index-service", "persons.merged", "success", "terry", null, p1, "treatment",
                "change 7: 1 source record(s) moved", indexed(p1, p2, sourceB));

        // asked by source record A's id: p1, both source records, and p2 (which held B) are all the patient
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonPath seen = given().auth().oauth2(auditor()).queryParam("patient", sourceA).queryParam("limit", 100)
                    .when().get("/audit/events").then().statusCode(200).extract().jsonPath();
            assertTrue(seen.getList("eventId").contains(readP2.eventId()),
                    "the read of p2 before the merge is about the patient");
            // everything but p3's read (and the auditor's own queries, which name the patient too); events with
            // different keys may be appended in any order
            assertEquals(List.of("persons.merged", "record.indexed", "record.indexed", "record.read", "record.read",
                    "submission.read"), seen.<String>getList("action").stream().filter(a -> !"audit.read".equals(a))
                    .sorted().toList());
        });
        // p3's read is not theirs; and by p1's own id the same entries come back
        JsonPath byP1 = given().auth().oauth2(auditor()).queryParam("patient", p1).queryParam("action", "record.read")
                .when().get("/audit/events").then().statusCode(200).extract().jsonPath();
        assertEquals(List.of(p2, p2), byP1.getList("patientRef"));
        assertEquals(List.of("success", "failure"), byP1.getList("outcome"));
        assertEquals("dr-ng", byP1.getString("[0].context.onBehalfOf"));
        assertEquals("10.1.2.3", byP1.getString("[0].context.clientAddress"));
        // by p2's own id, the person merged away: it stands for p1, which it was merged into, so source record A's
        // read is found too
        JsonPath byP2 = given().auth().oauth2(auditor()).queryParam("patient", p2)
                .queryParam("action", "submission.read").when().get("/audit/events").then().statusCode(200)
                .extract().jsonPath();
        assertEquals(List.of(sourceA), byP2.getList("patientRef"));
        given().auth().oauth2(auditor()).queryParam("patient", p1).queryParam("outcome", "failure").when()
                .get("/audit/events").then().statusCode(200).body("size()", equalTo(1));
        given().auth().oauth2(auditor()).queryParam("patient", p1).queryParam("outcome", "broken").when()
                .get("/audit/events").then().statusCode(400).body("detail", containsString("outcome"));

        // the accounting: the successful reads only, oldest first, with recipient and purpose
        JsonPath accounting = given().auth().oauth2(auditor()).queryParam("patient", sourceB)
                .accept("application/json").when().get("/audit/disclosures").then().statusCode(200).extract()
                .jsonPath();
        // (the two reads have different keys: either may have been appended first)
        assertEquals(java.util.Set.of("terry TREAT dr-ng", "<script>x</script> PATRQT null"),
                accounting.<java.util.Map<String, Object>>getList("disclosures").stream()
                        .map(d -> d.get("recipient") + " " + d.get("purpose") + " " + d.get("onBehalfOf"))
                        .collect(java.util.stream.Collectors.toSet()));
        assertTrue(accounting.getBoolean("complete"));
        assertTrue(accounting.getList("patientIds").containsAll(List.of(p1, p2, sourceA, sourceB)));
        // six years back by default
        Instant from = Instant.parse(accounting.getString("from"));
        Instant to = Instant.parse(accounting.getString("to"));
        assertTrue(Duration.between(from, to).toDays() >= 365 * 6, from + " to " + to);

        // as a document for the patient: escaped, every disclosure, nothing else
        String html = given().auth().oauth2(auditor()).queryParam("patient", sourceB).accept("text/html").when()
                .get("/audit/disclosures").then().statusCode(200).contentType(containsString("text/html"))
                .extract().asString();
        assertTrue(html.contains("<h1>Accounting of disclosures</h1>"), html);
        assertTrue(html.contains("&lt;script&gt;x&lt;/script&gt;"), html);
        assertFalse(html.contains("<script>"), html);
        assertTrue(html.contains("at the patient&#39;s request") || html.contains("at the patient's request"), html);
        assertTrue(html.contains("2 disclosures"), html);
        given().auth().oauth2(auditor()).when().get("/audit/disclosures").then().statusCode(400)
                .body("detail", containsString("patient"));
    }

    @Test
    void theExportIsABundleOfBalpAuditEventsThatHapiReadsStrictly() {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String person = "p-" + tag;
        AuditEvent read = publish("index-service", "record.read", "success", "terry", null, person, "TREAT",
                "person chart", read(person, "dr-ng"));
        AuditEvent search = publish("index-service", "record.read", "success", "terry", null, person, "TREAT",
                "patient search result", read(person, null));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("patient", person).queryParam("action", "record.read").when().get("/audit/events").then()
                .body("size()", equalTo(2)));

        String body = given().auth().oauth2(auditor()).queryParam("patient", person)
                .queryParam("action", "record.read").accept("application/fhir+json").when().get("/audit/events").then().statusCode(200)
                .contentType(containsString("application/fhir+json")).extract().asString();
        Bundle bundle = R4.newJsonParser().setParserErrorHandler(new StrictErrorHandler())
                .parseResource(Bundle.class, body);
        assertEquals(Bundle.BundleType.COLLECTION, bundle.getType());
        assertEquals(2, bundle.getEntry().size());
        org.hl7.fhir.r4.model.AuditEvent first = (org.hl7.fhir.r4.model.AuditEvent) bundle.getEntry().get(0)
                .getResource();
        assertEquals("urn:uuid:" + read.eventId(), bundle.getEntry().get(0).getFullUrl());
        assertTrue(first.getIdElement().getValue().endsWith(read.eventId()), first.getIdElement().getValue());
        assertEquals(BalpExport.BALP + "IHE.BasicAudit.PatientRead", first.getMeta().getProfile().get(0).getValue());
        assertEquals("rest", first.getType().getCode());
        assertEquals("read", first.getSubtypeFirstRep().getCode());
        assertEquals("R", first.getAction().toCode());
        assertEquals("0", first.getOutcome().toCode());
        assertEquals("TREAT", first.getPurposeOfEventFirstRep().getCodingFirstRep().getCode());
        assertEquals("terry", first.getAgentFirstRep().getWho().getIdentifier().getValue());
        assertFalse(first.getAgentFirstRep().getRequestor(), "terry acted for dr-ng, who is the requestor");
        assertEquals("records-technician", first.getAgentFirstRep().getRoleFirstRep().getCodingFirstRep().getCode());
        assertEquals("10.1.2.3", first.getAgentFirstRep().getNetwork().getAddress());
        assertEquals("dr-ng", first.getAgent().get(1).getWho().getIdentifier().getValue());
        assertTrue(first.getAgent().get(1).getRequestor());
        assertEquals("index-service", first.getSource().getObserver().getDisplay());
        AuditEventEntityComponent patient = first.getEntity().stream()
                .filter(en -> "1".equals(en.getRole().getCode())).findFirst().orElseThrow();
        assertEquals("Patient/" + person, patient.getWhat().getReference());
        assertTrue(first.getEntity().stream().anyMatch(en -> "XrequestId".equals(en.getType().getCode())
                && ("corr-" + person).equals(en.getWhat().getIdentifier().getValue())));
        assertNotNull(first.getExtensionByUrl(BalpExport.ENTRY_HASH));

        org.hl7.fhir.r4.model.AuditEvent second = (org.hl7.fhir.r4.model.AuditEvent) bundle.getEntry().get(1)
                .getResource();
        assertEquals("urn:uuid:" + search.eventId(), bundle.getEntry().get(1).getFullUrl());
        assertEquals(BalpExport.BALP + "IHE.BasicAudit.PatientQuery",
                second.getMeta().getProfile().get(0).getValue());
        assertEquals("E", second.getAction().toCode());
    }

    @Test
    void theAuditServicesOwnReadsCarryTheRequestsPurposeCorrelationAndOnBehalfOf() {
        String correlation = "corr-" + UUID.randomUUID();
        given().auth().oauth2(auditor()).header("X-Purpose-Of-Use", "HOPERAT").header("X-Correlation-Id", correlation)
                .header("X-On-Behalf-Of", "compliance-office").queryParam("patient", "nobody-" + correlation)
                .when().get("/audit/events").then().statusCode(200).header("X-Correlation-Id", correlation);
        // no purpose given: the audit-service's default, compliance
        given().auth().oauth2(auditor()).queryParam("patient", "nobody-" + correlation).when().get("/audit/events")
                .then().statusCode(200).header("X-Correlation-Id", org.hamcrest.Matchers.notNullValue());
        JsonPath reads = given().auth().oauth2(auditor()).queryParam("patient", "nobody-" + correlation)
                .queryParam("action", "audit.read").when().get("/audit/events").then().statusCode(200).extract()
                .jsonPath();
        assertEquals("HOPERAT", reads.getString("[0].purpose"));
        assertEquals(correlation, reads.getString("[0].context.correlationId"));
        assertEquals("compliance-office", reads.getString("[0].context.onBehalfOf"));
        assertEquals(List.of("auditor"), reads.getList("[0].context.roles"));
        assertNotNull(reads.getString("[0].context.clientAddress"));
        assertEquals("HCOMPL", reads.getString("[1].purpose"));
        assertNotNull(reads.getString("[1].context.correlationId"), "one is made when none is given");

        // every endpoint is classified; the accounting is an audited read too
        String proofs = "hashes, signatures and counts of the log: no patient data";
        org.recordline.testsupport.AuditCoverage.assertClassified(AuditQueryResource.class,
                java.util.Set.of("GET /audit/events", "GET /audit/disclosures"), java.util.Map.of(
                        "GET /audit/checkpoints/latest", proofs, "POST /audit/checkpoints", proofs,
                        "GET /audit/checkpoints/key", proofs, "GET /audit/proofs/inclusion", proofs,
                        "GET /audit/proofs/consistency", proofs, "GET /audit/verify", proofs));
        String accounting = "corr-" + UUID.randomUUID();
        given().auth().oauth2(auditor()).header("X-Correlation-Id", accounting).queryParam("patient", "p-" + accounting)
                .when().get("/audit/disclosures").then().statusCode(200);
        JsonPath mine = given().auth().oauth2(auditor()).queryParam("patient", "p-" + accounting)
                .queryParam("action", "audit.read").when().get("/audit/events").then().statusCode(200).extract()
                .jsonPath();
        assertEquals(accounting, mine.getString("[0].context.correlationId"));
        assertTrue(mine.getString("[0].detail").startsWith("accounting of disclosures"), mine.getString("[0].detail"));

        given().auth().oauth2(auditor()).header("X-Purpose-Of-Use", "because").queryParam("actor", "x").when()
                .get("/audit/events").then().statusCode(400)
                .body("detail", containsString("header 'X-Purpose-Of-Use'"));
        given().auth().oauth2(auditor()).header("X-Correlation-Id", "a b").queryParam("actor", "x").when()
                .get("/audit/events").then().statusCode(400)
                .body("detail", containsString("header 'X-Correlation-Id'"));
    }
}
