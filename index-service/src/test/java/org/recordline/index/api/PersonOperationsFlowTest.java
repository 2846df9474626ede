package org.recordline.index.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.recordline.index.api.IndexFlows.audits;
import static org.recordline.index.api.IndexFlows.birthDate;
import static org.recordline.index.api.IndexFlows.bundle;
import static org.recordline.index.api.IndexFlows.changes;
import static org.recordline.index.api.IndexFlows.filed;
import static org.recordline.index.api.IndexFlows.json;
import static org.recordline.index.api.IndexFlows.name;
import static org.recordline.index.api.IndexFlows.publishValidated;
import static org.recordline.index.api.IndexFlows.publisher;
import static org.recordline.index.api.IndexFlows.tech;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.RecordlineStackResource;

/**
 * A records technician's link, unlink, merge and unmerge over HTTP, against records filed through the real broker:
 * what moves in the database, the golden records, the history, the record changes and audit events on the real
 * topics, and what is refused.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class PersonOperationsFlowTest {

    @Inject
    AgroalDataSource db;

    private String sql(String query, String... args) throws Exception {
        return IndexFlows.sql(db, query, args);
    }

    /** A person filed from one source record (a Patient and an Observation); answers [person id, submission id]. */
    private static String[] fileNewPerson(String sourceKey, String given, String family, String birthDate,
                                          String mrnSystem, String mrn) {
        String submission = publishValidated(sourceKey, bundle(given, family, birthDate, "female", mrnSystem, mrn,
                "obs-" + mrn));
        JsonNode change = filed(submission);
        return new String[] {change.get("enterprisePersonId").asText(), submission};
    }

    private static JsonPath post(String path, String body, int status) {
        return given().auth().oauth2(tech()).contentType("application/json").body(body).when().post(path).then()
                .statusCode(status).extract().jsonPath();
    }

    /** The one record change of {@code submission} that is not its filing. */
    private static ConsumerRecord<String, byte[]> moveOf(String submission, int changesExpected, String type) {
        List<ConsumerRecord<String, byte[]>> all = changes(submission, changesExpected);
        assertEquals(changesExpected, all.size(), "record changes of submission " + submission);
        List<ConsumerRecord<String, byte[]>> moves = all.stream()
                .filter(r -> type.equals(json(r).get("changeType").asText())).toList();
        assertEquals(1, moves.size(), type + " changes of submission " + submission);
        return moves.get(0);
    }

    /**
     * Every endpoint is classified; each one that shows patient data is called with its own correlation id and must
     * have emitted its {@code record.read} event with the request's context; the filing names the source record and
     * the person, as the audit-service needs to find a patient by any of their ids.
     */
    @Test
    void everyEndpointThatShowsPatientDataIsAudited() throws Exception {
        String changes = "an act on persons, audited (the link, unlink, merge and unmerge tests here)";
        String review = "a review decision, audited (the possible-match tests here)";
        Map<String, String> others = Map.of(
                "GET /match-model", "the model's weights and thresholds: no patient data",
                "POST /match-model/estimate", "an administrator's act, audited as match-model.estimated",
                "POST /persons/{id}/link", changes, "POST /persons/{id}/unlink", changes,
                "POST /persons/{id}/merge", changes, "POST /persons/{id}/unmerge", changes,
                "POST /possible-matches/{id}/accept", review, "POST /possible-matches/{id}/reject", review);
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String source = "ehr-cov|" + tag;
        String[] filed = fileNewPerson(source, name(), name(), birthDate(), "urn:oid:1.2.3.cov", "C-" + tag);
        String person = filed[0];
        Map<String, String> calls = new java.util.LinkedHashMap<>();
        calls.put("GET /fhir/Patient", "/fhir/Patient?identifier=urn:oid:1.2.3.cov|C-" + tag);
        calls.put("GET /fhir/Patient/{operation}", "/fhir/Patient/$ihe-pix?sourceIdentifier=urn:oid:1.2.3.cov|C-" + tag);
        calls.put("GET /fhir/Patient/{id}/{operation}", "/fhir/Patient/" + person + "/$everything");
        calls.put("GET /persons/{id}", "/persons/" + person);
        calls.put("GET /persons/{id}/history", "/persons/" + person + "/history");
        calls.put("GET /persons/{id}/chart/history", "/persons/" + person + "/chart/history?source=" + source
                + "&type=Observation&id=obs-C-" + tag);
        calls.put("GET /possible-matches", "/possible-matches?status=rejected&size=1");
        org.recordline.testsupport.AuditCoverage.assertClassified(PersonResource.class, calls.keySet(), others);

        var topics = IndexFlows.topics();
        for (Map.Entry<String, String> call : calls.entrySet()) {
            String correlation = "cov-" + UUID.randomUUID();
            int status = given().auth().oauth2(tech()).header("X-Correlation-Id", correlation).when()
                    .get(call.getValue()).then().extract().statusCode();
            assertEquals(200, status, call.getKey());
            var event = org.recordline.testsupport.AuditCoverage.awaitEvent(topics, correlation, "record.read");
            assertEquals("success", event.path("outcome").asText(), call.getKey());
            assertEquals("terry", event.path("actor").asText(), call.getKey());
            assertEquals("TREAT", event.path("purpose").asText(), call.getKey());
            assertEquals("records-technician", event.path("context").path("roles").path(0).asText(), call.getKey());
            if (!call.getKey().equals("GET /possible-matches")) {
                assertEquals(person, event.path("context").path("personId").asText(), call.getKey());
            }
        }
        // the filing names the source record and the person it was filed under
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            JsonNode indexed = topics.ofSubmission(org.recordline.events.Topics.AUDIT, filed[1]).stream()
                    .map(IndexFlows::json).filter(e -> "record.indexed".equals(e.path("action").asText()))
                    .findFirst().orElseThrow();
            assertEquals(person, indexed.path("context").path("personId").asText());
            assertEquals(source, indexed.path("context").path("sourceIds").path(0).asText());
            assertEquals(filed[1], indexed.path("context").path("correlationId").asText());
        });
    }

    /**
     * HL7 v2 A40: the source system says its record under the new MRN replaces the one under the old MRN (a Patient
     * with a {@code replaces} link to the old identifier). The person holding the old identifier from that source is
     * merged into the surviving record's person, announced as a merge; the same link from another source, or to an
     * identifier the index does not hold, changes nothing.
     */
    @Test
    void aReplacesLinkFromTheSourceSystemMergesThePriorRecordsPersonIntoTheSurvivors() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String system = "urn:oid:1.2.3.a40." + tag;
        String[] old = fileNewPerson("ehr-a40|OLD-" + tag, name(), name(), birthDate(), system, "OLD-" + tag);
        String given = name();
        String family = name();
        String born = birthDate();
        String[] kept = fileNewPerson("ehr-a40|NEW-" + tag, given, family, born, system, "NEW-" + tag);
        assertNotEquals(old[0], kept[0]);

        // another source naming the identifier merges nothing (a merge commits with the filing it comes with)
        String stranger = publishValidated("ehr-other|NEW-" + tag, withReplaces(bundle(name(), name(), birthDate(),
                "male", "urn:oid:9.9." + tag, "X-" + tag, "obs-x-" + tag), system, "OLD-" + tag));
        filed(stranger);
        assertNull(sql("SELECT merged_into FROM enterprise_person WHERE id = ?", old[0]));
        // the merge message from the source itself: the surviving record again, with the link
        String a40 = publishValidated("ehr-a40|NEW-" + tag, withReplaces(bundle(given, family, born, "female", system,
                "NEW-" + tag, "obs-NEW-" + tag), system, "OLD-" + tag));
        assertEquals(kept[0], filed(a40).get("enterprisePersonId").asText());
        // announced as any merge: a record change of the moved source record (its last submission), with both persons
        JsonNode change = json(moveOf(old[1], 2, "MERGED"));
        assertEquals(kept[0], change.get("enterprisePersonId").asText());
        assertEquals(old[0], change.get("previousEnterprisePersonId").asText());
        assertEquals("ehr-a40|OLD-" + tag, change.get("sourceRecordKey").asText());
        assertEquals(kept[0], sql("SELECT merged_into FROM enterprise_person WHERE id = ?", old[0]));
        assertEquals(kept[0], sql("SELECT enterprise_person_id FROM source_record WHERE source_record_key = ?",
                "ehr-a40|OLD-" + tag));
        assertEquals("source-merge:ehr-a40", sql("SELECT actor FROM person_change WHERE from_person_id = ?"
                + " AND to_person_id = ?", old[0], kept[0]));
        // the same message again: filed, and nothing more moves
        String again = publishValidated("ehr-a40|NEW-" + tag, withReplaces(bundle(given, family, born, "female",
                system, "NEW-" + tag, "obs-NEW-" + tag), system, "OLD-" + tag));
        filed(again);
        assertEquals("1", sql("SELECT count(*) FROM person_change WHERE from_person_id = ? AND to_person_id = ?",
                old[0], kept[0]));
    }

    /** {@code bundle} with its Patient replacing {@code system|value}. */
    private static String withReplaces(String bundle, String system, String value) {
        return bundle.replaceFirst("\\{\"resourceType\":\"Patient\",", "{\"resourceType\":\"Patient\",\"link\":[{\"other\":"
                + "{\"identifier\":{\"system\":\"" + system + "\",\"value\":\"" + value + "\"}},\"type\":\"replaces\"}],");
    }

    @Test
    void aSourceRecordIsLinkedToAnotherPersonAndUnlinkedIntoANewOne() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String[] a = fileNewPerson("ehr-la|" + tag, name(), name(), birthDate(), "urn:oid:1.2.3.la", "A-" + tag);
        String[] b = fileNewPerson("ehr-lb|" + tag, name(), name(), birthDate(), "urn:oid:1.2.3.lb", "B-" + tag);
        String personA = a[0];
        String personB = b[0];
        assertNotEquals(personA, personB);

        JsonPath linked = post("/persons/" + personA + "/link",
                "{\"sourceRecordKey\":\"ehr-lb|" + tag + "\",\"reason\":\"one woman: confirmed by phone\"}", 200);
        assertEquals("link", linked.getString("action"));
        assertEquals(personB, linked.getString("fromPersonId"));
        assertEquals(personA, linked.getString("toPersonId"));
        assertEquals(List.of("ehr-lb|" + tag), linked.getList("sourceRecordKeys"));
        assertEquals(2, linked.getInt("resourcesMoved"));
        assertTrue(linked.getBoolean("fromMerged"));
        long linkId = linked.getLong("changeId");

        // the source record, its identifier and its resources are the person's now; the emptied person points here
        assertEquals(personA, sql("SELECT enterprise_person_id FROM source_record WHERE source_record_key = ?",
                "ehr-lb|" + tag));
        assertEquals("manual-link", sql("SELECT match_rule FROM source_record WHERE source_record_key = ?",
                "ehr-lb|" + tag));
        assertEquals(personA, sql("SELECT enterprise_person_id FROM person_identifier WHERE value = ?", "B-" + tag));
        assertEquals("2", sql("SELECT count(*) FROM record_resource r JOIN source_record s ON s.id ="
                + " r.source_record_id WHERE s.source_record_key = ? AND r.enterprise_person_id = ?",
                "ehr-lb|" + tag, personA));
        assertEquals(personA, sql("SELECT merged_into FROM enterprise_person WHERE id = ?", personB));
        assertNull(sql("SELECT patient::text FROM golden_record WHERE enterprise_person_id = ?", personB));
        given().auth().oauth2(tech()).when().get("/persons/" + personA).then().statusCode(200)
                .body("sourceRecords.size()", equalTo(2)).body("resourceCounts.Observation", equalTo(2))
                .body("golden.identifier.value", containsInAnyOrder("A-" + tag, "B-" + tag));
        given().auth().oauth2(tech()).when().get("/persons/" + personB).then().statusCode(200)
                .body("sourceRecords.size()", equalTo(0)).body("mergedInto", equalTo(personA));

        // announced with the ids before and after, keyed by the receiving person, with the moved resources
        ConsumerRecord<String, byte[]> linkRecord = moveOf(b[1], 2, "LINKED");
        JsonNode link = json(linkRecord);
        assertEquals(personA, linkRecord.key());
        assertEquals(personA, link.get("enterprisePersonId").asText());
        assertEquals(personB, link.get("previousEnterprisePersonId").asText());
        assertEquals("manual-link", link.get("matchRule").asText());
        assertEquals("ehr-lb|" + tag, link.get("sourceRecordKey").asText());
        assertEquals(List.of("Patient/pat-B-" + tag, "Observation/obs-B-" + tag), refs(link));
        assertEquals("Patient", link.at("/fhir/resourceType").asText());

        // unlinking it again makes a new person, not the old one
        var unlinkResponse = given().auth().oauth2(tech()).contentType("application/json")
                .body("{\"sourceRecordKey\":\"ehr-lb|" + tag + "\",\"reason\":\"wrong link: different mothers\"}")
                .when().post("/persons/" + personA + "/unlink").then().statusCode(201).extract();
        JsonPath unlinked = unlinkResponse.jsonPath();
        String personC = sql("SELECT enterprise_person_id FROM source_record WHERE source_record_key = ?",
                "ehr-lb|" + tag);
        assertEquals(personC, unlinked.getString("toPersonId"));
        assertTrue(unlinkResponse.header("Location").endsWith("/persons/" + personC),
                unlinkResponse.header("Location"));
        assertNotEquals(personB, personC);
        assertNotEquals(personA, personC);
        assertEquals("unlink", unlinked.getString("action"));
        assertEquals(false, unlinked.getBoolean("fromMerged"));
        assertEquals(personC, sql("SELECT enterprise_person_id FROM person_identifier WHERE value = ?", "B-" + tag));
        assertEquals("2", sql("SELECT count(*) FROM record_resource WHERE enterprise_person_id = ?", personC));
        assertEquals("1", sql("SELECT count(*) FROM source_record WHERE enterprise_person_id = ?", personA));
        assertNull(sql("SELECT merged_into FROM enterprise_person WHERE id = ?", personA));
        given().auth().oauth2(tech()).when().get("/persons/" + personC).then().statusCode(200)
                .body("golden.identifier.value", contains("B-" + tag)).body("mergedInto", nullValue());
        given().auth().oauth2(tech()).when().get("/persons/" + personA).then().statusCode(200)
                .body("golden.identifier.value", contains("A-" + tag));
        ConsumerRecord<String, byte[]> unlinkRecord = moveOf(b[1], 3, "UNLINKED");
        JsonNode unlink = json(unlinkRecord);
        assertEquals(personC, unlinkRecord.key());
        assertEquals(personC, unlink.get("enterprisePersonId").asText());
        assertEquals(personA, unlink.get("previousEnterprisePersonId").asText());
        assertEquals("manual-unlink", unlink.get("matchRule").asText());
        assertEquals(List.of("Patient/pat-B-" + tag, "Observation/obs-B-" + tag), refs(unlink));

        // a later filing of that source record keeps its new person
        String refiled = publishValidated("ehr-lb|" + tag, bundle("x", "y", "1990-01-01", "female",
                "urn:oid:1.2.3.lb", "B-" + tag, "obs-B-" + tag));
        assertEquals(personC, filed(refiled).get("enterprisePersonId").asText());

        // refusals: its only source record, a record filed elsewhere
        post("/persons/" + personC + "/unlink", "{\"sourceRecordKey\":\"ehr-lb|" + tag + "\",\"reason\":\"x\"}",
                409);
        post("/persons/" + personA + "/unlink", "{\"sourceRecordKey\":\"ehr-lb|" + tag + "\",\"reason\":\"x\"}",
                409);
        post("/persons/" + personA + "/link", "{\"sourceRecordKey\":\"ehr-la|" + tag + "\",\"reason\":\"x\"}", 409);
        post("/persons/" + personB + "/link", "{\"sourceRecordKey\":\"ehr-la|" + tag + "\",\"reason\":\"x\"}", 409);
        post("/persons/" + personA + "/link", "{\"sourceRecordKey\":\"ehr-nowhere|" + tag + "\",\"reason\":\"x\"}",
                404);
        post("/persons/" + UUID.randomUUID() + "/link", "{\"sourceRecordKey\":\"ehr-lb|" + tag
                + "\",\"reason\":\"x\"}", 404);
        post("/persons/" + personA + "/link", "{\"sourceRecordKey\":\"ehr-lb|" + tag + "\"}", 422);
        post("/persons/" + personA + "/link", "{\"reason\":\"x\"}", 422);

        // both persons' history, newest first
        JsonPath historyA = given().auth().oauth2(tech()).when().get("/persons/" + personA + "/history").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(List.of("unlink", "link"), historyA.getList("action"));
        assertEquals(linkId, historyA.getLong("[1].id"));
        assertEquals(List.of(personA, personB), historyA.getList("fromPersonId"));
        assertEquals(List.of(personC, personA), historyA.getList("toPersonId"));
        assertEquals(List.of("ehr-lb|" + tag), historyA.getList("[0].sourceRecordKeys"));
        assertEquals("one woman: confirmed by phone", historyA.getString("[1].reason"));
        assertEquals("terry", historyA.getString("[1].actor"));
        assertEquals(List.of("link"), given().auth().oauth2(tech()).when().get("/persons/" + personB + "/history")
                .then().statusCode(200).extract().jsonPath().getList("action"));

        // audited: the link and the unlink, and the refusals
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<JsonNode> links = audits("person.linked", personA);
            assertTrue(links.stream().anyMatch(e -> "success".equals(e.get("outcome").asText())
                    && e.get("detail").asText().contains("change " + linkId)), links.toString());
            assertTrue(links.stream().anyMatch(e -> "failure".equals(e.get("outcome").asText())), links.toString());
            assertEquals(1, audits("person.unlinked", personA).stream()
                    .filter(e -> "success".equals(e.get("outcome").asText())).count());
            assertEquals(1, audits("record.read", personA).stream()
                    .filter(e -> e.get("detail").asText().startsWith("person history")).count());
        });
    }

    private static List<String> refs(JsonNode change) {
        List<String> out = new java.util.ArrayList<>();
        change.get("resources").forEach(r -> out.add(r.get("resourceType").asText() + "/" + r.get("id").asText()));
        return out;
    }

    @Test
    void aMergeMovesEverySourceRecordAndAnUnmergePutsThemBack() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String given = name();
        String family = name();
        String born = birthDate();
        // person X: two hospitals' records of one woman (the second joins by matching); person Y: someone else.
        // The first record's address is the fuller one, the second's the newer: survivorship picks the newer, and
        // would pick the fuller if a move made both records equally new
        String x1Submission = publishValidated("ehr-mx1|" + tag, bundle(given, family, born, "female",
                "urn:oid:1.2.3.mx1", "X1-" + tag, "obs-X1-" + tag)
                .replace("\"postalCode\"", "\"state\":\"Kent\",\"postalCode\""));
        String[] x1 = {filed(x1Submission).get("enterprisePersonId").asText(), x1Submission};
        String personX = x1[0];
        String x2 = publishValidated("ehr-mx2|" + tag, bundle(given, family, born, "female", "urn:oid:1.2.3.mx2",
                "X2-" + tag, "obs-X2-" + tag).replace(" Street\"", " St\""));
        assertEquals(personX, filed(x2).get("enterprisePersonId").asText());
        String[] y = fileNewPerson("ehr-my|" + tag, name(), name(), birthDate(), "urn:oid:1.2.3.my", "Y-" + tag);
        String personY = y[0];
        String goldenX = golden(personX);
        String goldenY = golden(personY);
        assertEquals("7 " + family + " St", sql("SELECT patient->'address'->0->'line'->>0 FROM golden_record"
                + " WHERE enterprise_person_id = ?", personX), goldenX);

        JsonPath merged = post("/persons/" + personY + "/merge",
                "{\"from\":\"" + personX + "\",\"reason\":\"duplicate registration\"}", 200);
        assertEquals("merge", merged.getString("action"));
        assertEquals(List.of("ehr-mx1|" + tag, "ehr-mx2|" + tag), merged.getList("sourceRecordKeys"));
        assertEquals(4, merged.getInt("resourcesMoved"));
        assertTrue(merged.getBoolean("fromMerged"));
        long mergeId = merged.getLong("changeId");
        assertEquals("3", sql("SELECT count(*) FROM source_record WHERE enterprise_person_id = ?", personY));
        assertEquals("6", sql("SELECT count(*) FROM record_resource WHERE enterprise_person_id = ?", personY));
        assertEquals("0", sql("SELECT count(*) FROM record_resource WHERE enterprise_person_id = ?", personX));
        assertEquals("3", sql("SELECT count(*) FROM person_identifier WHERE enterprise_person_id = ?", personY));
        assertEquals(personY, sql("SELECT merged_into FROM enterprise_person WHERE id = ?", personX));
        assertNull(golden(personX));
        given().auth().oauth2(tech()).when().get("/persons/" + personY).then().statusCode(200)
                .body("golden.identifier.value", containsInAnyOrder("X1-" + tag, "X2-" + tag, "Y-" + tag));
        // one MERGED change per source record, keyed by the survivor, with the ids before and after
        for (String submission : List.of(x1[1], x2)) {
            ConsumerRecord<String, byte[]> r = moveOf(submission, 2, "MERGED");
            JsonNode m = json(r);
            assertEquals(personY, r.key());
            assertEquals(personY, m.get("enterprisePersonId").asText());
            assertEquals(personX, m.get("previousEnterprisePersonId").asText());
            assertEquals("merge", m.get("matchRule").asText());
            assertEquals(2, m.get("resources").size());
        }

        // a merged person's chart is the survivor's, saying so
        JsonPath chart = given().auth().oauth2(tech()).when().get("/fhir/Patient/" + personX + "/$everything")
                .then().statusCode(200).extract().jsonPath();
        assertEquals(personY, chart.getString("entry[0].resource.id"));
        assertEquals(7, chart.getInt("total"));
        assertEquals("outcome", chart.getString("entry[-1].search.mode"));

        // refusals
        post("/persons/" + personY + "/merge", "{\"from\":\"" + personY + "\",\"reason\":\"x\"}", 409);
        post("/persons/" + personY + "/merge", "{\"from\":\"" + personX + "\",\"reason\":\"again\"}", 409);
        post("/persons/" + personX + "/merge", "{\"from\":\"" + personY + "\",\"reason\":\"x\"}", 409);
        post("/persons/" + personY + "/merge", "{\"from\":\"" + UUID.randomUUID() + "\",\"reason\":\"x\"}", 404);
        post("/persons/" + UUID.randomUUID() + "/merge", "{\"from\":\"" + personY + "\",\"reason\":\"x\"}", 404);
        post("/persons/" + personY + "/merge", "{\"from\":\"" + personX + "\",\"reason\":\"  \"}", 422);
        post("/persons/" + personY + "/unmerge", "{\"from\":\"" + personX + "\",\"reason\":\"" + "x".repeat(501)
                + "\"}", 422);
        post("/persons/" + personX + "/unmerge", "{\"from\":\"" + personY + "\",\"reason\":\"x\"}", 409);
        given().auth().oauth2(publisher()).contentType("application/json")
                .body("{\"from\":\"" + personX + "\",\"reason\":\"x\"}").when()
                .post("/persons/" + personY + "/unmerge").then().statusCode(403);
        given().contentType("application/json").body("{\"from\":\"" + personX + "\",\"reason\":\"x\"}").when()
                .post("/persons/" + personY + "/unmerge").then().statusCode(401);
        given().auth().oauth2(publisher()).when().get("/persons/" + personY + "/history").then().statusCode(403);
        given().auth().oauth2(tech()).when().get("/persons/" + UUID.randomUUID() + "/history").then()
                .statusCode(404);
        assertEquals(personY, sql("SELECT merged_into FROM enterprise_person WHERE id = ?", personX),
                "the refusals changed nothing");

        JsonPath unmerged = post("/persons/" + personY + "/unmerge",
                "{\"from\":\"" + personX + "\",\"reason\":\"not the same woman after all\"}", 200);
        assertEquals("unmerge", unmerged.getString("action"));
        assertEquals(personY, unmerged.getString("fromPersonId"));
        assertEquals(personX, unmerged.getString("toPersonId"));
        assertEquals(List.of("ehr-mx1|" + tag, "ehr-mx2|" + tag), unmerged.getList("sourceRecordKeys"));
        long unmergeId = unmerged.getLong("changeId");

        // persons, source records, identifiers, resources and golden records are back where they were
        assertNull(sql("SELECT merged_into FROM enterprise_person WHERE id = ?", personX));
        for (String key : List.of("ehr-mx1|", "ehr-mx2|")) {
            assertEquals(personX, sql("SELECT enterprise_person_id FROM source_record WHERE source_record_key = ?",
                    key + tag));
        }
        assertEquals(personY, sql("SELECT enterprise_person_id FROM source_record WHERE source_record_key = ?",
                "ehr-my|" + tag));
        assertEquals("4", sql("SELECT count(*) FROM record_resource WHERE enterprise_person_id = ?", personX));
        assertEquals("2", sql("SELECT count(*) FROM record_resource WHERE enterprise_person_id = ?", personY));
        assertEquals("2", sql("SELECT count(*) FROM person_identifier WHERE enterprise_person_id = ?", personX));
        assertEquals(goldenX, golden(personX));
        assertEquals(goldenY, golden(personY));
        for (String submission : List.of(x1[1], x2)) {
            ConsumerRecord<String, byte[]> r = moveOf(submission, 3, "UNMERGED");
            JsonNode m = json(r);
            assertEquals(personX, r.key());
            assertEquals(personX, m.get("enterprisePersonId").asText());
            assertEquals(personY, m.get("previousEnterprisePersonId").asText());
        }
        post("/persons/" + personY + "/unmerge", "{\"from\":\"" + personX + "\",\"reason\":\"again\"}", 409);

        // the history: the merge points at the unmerge that undid it, and back
        JsonPath history = given().auth().oauth2(tech()).when().get("/persons/" + personX + "/history").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(List.of("unmerge", "merge"), history.getList("action"));
        assertEquals(unmergeId, history.getLong("[0].id"));
        assertEquals(mergeId, history.getLong("[0].undoes"));
        assertEquals(unmergeId, history.getLong("[1].undoneBy"));
        assertEquals("duplicate registration", history.getString("[1].reason"));
        assertEquals(history.getList("id"), given().auth().oauth2(tech()).when()
                .get("/persons/" + personY + "/history").then().statusCode(200).extract().jsonPath().getList("id"));

        // the chart of X is its own again
        given().auth().oauth2(tech()).when().get("/fhir/Patient/" + personX + "/$everything").then()
                .statusCode(200).body("entry[0].resource.id", equalTo(personX)).body("total", equalTo(5));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertEquals(1, audits("persons.merged", personY).stream()
                    .filter(e -> "success".equals(e.get("outcome").asText())).count());
            assertEquals(1, audits("persons.unmerged", personY).stream()
                    .filter(e -> "success".equals(e.get("outcome").asText())).count());
            assertTrue(audits("persons.merged", personY).stream()
                    .anyMatch(e -> "failure".equals(e.get("outcome").asText())));
        });
    }

    @Test
    void anAcceptedPossibleMatchIsAChangeOfBothPersonsHistory() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String given = name();
        String family = name();
        String first = publishValidated("ehr-pe|" + tag, patient(given, family, "1961-01-01", "1 " + given + " Road",
                given + "ham", IndexFlows.postcode("e" + tag), "urn:oid:1.2.3.pe", "E-" + tag));
        String candidate = filed(first).get("enterprisePersonId").asText();
        // same name and sex, born the same year, living elsewhere: a possible match
        String second = publishValidated("ehr-pw|" + tag, patient(given, family, "1961-07-23", "99 " + family
                + " Avenue", family + "ville", IndexFlows.postcode("w" + tag), "urn:oid:1.2.3.pw", "W-" + tag));
        JsonNode created = filed(second);
        assertEquals("possible-match", created.get("matchRule").asText());
        String newPerson = created.get("enterprisePersonId").asText();
        String id = sql("SELECT m.id::text FROM possible_match m JOIN source_record s ON s.id = m.source_record_id"
                + " WHERE s.source_record_key = ?", "ehr-pw|" + tag);
        post("/possible-matches/" + id + "/accept", "{\"reason\":\"same man\"}", 200);

        JsonPath history = given().auth().oauth2(tech()).when().get("/persons/" + candidate + "/history").then()
                .statusCode(200).extract().jsonPath();
        assertEquals(List.of("reviewed-link"), history.getList("action"));
        assertEquals(newPerson, history.getString("[0].fromPersonId"));
        assertEquals(Long.parseLong(id), history.getLong("[0].possibleMatchId"));
        assertTrue(history.getBoolean("[0].fromMerged"));
        assertEquals(List.of("ehr-pw|" + tag), history.getList("[0].sourceRecordKeys"));
        // the person left empty points at the candidate; the move is announced as before
        assertEquals(candidate, sql("SELECT merged_into FROM enterprise_person WHERE id = ?", newPerson));
        JsonNode linked = json(moveOf(second, 2, "LINKED"));
        assertEquals("reviewed-link", linked.get("matchRule").asText());
        assertEquals(newPerson, linked.get("previousEnterprisePersonId").asText());
    }

    /**
     * A merge of X into Y while more records of X's woman are being filed: a first wave is held at X's row (the test
     * holds it) until the merge waits for it too, so the wave is filed under X just before the merge takes X and the
     * merge must move those late records too; a second wave, published right after the merge, finds X merged or its
     * records already under Y. Either way nothing ends under X.
     */
    @Test
    void aMergeWhileThePersonsRecordsAreBeingFiledLeavesNothingUnderTheMergedPerson() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String given = name();
        String family = name();
        String born = birthDate();
        String personX = fileNewPerson("ehr-cx0|" + tag, given, family, born, "urn:oid:1.2.3.cx0", "X0-" + tag)[0];
        String personY = fileNewPerson("ehr-cy|" + tag, name(), name(), birthDate(), "urn:oid:1.2.3.cy", "Y-" + tag)[0];

        List<String> all = new java.util.ArrayList<>();
        java.util.concurrent.CompletableFuture<Integer> merge;
        try (java.sql.Connection hold = db.getConnection()) {
            hold.setAutoCommit(false);
            try (var ps = hold.prepareStatement("SELECT id FROM enterprise_person WHERE id = ? FOR UPDATE")) {
                ps.setString(1, personX);
                ps.executeQuery().close();
            }
            for (int i = 0; i < 12; i++) {
                all.add(publishValidated("ehr-cx" + i + "a|" + tag, bundle(given, family, born, "female",
                        "urn:oid:1.2.3.cx" + i + "a", "XA" + i + "-" + tag, "obs-XA" + i + "-" + tag)));
            }
            // the filing matched X and waits for its row; then the merge waits behind it
            await().atMost(Duration.ofSeconds(60)).until(() -> waitingOnLocks() >= 1);
            merge = java.util.concurrent.CompletableFuture.supplyAsync(() -> given().auth().oauth2(tech())
                    .contentType("application/json").body("{\"from\":\"" + personX + "\",\"reason\":\"duplicate\"}")
                    .when().post("/persons/" + personY + "/merge").then().extract().statusCode());
            await().atMost(Duration.ofSeconds(60)).until(() -> waitingOnLocks() >= 2);
            hold.rollback();
        }
        assertEquals(200, merge.get(60, java.util.concurrent.TimeUnit.SECONDS), "the merge");
        for (int i = 0; i < 12; i++) {
            all.add(publishValidated("ehr-cx" + i + "b|" + tag, bundle(given, family, born, "female",
                    "urn:oid:1.2.3.cx" + i + "b", "XB" + i + "-" + tag, "obs-XB" + i + "-" + tag)));
        }
        int underX = 0;
        for (String submission : all) {
            // the filing's change, not the merge's (they are keyed by different persons, so either may come first)
            JsonNode filing = await().atMost(Duration.ofSeconds(60)).until(() -> changes(submission, 1).stream()
                    .map(IndexFlows::json).filter(c -> !"MERGED".equals(c.get("changeType").asText())).findFirst()
                    .orElse(null), java.util.Objects::nonNull);
            String filedUnder = filing.get("enterprisePersonId").asText();
            if (filedUnder.equals(personX)) {
                underX++;
                // filed under X before the merge took it: the merge moved it, and said so
                JsonNode moved = json(moveOf(submission, 2, "MERGED"));
                assertEquals(personY, moved.get("enterprisePersonId").asText());
                assertEquals(personX, moved.get("previousEnterprisePersonId").asText());
            } else {
                assertEquals(personY, filedUnder, "submission " + submission + " filed under a third person");
            }
        }
        assertTrue(underX >= 1, "the first wave was filed under X before the merge (it held X's row first)");
        // every record of the woman is Y's, and nothing at all is left under X
        assertEquals("26", sql("SELECT count(*) FROM source_record WHERE enterprise_person_id = ?"
                + " AND source_record_key LIKE ?", personY, "%|" + tag));
        for (String table : List.of("source_record", "record_resource", "person_identifier", "golden_record")) {
            assertEquals("0", sql("SELECT count(*) FROM " + table + " WHERE enterprise_person_id = ?", personX),
                    table + " rows left under the merged person");
        }
        assertEquals("52", sql("SELECT count(*) FROM record_resource WHERE enterprise_person_id = ?", personY));
        assertEquals(personY, sql("SELECT merged_into FROM enterprise_person WHERE id = ?", personX));
        given().auth().oauth2(tech()).when().get("/persons/" + personY).then().statusCode(200)
                .body("golden.identifier.size()", equalTo(26));
    }

    /** How many of this database's sessions wait for a lock (a row's, or an advisory one). */
    private int waitingOnLocks() throws Exception {
        return Integer.parseInt(sql("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                + " AND wait_event_type = 'Lock'"));
    }

    private static String patient(String given, String family, String birthDate, String line, String city,
                                  String postcode, String mrnSystem, String mrn) {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + mrnSystem + "\",\"value\":\"" + mrn
                + "\"}],\"name\":[{\"family\":\"" + family + "\",\"given\":[\"" + given + "\"]}],\"gender\":\"male\","
                + "\"birthDate\":\"" + birthDate + "\",\"address\":[{\"line\":[\"" + line + "\"],\"city\":\"" + city
                + "\",\"postalCode\":\"" + postcode + "\"}]}";
    }

    private String golden(String person) throws Exception {
        return sql("SELECT patient::text FROM golden_record WHERE enterprise_person_id = ?", person);
    }
}
