package org.recordline.index.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recordline.index.api.IndexFlows.audits;
import static org.recordline.index.api.IndexFlows.filed;
import static org.recordline.index.api.IndexFlows.publishValidated;
import static org.recordline.index.api.IndexFlows.publisher;
import static org.recordline.index.api.IndexFlows.tech;

import ca.uhn.fhir.context.FhirContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;

/**
 * A person's chart ({@code $everything}) and a resource's versions, for a Synthea patient filed through the real
 * broker: counts by type and by clinical date computed from the bundle itself, paging, and versions made by a re-sent
 * submission with one Observation changed.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class PersonChartFlowTest {

    @Inject
    AgroalDataSource db;

    @Inject
    FhirContext fhir;

    /** Every entry of the chart, following {@code next} links from {@code first}; checks each page's total. */
    private static List<Map<String, Object>> chart(String first, int total) {
        List<Map<String, Object>> out = new ArrayList<>();
        String url = first;
        int pages = 0;
        while (url != null) {
            // the URLs are sent as written: the next links are encoded already
            JsonPath page = given().urlEncodingEnabled(false).auth().oauth2(tech()).when().get(url).then()
                    .statusCode(200)
                    .contentType(org.hamcrest.Matchers.containsString("application/fhir+json"))
                    .body("resourceType", equalTo("Bundle")).body("type", equalTo("searchset"))
                    .body("total", equalTo(total)).extract().jsonPath();
            out.addAll(page.getList("entry"));
            url = page.getString("link.find { it.relation == 'next' }.url");
            assertTrue(++pages <= 100, "the next links end");
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> resource(Map<String, Object> entry) {
        return (Map<String, Object>) entry.get("resource");
    }

    @SuppressWarnings("unchecked")
    private static String meta(Map<String, Object> entry, String field) {
        return (String) ((Map<String, Object>) resource(entry).get("meta")).get(field);
    }

    /** The date an Observation or Immunization of a Synthea bundle is about, as the bundle states it. */
    private static Instant stated(JsonNode r) {
        String at = r.has("effectiveDateTime") ? r.get("effectiveDateTime").asText()
                : r.get("occurrenceDateTime").asText();
        return OffsetDateTime.parse(at).toInstant();
    }

    private static Instant stated(Map<String, Object> r) {
        Object at = r.containsKey("effectiveDateTime") ? r.get("effectiveDateTime") : r.get("occurrenceDateTime");
        return OffsetDateTime.parse((String) at).toInstant();
    }

    @Test
    void theChartListsEveryResourceByTypeAndClinicalDateInPagesAndEachChangeIsANewVersion() throws Exception {
        JsonNode bundle = EventCodec.mapper().readTree(Files.readString(SharedData.syntheaPatientBundles().get(3)));
        String source = "ehr-chart|" + UUID.randomUUID();
        String person = filed(publishValidated(source, EventCodec.mapper().writeValueAsString(bundle)))
                .get("enterprisePersonId").asText();

        // what the chart should hold, from the bundle itself
        List<JsonNode> resources = new ArrayList<>();
        bundle.get("entry").forEach(e -> resources.add(e.get("resource")));
        Instant from = Instant.parse("1996-01-01T00:00:00Z");
        Instant before = Instant.parse("1998-07-01T00:00:00Z");
        long observations = resources.stream().filter(r -> "Observation".equals(r.get("resourceType").asText()))
                .count();
        List<JsonNode> dated = resources.stream().filter(r -> List.of("Observation", "Immunization")
                .contains(r.get("resourceType").asText())).toList();
        long inWindow = dated.stream().filter(r -> !stated(r).isBefore(from) && stated(r).isBefore(before)).count();
        assertTrue(observations > 100 && inWindow > 0 && inWindow < dated.size(), "the bundle suits the test");

        // the whole chart: the golden Patient, then every resource, each once, with its version and source
        String everything = "/fhir/Patient/" + person + "/$everything";
        List<Map<String, Object>> all = chart(everything + "?_count=1000", resources.size() + 1);
        assertEquals(resources.size() + 1, all.size());
        assertEquals("Patient", resource(all.get(0)).get("resourceType"));
        assertEquals(person, resource(all.get(0)).get("id"));
        HashSet<Object> fullUrls = new HashSet<>();
        all.forEach(e -> fullUrls.add(e.get("fullUrl")));
        assertEquals(all.size(), fullUrls.size(), "fullUrls are unique");
        for (Map<String, Object> e : all.subList(1, all.size())) {
            assertEquals("1", meta(e, "versionId"));
            assertEquals(source, meta(e, "source"));
        }
        // the default page (100) and a page of 50 walk the same chart in the same order
        List<Object> order = all.stream().map(e -> e.get("fullUrl")).toList();
        assertEquals(100, given().auth().oauth2(tech()).when().get(everything).then().statusCode(200).extract()
                .jsonPath().getList("entry").size());
        assertEquals(order, chart(everything + "?_count=50", all.size()).stream().map(e -> e.get("fullUrl"))
                .toList());

        // by type, in clinical-date order
        List<Map<String, Object>> obs = chart(everything + "?_type=Observation&_count=1000", (int) observations + 1);
        assertEquals(observations + 1, obs.size());
        for (int i = 2; i < obs.size(); i++) {
            assertEquals("Observation", resource(obs.get(i)).get("resourceType"));
            assertFalse(stated(resource(obs.get(i))).isBefore(stated(resource(obs.get(i - 1)))), "clinical order");
        }
        // by type and clinical date (inclusive bounds: from 1996 to the end of June 1998)
        List<Map<String, Object>> window = chart(everything + "?_type=Observation,Immunization&start=1996"
                + "&end=1998-06&_count=1000", (int) inWindow + 1);
        assertEquals(inWindow + 1, window.size());
        for (Map<String, Object> e : window.subList(1, window.size())) {
            Instant at = stated(resource(e));
            assertTrue(!at.isBefore(from) && at.isBefore(before), at.toString());
        }
        // a resource without a clinical date is left out as soon as a date bound is given
        chart(everything + "?_type=Patient", 2);
        chart(everything + "?_type=Patient&start=1900", 1);

        // a FHIR client reads the answer as a Bundle
        Bundle parsed = fhir.newJsonParser().parseResource(Bundle.class,
                given().auth().oauth2(tech()).when().get(everything + "?_count=5").then().statusCode(200).extract()
                        .asString());
        assertEquals(5, parsed.getEntry().size());
        assertTrue(parsed.getLink("next") != null && parsed.getLink("next").getUrl().contains("_offset=5"));

        // refusals, as OperationOutcomes
        for (String bad : List.of("?_type=observation", "?start=1996-13", "?end=yesterday", "?_count=-1",
                "?_count=many", "?_offset=-3", "?start=1999&end=1998")) {
            given().auth().oauth2(tech()).when().get(everything + bad).then().statusCode(400)
                    .body("resourceType", equalTo("OperationOutcome"));
        }
        given().auth().oauth2(tech()).when().get("/fhir/Patient/" + UUID.randomUUID() + "/$everything").then()
                .statusCode(404).body("resourceType", equalTo("OperationOutcome"));
        given().auth().oauth2(tech()).when().get("/fhir/Patient/" + person + "/$summary").then().statusCode(404)
                .body("resourceType", equalTo("OperationOutcome"));
        given().auth().oauth2(publisher()).when().get(everything).then().statusCode(403)
                .body("resourceType", equalTo("OperationOutcome"));
        given().when().get(everything).then().statusCode(401);

        // the same source record again with one Observation changed: that Observation is version 2, nothing else
        ObjectNode changed = (ObjectNode) bundle.deepCopy();
        ObjectNode observation = null;
        for (JsonNode e : changed.get("entry")) {
            if ("Observation".equals(e.get("resource").get("resourceType").asText())
                    && e.get("resource").has("valueQuantity")) {
                observation = (ObjectNode) e.get("resource");
                break;
            }
        }
        double before1 = observation.get("valueQuantity").get("value").asDouble();
        ((ObjectNode) observation.get("valueQuantity")).put("value", before1 + 12.5);
        String obsId = observation.get("id").asText();
        String refiled = EventCodec.mapper().writeValueAsString(changed);
        assertEquals("RECORDS_FILED", filed(publishValidated(source, refiled)).get("changeType").asText());
        List<Map<String, Object>> now = chart(everything + "?_type=Observation&_count=1000",
                (int) observations + 1);
        for (Map<String, Object> e : now.subList(1, now.size())) {
            assertEquals(obsId.equals(resource(e).get("id")) ? "2" : "1", meta(e, "versionId"),
                    "version of " + resource(e).get("id"));
        }
        String history = "/persons/" + person + "/chart/history?type=Observation&id=" + obsId + "&source=" + source;
        JsonPath versions = given().auth().oauth2(tech()).when().get(history).then().statusCode(200)
                .body("resourceType", equalTo("Bundle")).body("type", equalTo("history")).body("total", equalTo(2))
                .extract().jsonPath();
        assertEquals(List.of("2", "1"), versions.getList("entry.resource.meta.versionId"));
        assertEquals(before1 + 12.5, versions.getDouble("entry[0].resource.valueQuantity.value"), 1e-9);
        assertEquals(before1, versions.getDouble("entry[1].resource.valueQuantity.value"), 1e-9);
        assertEquals(List.of("PUT", "POST"), versions.getList("entry.request.method"));

        // an identical re-send is no new version
        filed(publishValidated(source, refiled));
        given().auth().oauth2(tech()).when().get(history).then().statusCode(200).body("total", equalTo(2));
        assertEquals("1", IndexFlows.sql(db, "SELECT count(*) FROM record_resource_version v JOIN record_resource r"
                + " ON r.id = v.record_resource_id WHERE r.enterprise_person_id = ?", person));

        given().auth().oauth2(tech()).when().get("/persons/" + person + "/chart/history?type=Observation&id=nope"
                + "&source=" + source).then().statusCode(404);
        given().auth().oauth2(tech()).when().get("/persons/" + person + "/chart/history?type=Observation").then()
                .statusCode(400);
        given().auth().oauth2(publisher()).when().get(history).then().statusCode(403);

        // every read is audited, naming the person, with what and how many
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<JsonNode> reads = audits("record.read", person);
            assertTrue(reads.stream().anyMatch(a -> a.get("detail").asText().startsWith("chart $everything resources="
                    + resources.size() + " golden-patient offset=0 total=" + (resources.size() + 1))), reads.toString());
            assertTrue(reads.stream().anyMatch(a -> a.get("detail").asText()
                    .equals("chart history Observation versions=2")), reads.toString());
        });
        assertNull(IndexFlows.sql(db, "SELECT merged_into FROM enterprise_person WHERE id = ?", person));
    }
}
