package org.recordline.ingestion.api;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/** FHIR XML and {@code POST /fhir/{type}} against the real broker and database, hostile XML included. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class FhirXmlIntakeTest {

    private static final String XML = "application/fhir+xml";
    private static final FhirContext FHIR = FhirContext.forR4Cached();

    private static String publisher() {
        return RecordlineStackResource.tokens().token("ehr-xml", "ehr-publisher");
    }

    private static List<ConsumerRecord<String, byte[]>> ingestedFor(String submissionId) {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers())
                .ofSubmission(Topics.INGESTED, submissionId);
    }

    /** A Patient as XML, written by HAPI from the committed JSON fixture. */
    private static byte[] patientXml() {
        var patient = FHIR.newJsonParser().parseResource(new String(SharedData.fixture("patient-complete.json"),
                StandardCharsets.UTF_8));
        return FHIR.newXmlParser().encodeResourceToString(patient).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void anXmlPatientIsAcceptedAndPassedOnAsFhirJson() throws Exception {
        String id = given().auth().oauth2(publisher()).contentType(XML).body(patientXml())
                .when().post("/fhir").then().statusCode(202).body("resourceType", equalTo("Patient"))
                .extract().path("submissionId");
        List<ConsumerRecord<String, byte[]>> records = ingestedFor(id);
        assertEquals(1, records.size());
        assertEquals("ehr-xml|pat-complete-1", records.get(0).key());
        JsonNode fhir = EventCodec.mapper().readTree(records.get(0).value()).get("fhir");
        assertTrue(fhir.isObject(), "XML travels on as FHIR JSON");
        assertEquals("MRN-100001", fhir.at("/identifier/0/value").asText());
    }

    @Test
    void aSyntheaBundleAsXmlIsAcceptedWithEveryEntry() throws Exception {
        var file = SharedData.syntheaPatientBundles().stream()
                .min(java.util.Comparator.comparingLong(p -> p.toFile().length())).orElseThrow();
        Bundle bundle = FHIR.newJsonParser().parseResource(Bundle.class, Files.readString(file));
        byte[] xml = FHIR.newXmlParser().encodeResourceToString(bundle).getBytes(StandardCharsets.UTF_8);
        String id = given().auth().oauth2(publisher()).contentType(XML).body(xml)
                .when().post("/fhir/Bundle").then().log().ifValidationFails().statusCode(202).body("entryCount", equalTo(bundle.getEntry().size()))
                .extract().path("submissionId");
        JsonNode payload = EventCodec.mapper().readTree(ingestedFor(id).get(0).value());
        assertEquals(bundle.getEntry().size(), payload.get("fhir").get("entry").size());
    }

    @Test
    void anExternalEntityIsRefusedAndNothingOfTheFileComesBack() {
        String xxe = "<?xml version=\"1.0\"?><!DOCTYPE Patient [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
                + "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"x\"/><name><family value=\"&xxe;\"/></name>"
                + "</Patient>";
        given().auth().oauth2(publisher()).contentType(XML).body(xxe.getBytes(StandardCharsets.UTF_8))
                .when().post("/fhir").then().statusCode(400)
                .body("resourceType", equalTo("OperationOutcome")).body("issue[0].code", equalTo("security"))
                .body("issue[0].diagnostics", containsString("DOCTYPE"))
                .body(not(containsString("root:")));
    }

    @Test
    void billionLaughsIsRefusedWithoutExpandingAnything() {
        StringBuilder dtd = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE Patient [<!ENTITY lol \"lol\">");
        for (int i = 1; i < 10; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"")
                    .append(("&lol" + (i == 1 ? "" : String.valueOf(i - 1)) + ";").repeat(10)).append("\">");
        }
        String body = dtd + "]><Patient xmlns=\"http://hl7.org/fhir\"><name><family value=\"&lol9;\"/></name>"
                + "</Patient>";
        given().auth().oauth2(publisher()).contentType(XML).body(body.getBytes(StandardCharsets.UTF_8))
                .when().post("/fhir").then().statusCode(400).body("issue[0].code", equalTo("security"));
    }

    @Test
    void xmlLimitsAndStrictParsingAnswerWithTheirReason() {
        String deep = "<Patient xmlns=\"http://hl7.org/fhir\">" + "<extension url=\"http://x\">".repeat(200)
                + "</extension>".repeat(200) + "</Patient>";
        given().auth().oauth2(publisher()).contentType(XML).body(deep.getBytes(StandardCharsets.UTF_8))
                .when().post("/fhir").then().statusCode(400).body("issue[0].code", equalTo("too-costly"));
        String unknown = "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"x\"/><favouriteColour value=\"blue\"/>"
                + "</Patient>";
        given().auth().oauth2(publisher()).contentType(XML).body(unknown.getBytes(StandardCharsets.UTF_8))
                .when().post("/fhir").then().statusCode(400).body("issue[0].code", equalTo("structure"));
        given().auth().oauth2(publisher()).contentType(XML).body("<Patient xmlns=\"http://hl7.org/fhir\">"
                .getBytes(StandardCharsets.UTF_8)).when().post("/fhir").then().statusCode(400)
                .body("issue[0].diagnostics", containsString("malformed XML"));
    }

    @Test
    void theTypeInThePathMustBeTheBodysType() {
        given().auth().oauth2(publisher()).contentType("application/fhir+json")
                .body(SharedData.fixture("patient-complete.json")).when().post("/fhir/Patient")
                .then().statusCode(202).body("resourceType", equalTo("Patient"));
        given().auth().oauth2(publisher()).contentType("application/fhir+json")
                .body(SharedData.fixture("patient-complete.json")).when().post("/fhir/Observation")
                .then().statusCode(400).body("issue[0].diagnostics",
                        equalTo("the body is a Patient, but the URL names Observation"));
        given().auth().oauth2(publisher()).contentType(XML).body(patientXml()).when().post("/fhir/Patient")
                .then().statusCode(202);
        given().auth().oauth2(publisher()).contentType("application/fhir+json")
                .body(SharedData.fixture("patient-complete.json")).when().post("/fhir/not-a-type")
                .then().statusCode(400);
    }
}
