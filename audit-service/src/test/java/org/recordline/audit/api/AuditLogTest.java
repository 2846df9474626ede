package org.recordline.audit.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.recordline.audit.domain.AuditChain;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.Topics;
import org.recordline.testsupport.Database;
import org.recordline.testsupport.DatabaseRoles;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.TopicClient;

/** ehr.audit.v1 into the append-only, hash-chained log; queries; what the database refuses. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class AuditLogTest {

    private static TopicClient topics() {
        return new TopicClient(RecordlineStackResource.broker().bootstrapServers());
    }

    private static String auditor() {
        return RecordlineStackResource.tokens().token("audrey", "auditor");
    }

    private static AuditEvent publish(String submissionId, String action, String eventId) {
        AuditEvent e = new AuditEvent(eventId, Instant.now(), "test-service", action, "success", "svc",
                submissionId, "ehr-x|p1", "ingest", "n=1");
        topics().publish(Topics.AUDIT, submissionId, EventFixtures.headers(e.eventId(), EventTypes.AUDIT,
                submissionId), EventCodec.encode(e));
        return e;
    }

    @Test
    void eventsAreAppendedOnceInOrderAndQueryableBySubmission() {
        String submission = UUID.randomUUID().toString();
        AuditEvent received = publish(submission, "submission.received", UUID.randomUUID().toString());
        publish(submission, "record.validated", UUID.randomUUID().toString());
        publish(submission, "submission.received", received.eventId());
        publish(submission, "record.indexed", UUID.randomUUID().toString());

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("submission", submission).when().get("/audit/events").then().statusCode(200)
                .body("action", equalTo(List.of("submission.received", "record.validated", "record.indexed"))));
        // paging: after the first entry's position come the other two
        long first = given().auth().oauth2(auditor()).queryParam("submission", submission).when()
                .get("/audit/events").then().extract().jsonPath().getLong("seq[0]");
        List<String> rest = given().auth().oauth2(auditor()).queryParam("submission", submission)
                .queryParam("after", first).when().get("/audit/events").then().statusCode(200)
                .extract().jsonPath().getList("action");
        // the auditor's earlier reads of this submission are accountable entries about it, after the three events
        assertEquals(List.of("record.validated", "record.indexed"), rest.subList(0, 2));
        assertTrue(rest.subList(2, rest.size()).stream().allMatch("audit.read"::equals), rest::toString);
        // the auditor's own reads are in the log too
        given().auth().oauth2(auditor()).queryParam("actor", "audrey").when().get("/audit/events").then()
                .statusCode(200).body("action[0]", equalTo("audit.read"));
    }

    @Test
    void chainLinksEveryEntryToItsPredecessor() throws Exception {
        String submission = UUID.randomUUID().toString();
        publish(submission, "submission.received", UUID.randomUUID().toString());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("submission", submission).when().get("/audit/events").then().body("size()", equalTo(1)));
        try (Connection c = RecordlineStackResource.database().connect(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT seq, event_id, occurred_at, service, action, outcome, actor,"
                     + " submission_id, patient_ref, purpose, detail, prev_hash, entry_hash, context"
                     + " FROM audit.audit_entry ORDER BY seq")) {
            byte[] prev = AuditChain.GENESIS;
            long expectedSeq = 1;
            int n = 0;
            while (rs.next()) {
                assertEquals(expectedSeq++, rs.getLong(1));
                assertArrayEquals(prev, rs.getBytes(12));
                AuditEvent e = new AuditEvent(rs.getString(2), rs.getTimestamp(3).toInstant(), rs.getString(4),
                        rs.getString(5), rs.getString(6), rs.getString(7), rs.getString(8), rs.getString(9),
                        rs.getString(10), rs.getString(11));
                byte[] h = AuditChain.hash(prev, rs.getLong(1), e, rs.getString(14));
                assertArrayEquals(h, rs.getBytes(13), "entry " + rs.getLong(1));
                prev = h;
                n++;
            }
            assertTrue(n >= 1);
        }
    }

    @Test
    void theServiceRoleCannotChangeHistoryAndTheTriggerStopsEvenTheOwner() throws Exception {
        String submission = UUID.randomUUID().toString();
        publish(submission, "submission.received", UUID.randomUUID().toString());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("submission", submission).when().get("/audit/events").then().body("size()", equalTo(1)));
        Database db = RecordlineStackResource.database();
        try (Connection app = db.connect(DatabaseRoles.AUDIT); Statement st = app.createStatement()) {
            st.execute("SET search_path = audit");
            SQLException update = assertThrows(SQLException.class,
                    () -> st.executeUpdate("UPDATE audit_entry SET actor = 'x'"));
            assertEquals("42501", update.getSQLState(), "permission denied");
            assertThrows(SQLException.class, () -> st.executeUpdate("DELETE FROM audit_entry"));
            assertThrows(SQLException.class, () -> st.executeUpdate("TRUNCATE audit_entry"));
        }
        try (Connection owner = db.connect(); Statement st = owner.createStatement()) {
            SQLException e = assertThrows(SQLException.class,
                    () -> st.executeUpdate("UPDATE audit.audit_entry SET actor = 'x'"));
            assertTrue(e.getMessage().contains("append-only"));
            assertThrows(SQLException.class, () -> st.executeUpdate("DELETE FROM audit.audit_entry"));
            assertThrows(SQLException.class, () -> st.executeUpdate("TRUNCATE audit.audit_entry"));
        }
    }

    @Test
    void poisonIsDeadLetteredAndTheLogKeepsFlowing() {
        String key = "poison-" + UUID.randomUUID();
        topics().publish(Topics.AUDIT, key, Map.of(), "not json".getBytes(StandardCharsets.UTF_8));
        topics().publish(Topics.AUDIT, key, EventFixtures.headers(EventTypes.AUDIT, key),
                "{\"action\":\"x\"}".getBytes(StandardCharsets.UTF_8));
        String submission = UUID.randomUUID().toString();
        AuditEvent ok = new AuditEvent(UUID.randomUUID().toString(), Instant.now(), "test-service", "x", "success",
                "svc", submission, null, null, null);
        topics().publish(Topics.AUDIT, key, EventFixtures.headers(ok.eventId(), EventTypes.AUDIT, submission),
                EventCodec.encode(ok));
        // each of these reads is itself audited under the same submission: count only the event published above
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("submission", submission).when().get("/audit/events").then()
                .body("findAll { it.action == 'x' }.size()", equalTo(1)));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertEquals(2,
                topics().find(Topics.deadLetterOf(Topics.AUDIT), r -> key.equals(r.key())).size()));
    }

    @Test
    void onlyAuditorsReadTheLogAndQueriesAreChecked() {
        given().queryParam("submission", "x").when().get("/audit/events").then().statusCode(401);
        given().auth().oauth2(RecordlineStackResource.tokens().token("terry", "records-technician"))
                .queryParam("submission", "x").when().get("/audit/events").then().statusCode(403);
        given().auth().oauth2(auditor()).when().get("/audit/events").then().statusCode(400)
                .contentType("application/problem+json");
        given().auth().oauth2(auditor()).queryParam("from", "yesterday").when().get("/audit/events").then()
                .statusCode(400).body("detail", org.hamcrest.Matchers.containsString("from"));
        // times a database or a document cannot hold are refused, not a 500
        for (String extreme : new String[] {"+1000000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z"}) {
            given().auth().oauth2(auditor()).queryParam("from", extreme).when().get("/audit/events").then()
                    .statusCode(400).body("detail", org.hamcrest.Matchers.containsString("9999"));
            given().auth().oauth2(auditor()).queryParam("patient", "ehr-x|1").queryParam("to", extreme).when()
                    .get("/audit/disclosures").then().statusCode(400)
                    .body("detail", org.hamcrest.Matchers.containsString("9999"));
        }
        given().auth().oauth2(auditor()).queryParam("patient", "ehr-x|1").queryParam("to", "0001-01-01T00:00:00Z")
                .accept("application/json").when().get("/audit/disclosures").then().statusCode(200);
        // a malformed number is a 400 naming the parameter and what it takes, not a 404
        given().auth().oauth2(auditor()).queryParam("submission", "x").queryParam("after", "abc").when()
                .get("/audit/events").then().statusCode(400).contentType("application/problem+json")
                .body("detail", org.hamcrest.Matchers.containsString("'after'"))
                .body("detail", org.hamcrest.Matchers.containsString("whole number"));
        given().auth().oauth2(auditor()).queryParam("submission", "x").queryParam("limit", "lots").when()
                .get("/audit/events").then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("'limit'"));
        // the refused technician is in the log
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("actor", "terry").when().get("/audit/events").then().statusCode(200)
                .body("action", org.hamcrest.Matchers.hasItem("access.denied"))
                .body("outcome", org.hamcrest.Matchers.hasItem("denied")));
    }

    @Test
    void aFloodOfRefusalsIsFoldedIntoFewEntriesThatCountEveryOne() {
        String caller = "mallory-" + UUID.randomUUID().toString().substring(0, 8);
        String token = RecordlineStackResource.tokens().token(caller, "records-technician");
        for (int i = 0; i < 30; i++) {
            given().auth().oauth2(token).queryParam("submission", "x").when().get("/audit/events").then()
                    .statusCode(403);
        }
        // the first refusal at once, the repeats as one entry when the window (2 s in tests) closes; a window may
        // close in the middle of the flood, so count what the entries stand for: every refusal, in a few entries
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> details = given().auth().oauth2(auditor()).queryParam("actor", caller).when()
                    .get("/audit/events").then().statusCode(200).extract().jsonPath()
                    .getList("findAll { it.action == 'access.denied' }.detail", String.class);
            long represented = 0;
            for (String d : details) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("repeated (\\d+) times").matcher(d);
                represented += m.find() ? Long.parseLong(m.group(1)) : 1;
            }
            assertEquals(30, represented, details::toString);
            assertTrue(details.size() <= 4, details::toString);
        });
    }

    @Test
    void anEventIdIsNeverTruncatedAnOverLongOneIsDeadLetteredWithTheReason() {
        String key = "ids-" + UUID.randomUUID();
        String prefix = "x".repeat(AuditEvent.MAX_EVENT_ID_LENGTH);
        // two ids that share their first 100 characters, each one over the limit, the first one sent twice
        for (String tail : new String[] {"-first", "-first", "-second"}) {
            String body = "{\"eventId\":\"" + prefix + tail + "\",\"occurredAt\":\"2026-11-26T10:00:00Z\","
                    + "\"service\":\"test-service\",\"action\":\"x\",\"outcome\":\"success\",\"actor\":\"svc\","
                    + "\"submissionId\":\"" + key.substring(0, 36) + "\"}";
            topics().publish(Topics.AUDIT, key, EventFixtures.headers(EventTypes.AUDIT, key),
                    body.getBytes(StandardCharsets.UTF_8));
        }
        // an id of exactly the limit is fine, and its redelivery is one entry; it is also the marker that the
        // consumer has moved past the three over-long ones on the same partition
        String exact = UUID.randomUUID() + "-" + "y".repeat(AuditEvent.MAX_EVENT_ID_LENGTH - 37);
        AuditEvent fits = new AuditEvent(exact, Instant.now(), "test-service", "x", "success", "svc",
                key.substring(0, 36), null, null, "marker");
        for (int i = 0; i < 2; i++) {
            topics().publish(Topics.AUDIT, key, EventFixtures.headers(EventTypes.AUDIT, key), EventCodec.encode(fits));
        }
        // each query is itself an audit.read entry about the submission: a query before the marker arrived adds one
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().auth().oauth2(auditor())
                .queryParam("submission", key.substring(0, 36)).when().get("/audit/events").then()
                .body("findAll { it.action != 'audit.read' }.eventId", equalTo(List.of(exact))));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            var dead = topics().find(Topics.deadLetterOf(Topics.AUDIT), r -> key.equals(r.key()));
            assertEquals(3, dead.size(), "each over-long id is refused, the redelivery too");
            dead.forEach(r -> assertTrue(TopicClient.header(r, "dead-letter-reason")
                    .contains("characters, more than " + AuditEvent.MAX_EVENT_ID_LENGTH),
                    TopicClient.header(r, "dead-letter-reason")));
        });
    }
}
