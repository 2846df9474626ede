package org.recordline.index.messaging;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.index.FebrlPatients;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/** ehr.validated.v1 in, master patient index and ehr.record-changes.v1 out, through the real broker and database. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class RecordFilingFlowTest {

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    private static String tech() {
        return RecordlineStackResource.tokens().token("terry", "records-technician");
    }

    private static void publishValidated(String eventId, String submissionId, String sourceKey, String fhir) {
        RecordValidated v = new RecordValidated(submissionId, sourceKey.substring(0, sourceKey.indexOf('|')),
                sourceKey, Instant.now(), List.of(), fhir);
        topics().publish(Topics.VALIDATED, sourceKey,
                EventFixtures.headers(eventId, EventTypes.RECORD_VALIDATED, submissionId), EventCodec.encode(v));
    }

    private static List<ConsumerRecord<String, byte[]>> on(String topic, String submissionId) {
        return topics().ofSubmission(topic, submissionId);
    }

    private static JsonNode change(String submissionId) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> on(Topics.RECORD_CHANGES, submissionId).size() == 1);
        return EventCodec.mapper().readTree(on(Topics.RECORD_CHANGES, submissionId).get(0).value());
    }

    @Test
    void syntheaBundleIsFiledUnderANewPersonAndASecondSourceWithTheSameIdentifiersJoinsIt() throws Exception {
        String fhir = Files.readString(SharedData.syntheaPatientBundles().get(1));
        int entries = EventCodec.mapper().readTree(fhir).get("entry").size();
        String first = UUID.randomUUID().toString();
        String eventId = UUID.randomUUID().toString();
        publishValidated(eventId, first, "ehr-a|local-1", fhir);
        publishValidated(eventId, first, "ehr-a|local-1", fhir);

        JsonNode created = change(first);
        String person = created.get("enterprisePersonId").asText();
        assertEquals("PERSON_CREATED", created.get("changeType").asText());
        assertEquals("new-person", created.get("matchRule").asText());
        assertEquals(entries, created.get("resources").size());
        assertEquals(person, on(Topics.RECORD_CHANGES, first).get(0).key(), "record changes are keyed by person");

        String second = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), second, "ehr-b|other-id", fhir);
        JsonNode joined = change(second);
        assertEquals("RECORDS_FILED", joined.get("changeType").asText());
        assertEquals("probabilistic", joined.get("matchRule").asText());
        assertEquals(person, joined.get("enterprisePersonId").asText());
        // a marker from the same source record after the redelivery: same person, so the same partition of
        // ehr.record-changes.v1; once it is out, a second filing of the first event would be too
        String marker = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), marker, "ehr-a|local-1", fhir);
        JsonNode markerChange = change(marker);
        assertEquals(person, markerChange.get("enterprisePersonId").asText());
        assertEquals(on(Topics.RECORD_CHANGES, first).get(0).partition(), on(Topics.RECORD_CHANGES, marker).get(0).partition());
        assertEquals(1, on(Topics.RECORD_CHANGES, first).size(), "the redelivered event filed nothing twice");

        given().auth().oauth2(tech()).when().get("/persons/" + person).then().statusCode(200)
                .body("sourceRecords.size()", equalTo(2))
                .body("resourceCounts.Patient", equalTo(2));
        // (the marker filed the same source record again: still two source records, two Patients)
        await().atMost(Duration.ofSeconds(20)).until(() -> topics().find(Topics.AUDIT, r -> {
            try {
                JsonNode a = EventCodec.mapper().readTree(r.value());
                return "record.read".equals(a.get("action").asText()) && person.equals(a.get("patientRef").asText());
            } catch (java.io.IOException e) {
                return false;
            }
        }).size() == 1);
        assertEquals(1, on(Topics.AUDIT, first).size());
    }

    @Test
    void differentPatientsGetDifferentPersons() throws Exception {
        String a = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), a, "ehr-c|x1",
                new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8));
        // another patient of the same hospital: another MRN, another name, another birth date
        String other = new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8)
                .replace("MRN-100001", "MRN-999999").replace("Testperson", "Otherperson")
                .replace("\"Alex\"", "\"Robin\"").replace("1980-04-12", "1992-11-30");
        String b = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), b, "ehr-c|x2", other);
        assertNotEquals(change(a).get("enterprisePersonId").asText(), change(b).get("enterprisePersonId").asText());
    }

    @Inject
    AgroalDataSource db;

    private static String patient(String given, String family, String birthDate, String gender, String line,
                                  String city, String postcode, String mrnSystem, String mrn) {
        return "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"" + mrnSystem + "\",\"value\":\"" + mrn
                + "\"}],\"name\":[{\"family\":\"" + family + "\",\"given\":[\"" + given + "\"]}],\"gender\":\""
                + gender + "\",\"birthDate\":\"" + birthDate + "\",\"address\":[{\"line\":[\"" + line
                + "\"],\"city\":\"" + city + "\",\"postalCode\":\"" + postcode + "\"}]}";
    }

    private String sql(String query, String arg) throws Exception {
        try (var c = db.getConnection(); var ps = c.prepareStatement(query)) {
            ps.setString(1, arg);
            try (var rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    @Test
    void twoHospitalsSendingOneWomanWithDifferentMrnsAndATypoGetOnePersonAndTheDecisionIsExplained()
            throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String north = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), north, "ehr-north|" + tag, patient("Maria", "Gonzalez",
                "1975-03-14", "female", "12 Harbour Road", "Springfield", "4011", "urn:oid:1.2.3.north", "N-" + tag));
        String person = change(north).get("enterprisePersonId").asText();
        String south = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), south, "ehr-south|" + tag, patient("Mariah", "Gonzales",
                "1975-03-14", "female", "12 Harbor Rd", "Springfield", "4011", "urn:oid:1.2.3.south", "S-" + tag));
        JsonNode joined = change(south);
        assertEquals("probabilistic", joined.get("matchRule").asText());
        assertEquals(person, joined.get("enterprisePersonId").asText());
        JsonNode why = EventCodec.mapper().readTree(sql("SELECT d.explanation::text FROM match_decision d"
                + " JOIN source_record s ON s.id = d.source_record_id WHERE s.source_record_key = ?",
                "ehr-south|" + tag));
        assertEquals(8.0, why.get("upperThreshold").asDouble());
        assertTrue(why.get("score").asDouble() >= 8.0, why.toString());
        assertTrue(why.get("identityScore").asDouble() >= why.get("identityFloor").asDouble(), why.toString());
        assertEquals("recordline-default-2026.11", why.get("model").asText());
        List<String> levels = new java.util.ArrayList<>();
        why.get("fields").forEach(f -> levels.add(f.get("field").asText() + "=" + f.get("level").asText()));
        assertTrue(levels.containsAll(List.of("given=similar", "family=similar", "birth-date=exact",
                "postcode=exact", "mrn=missing")), levels.toString());
        // one golden record: the latest source's values (no source trusted more), both hospitals' MRNs
        given().auth().oauth2(tech()).when().get("/persons/" + person).then().statusCode(200)
                .body("golden.resourceType", equalTo("Patient")).body("golden.id", equalTo(person))
                .body("golden.name[0].family", equalTo("Gonzales"))
                .body("provenance.name", equalTo("ehr-south|" + tag))
                .body("golden.identifier.value", org.hamcrest.Matchers.containsInAnyOrder("N-" + tag, "S-" + tag));

        // demographic search finds her golden record, scored; a typo in the query still finds her
        given().auth().oauth2(tech()).when()
                .get("/fhir/Patient?family=Gonzalez&given=Maria&birthdate=1975-03-14").then().statusCode(200)
                .contentType(org.hamcrest.Matchers.containsString("application/fhir+json"))
                .body("resourceType", equalTo("Bundle")).body("type", equalTo("searchset"))
                .body("entry.resource.id", org.hamcrest.Matchers.hasItem(person))
                .body("entry.find { it.resource.id == '" + person + "' }.search.score",
                        org.hamcrest.Matchers.greaterThan(0.99f));
        given().auth().oauth2(tech()).when().get("/fhir/Patient?family=Gonzales&given=Marai&birthdate=1975-03-14")
                .then().statusCode(200).body("entry.resource.id", org.hamcrest.Matchers.hasItem(person));
        given().auth().oauth2(tech()).when().get("/fhir/Patient?identifier=urn:oid:1.2.3.south|S-" + tag).then()
                .statusCode(200).body("entry[0].resource.id", equalTo(person)).body("total", equalTo(1));
        given().auth().oauth2(tech()).when().get("/fhir/Patient?gender=female").then().statusCode(400)
                .body("resourceType", equalTo("OperationOutcome"));
        given().auth().oauth2(tech()).when().get("/fhir/Patient?family=x&birthdate=1975").then().statusCode(400);
        // identifier cross-reference: from the north MRN to the south one and the person
        given().auth().oauth2(tech()).when()
                .get("/fhir/Patient/$ihe-pix?sourceIdentifier=urn:oid:1.2.3.north|N-" + tag).then().statusCode(200)
                .body("resourceType", equalTo("Parameters"))
                .body("parameter.find { it.name == 'targetIdentifier' }.valueIdentifier.value", equalTo("S-" + tag))
                .body("parameter.find { it.name == 'targetId' }.valueReference.reference",
                        equalTo("Patient/" + person));
        given().auth().oauth2(tech()).when().get("/fhir/Patient/$ihe-pix?sourceIdentifier=urn:x|nobody").then()
                .statusCode(404).body("resourceType", equalTo("OperationOutcome"));
        given().auth().oauth2(tech()).when().get("/fhir/Patient/$ihe-pix?sourceIdentifier=nobar").then()
                .statusCode(400);
        given().auth().oauth2(RecordlineStackResource.tokens().token("ehr", "ehr-publisher")).when()
                .get("/fhir/Patient?family=Gonzalez").then().statusCode(403);
        // every answer naming her is an audited read
        await().atMost(Duration.ofSeconds(20)).until(() -> topics().find(Topics.AUDIT, r -> {
            try {
                JsonNode a = EventCodec.mapper().readTree(r.value());
                return "record.read".equals(a.get("action").asText()) && person.equals(a.path("patientRef").asText())
                        && a.get("detail").asText().startsWith("identifier cross-reference");
            } catch (java.io.IOException e) {
                return false;
            }
        }).size() == 1);
    }

    @Test
    void aPossibleMatchStartsANewPersonAndWaitsForReview() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String first = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), first, "ehr-east|" + tag, patient("Jonathan", "Pemberton",
                "1960-01-01", "male", "1 Rose Street", "Springfield", "4000", "urn:oid:1.2.3.east", "E-" + tag));
        String person = change(first).get("enterprisePersonId").asText();
        // same name, same sex, born the same year, living elsewhere: neither clearly the same man nor clearly not
        String second = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), second, "ehr-west|" + tag, patient("Jonathan", "Pemberton",
                "1960-07-23", "male", "99 Oak Avenue", "Shelbyville", "7350", "urn:oid:1.2.3.west", "W-" + tag));
        JsonNode created = change(second);
        assertEquals("possible-match", created.get("matchRule").asText());
        assertEquals("PERSON_CREATED", created.get("changeType").asText());
        assertNotEquals(person, created.get("enterprisePersonId").asText());
        assertEquals(person + " OPEN", sql("SELECT m.candidate_person_id || ' ' || m.status FROM possible_match m"
                + " JOIN source_record s ON s.id = m.source_record_id WHERE s.source_record_key = ?",
                "ehr-west|" + tag));
        String newPerson = created.get("enterprisePersonId").asText();
        long id = Long.parseLong(sql("SELECT m.id::text FROM possible_match m JOIN source_record s"
                + " ON s.id = m.source_record_id WHERE s.source_record_key = ?", "ehr-west|" + tag));

        // the technician sees both sides and why, field by field
        var item = given().auth().oauth2(tech()).when().get("/possible-matches?size=200").then().statusCode(200)
                .extract().jsonPath();
        int at = item.getList("id", Long.class).indexOf(id);
        assertTrue(at >= 0, "the possible match is in the queue");
        assertEquals("ehr-west|" + tag, item.getString("[" + at + "].sourceRecordKey"));
        assertEquals(person, item.getString("[" + at + "].candidatePersonId"));
        assertEquals("jonathan", item.getString("[" + at + "].candidate.given"));
        assertEquals("19600723", item.getString("[" + at + "].incoming.birthDate"));
        assertTrue(item.getList("[" + at + "].explanation.fields.field").contains("birth-date"));

        given().auth().oauth2(tech()).contentType("application/json").body("{}")
                .when().post("/possible-matches/" + id + "/accept").then().statusCode(422);
        given().auth().oauth2(RecordlineStackResource.tokens().token("ehr", "ehr-publisher"))
                .contentType("application/json").body("{\"reason\":\"x\"}")
                .when().post("/possible-matches/" + id + "/accept").then().statusCode(403);
        given().auth().oauth2(tech()).contentType("application/json")
                .body("{\"reason\":\"same man, moved house; confirmed with the west clinic\"}")
                .when().post("/possible-matches/" + id + "/accept").then().statusCode(200)
                .body("status", equalTo("ACCEPTED"));
        // the move is announced with the ids before and after, keyed by the person it moved to
        await().atMost(Duration.ofSeconds(30)).until(() -> on(Topics.RECORD_CHANGES, second).size() == 2);
        // the filing and the link are keyed by different persons, so they may lie on different partitions
        ConsumerRecord<String, byte[]> linkRecord = on(Topics.RECORD_CHANGES, second).stream()
                .filter(r -> !r.key().equals(newPerson)).findFirst().orElseThrow();
        JsonNode link = EventCodec.mapper().readTree(linkRecord.value());
        assertEquals("LINKED", link.get("changeType").asText());
        assertEquals(person, link.get("enterprisePersonId").asText());
        assertEquals(newPerson, link.get("previousEnterprisePersonId").asText());
        assertEquals(person, linkRecord.key());
        assertEquals("Patient", link.at("/resources/0/resourceType").asText());
        given().auth().oauth2(tech()).when().get("/persons/" + person).then().statusCode(200)
                .body("sourceRecords.size()", equalTo(2));
        assertEquals(person, sql("SELECT merged_into FROM enterprise_person WHERE id = ?", newPerson));
        given().auth().oauth2(tech()).contentType("application/json").body("{\"reason\":\"again\"}")
                .when().post("/possible-matches/" + id + "/accept").then().statusCode(409);
        given().auth().oauth2(tech()).contentType("application/json").body("{\"reason\":\"x\"}")
                .when().post("/possible-matches/999999999/reject").then().statusCode(404);
    }

    @Test
    void sistersBornTheSameYearAtOneAddressAreNotLinkedByTheirHomeButWaitForReview() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String first = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), first, "ehr-east|s" + tag, patient("Rosalind", "Quillfeather",
                "1961-07-23", "female", "17 Quarry Lane", "Millbrook", "4471", "urn:oid:1.2.3.east", "E-s" + tag));
        String person = change(first).get("enterprisePersonId").asText();
        // another given name, the family name mistyped, born the same year: the shared home carries the score over
        // the upper threshold, but who she is scores under the identity floor
        String second = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), second, "ehr-west|s" + tag, patient("Rebecca", "Quillfether",
                "1961-02-11", "female", "17 Quarry Lane", "Millbrook", "4471", "urn:oid:1.2.3.west", "W-s" + tag));
        JsonNode created = change(second);
        assertEquals("possible-match", created.get("matchRule").asText());
        assertNotEquals(person, created.get("enterprisePersonId").asText());
        JsonNode why = EventCodec.mapper().readTree(sql("SELECT d.explanation::text FROM match_decision d"
                + " JOIN source_record s ON s.id = d.source_record_id WHERE s.source_record_key = ?",
                "ehr-west|s" + tag));
        assertTrue(why.get("score").asDouble() >= why.get("upperThreshold").asDouble(), why.toString());
        assertEquals(2.0, why.get("identityFloor").asDouble());
        assertTrue(why.get("identityScore").asDouble() < 2.0, why.toString());
        assertEquals(person + " OPEN", sql("SELECT m.candidate_person_id || ' ' || m.status FROM possible_match m"
                + " JOIN source_record s ON s.id = m.source_record_id WHERE s.source_record_key = ?",
                "ehr-west|s" + tag));
    }

    @Test
    void aNamesakeInTheSameTownWithAnotherBirthDateWaitsForReview() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String first = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), first, "ehr-east|n" + tag, patient("Bartholomew", "Fairweather",
                "1950-05-06", "male", "8 Elm Row", "Granton", "5512", "urn:oid:1.2.3.east", "E-n" + tag));
        String person = change(first).get("enterprisePersonId").asText();
        // his son: the same names, the same town and postcode, another street, born 1979
        String second = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), second, "ehr-west|n" + tag, patient("Bartholomew",
                "Fairweather", "1979-10-21", "male", "40 Dock Street", "Granton", "5512", "urn:oid:1.2.3.west",
                "W-n" + tag));
        JsonNode created = change(second);
        assertEquals("possible-match", created.get("matchRule").asText());
        assertNotEquals(person, created.get("enterprisePersonId").asText());
        JsonNode why = EventCodec.mapper().readTree(sql("SELECT d.explanation::text FROM match_decision d"
                + " JOIN source_record s ON s.id = d.source_record_id WHERE s.source_record_key = ?",
                "ehr-west|n" + tag));
        assertTrue(why.get("score").asDouble() >= why.get("upperThreshold").asDouble(), why.toString());
        assertTrue(why.get("identityScore").asDouble() >= why.get("identityFloor").asDouble(), why.toString());
        assertFalse(why.get("birthDateCorroborated").asBoolean(), why.toString());
    }

    @Test
    void aRejectedPossibleMatchLeavesBothPersonsApart() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String first = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), first, "ehr-east|r" + tag, patient("Eleanor", "Whitcombe",
                "1948-02-02", "female", "3 Mill Lane", "Riverton", "2600", "urn:oid:1.2.3.east", "E-r" + tag));
        String person = change(first).get("enterprisePersonId").asText();
        String second = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), second, "ehr-west|r" + tag, patient("Eleanor", "Whitcombe",
                "1948-09-17", "female", "80 High Street", "Lakeside", "8123", "urn:oid:1.2.3.west", "W-r" + tag));
        assertEquals("possible-match", change(second).get("matchRule").asText());
        long id = Long.parseLong(sql("SELECT m.id::text FROM possible_match m JOIN source_record s"
                + " ON s.id = m.source_record_id WHERE s.source_record_key = ?", "ehr-west|r" + tag));
        given().auth().oauth2(tech()).contentType("application/json")
                .body("{\"reason\":\"different women: the east clinic's patient died in 2019\"}")
                .when().post("/possible-matches/" + id + "/reject").then().statusCode(200)
                .body("status", equalTo("REJECTED"));
        given().auth().oauth2(tech()).when().get("/persons/" + person).then().statusCode(200)
                .body("sourceRecords.size()", equalTo(1));
        given().auth().oauth2(tech()).when().get("/possible-matches?status=rejected&size=200").then()
                .statusCode(200).body("id", org.hamcrest.Matchers.hasItem((int) id));
        // a later filing of the same source record, then an empty outbox: whatever the rejection had announced
        // would be on the topic by now
        String marker = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), marker, "ehr-west|r" + tag, patient("Eleanor", "Whitcombe",
                "1948-09-17", "female", "80 High Street", "Lakeside", "8123", "urn:oid:1.2.3.west", "W-r" + tag));
        assertEquals("same-source-record", change(marker).get("matchRule").asText());
        await().atMost(Duration.ofSeconds(30)).until(() -> "0".equals(sql("SELECT count(*)::text FROM outbox_event"
                + " WHERE ? IS NOT NULL", "x")));
        assertEquals(1, on(Topics.RECORD_CHANGES, second).size(), "a rejection moves nothing");
    }

    /** Files {@code people} from source {@code system} in the given order; returns each record's person. */
    private Map<String, String> fileAll(String system, List<String[]> people) throws Exception {
        Map<String, String> submissions = new java.util.LinkedHashMap<>();
        for (String[] c : people) {
            String submission = UUID.randomUUID().toString();
            submissions.put(c[0], submission);
            publishValidated(UUID.randomUUID().toString(), submission, system + "|" + c[0], FebrlPatients.patient(c));
        }
        // one read of the topic for all of them (each change is keyed and found by its submission id)
        java.util.Set<String> wanted = new java.util.HashSet<>(submissions.values());
        List<ConsumerRecord<String, byte[]>> changes = new java.util.ArrayList<>();
        await().atMost(Duration.ofSeconds(120)).until(() -> {
            changes.clear();
            changes.addAll(topics().find(Topics.RECORD_CHANGES, r -> wanted.contains(
                    TopicClient.header(r, CloudEventHeaders.CORRELATION_ID))));
            return changes.size() == wanted.size();
        });
        Map<String, String> personOfSubmission = new java.util.HashMap<>();
        for (ConsumerRecord<String, byte[]> r : changes) {
            JsonNode c = EventCodec.mapper().readTree(r.value());
            personOfSubmission.put(c.get("submissionId").asText(), c.get("enterprisePersonId").asText());
        }
        Map<String, String> persons = new java.util.HashMap<>();
        submissions.forEach((rec, submission) -> persons.put(rec, personOfSubmission.get(submission)));
        return persons;
    }

    @Test
    void theSameRecordsInAnotherOrderEndInTheSameClusters() throws Exception {
        List<String[]> people = FebrlPatients.people(15);
        String run = UUID.randomUUID().toString().substring(0, 6);
        Map<String, String> inOrder = fileAll("febrl-a-" + run, people);
        // the second order must not find the first order's records: take them out of the blocking index
        try (var c = db.getConnection(); var ps = c.prepareStatement("DELETE FROM block_key WHERE source_record_id IN"
                + " (SELECT id FROM source_record WHERE source_record_key LIKE ?)")) {
            ps.setString(1, "febrl-a-" + run + "|%");
            assertEquals(true, ps.executeUpdate() > 0);
        }
        List<String[]> shuffled = new java.util.ArrayList<>(people);
        java.util.Collections.shuffle(shuffled, new java.util.Random(7));
        Map<String, String> reordered = fileAll("febrl-b-" + run, shuffled);
        List<String> ids = people.stream().map(c -> c[0]).toList();
        int together = 0;
        for (String x : ids) {
            for (String y : ids) {
                boolean first = inOrder.get(x).equals(inOrder.get(y));
                assertEquals(first, reordered.get(x).equals(reordered.get(y)), x + " and " + y);
                together += first && !x.equals(y) ? 1 : 0;
            }
        }
        // the duplicates did find their originals: the clusters are not all singletons
        assertTrue(together >= people.size() - 15, "pairs linked: " + together / 2);
    }

    @Test
    void anAdministratorEstimatesAModelFromTheIndexsOwnRecords() throws Exception {
        String tag = UUID.randomUUID().toString().substring(0, 8);
        String one = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), one, "ehr-model|" + tag, patient("Ada", "Lovelace",
                "1915-12-10", "female", "1 Ock Street", "London", "9999", "urn:oid:1.2.3.model", "M-" + tag));
        change(one);
        given().auth().oauth2(tech()).when().post("/match-model/estimate").then().statusCode(403);
        String admin = RecordlineStackResource.tokens().token("ada", "admin");
        given().auth().oauth2(admin).when().post("/match-model/estimate?records=1").then().statusCode(400);
        given().auth().oauth2(admin).when().post("/match-model/estimate?records=5000").then().statusCode(200)
                .body("version", org.hamcrest.Matchers.startsWith("estimated-"))
                .body("fields.given.m.size()", equalTo(5)).body("fields.birth-date.u.size()", equalTo(5))
                .body("records", org.hamcrest.Matchers.greaterThan(1));
        given().auth().oauth2(admin).when().get("/match-model").then().statusCode(200)
                .body("version", equalTo("recordline-default-2026.11"));
        await().atMost(Duration.ofSeconds(20)).until(() -> !topics().find(Topics.AUDIT, r -> {
            try {
                JsonNode a = EventCodec.mapper().readTree(r.value());
                return "match-model.estimated".equals(a.get("action").asText())
                        && "success".equals(a.get("outcome").asText());
            } catch (java.io.IOException e) {
                return false;
            }
        }).isEmpty());
    }

    @Test
    void poisonIsDeadLetteredAndFilingContinues() throws Exception {
        String key = "ehr-d|poison-" + UUID.randomUUID();
        topics().publish(Topics.VALIDATED, key, Map.of("ce_specversion", "0.3"), "{}".getBytes(StandardCharsets.UTF_8));
        // a validated event without a Patient breaks the contract of ehr.validated.v1
        publishValidated(UUID.randomUUID().toString(), UUID.randomUUID().toString(), key,
                "{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}");
        String ok = UUID.randomUUID().toString();
        publishValidated(UUID.randomUUID().toString(), ok, key,
                new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8));
        change(ok);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var dead = topics().find(Topics.deadLetterOf(Topics.VALIDATED), r -> key.equals(r.key()));
            assertEquals(2, dead.size());
            assertTrue(dead.stream().allMatch(r -> TopicClient.header(r, "dead-letter-reason") != null));
        });
    }

    @Test
    void personsNeedATechnicianToken() {
        given().when().get("/persons/x").then().statusCode(401);
        given().auth().oauth2(RecordlineStackResource.tokens().token("ehr", "ehr-publisher"))
                .when().get("/persons/x").then().statusCode(403);
        given().auth().oauth2(tech()).when().get("/persons/x").then().statusCode(404);
    }
}
