package org.recordline.local;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.recordline.testsupport.Database;
import org.recordline.testsupport.DatabaseRoles;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.SharedData;
import org.recordline.testsupport.TopicClient;

/**
 * The whole platform as it runs: the four packaged services as separate JVMs against one real broker and one real
 * PostgreSQL, started by the same code as {@code ./recordline up}. Drives a Synthea patient bundle and an incomplete
 * Patient through the pipeline and checks every place they must show up.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@org.junit.jupiter.api.extension.ExtendWith(SystemStack.Shared.class)
class PipelineSystemIT {

    private static final String FHIR = "application/fhir+json";
    private static final String PUBLISHER = "ehr-system-test";

    private static LocalStack stack;
    private static OtlpReceiver traces;
    private static StackSettings settings;

    @BeforeAll
    static void startStack(SystemStack shared) {
        settings = shared.settings;
        stack = shared.stack;
        traces = shared.traces;
    }

    private static int port(String service) {
        return settings.services().stream().filter(s -> s.name().equals(service)).findFirst().orElseThrow().port();
    }

    private static RequestSpecification as(String service, String user, String role) {
        return given().baseUri("http://127.0.0.1").port(port(service)).auth().oauth2(stack.tokens().token(user, role));
    }

    private static TopicClient topics() {
        return new TopicClient(stack.broker().bootstrapServers());
    }

    private static List<ConsumerRecord<String, byte[]>> on(String topic, String submissionId) {
        return topics().ofSubmission(topic, submissionId);
    }

    private static String submit(byte[] body) {
        return as("ingestion-service", PUBLISHER, "ehr-publisher").contentType(FHIR).body(body)
                .when().post("/fhir").then().statusCode(202).extract().path("submissionId");
    }

    private static List<String> auditActions(String submissionId) {
        return as("audit-service", "audrey", "auditor").queryParam("submission", submissionId)
                .when().get("/audit/events").then().statusCode(200).extract().jsonPath().getList("action");
    }

    @Test
    @Order(1)
    void syntheaBundleIsReceivedValidatedIndexedPublishedAndAudited() throws Exception {
        Path bundle = SharedData.syntheaPatientBundles().get(0);
        byte[] body = Files.readAllBytes(bundle);
        int entries = EventCodec.mapper().readTree(body).get("entry").size();
        String id = submit(body);

        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                as("ingestion-service", PUBLISHER, "ehr-publisher").when().get("/submissions/" + id)
                        .then().statusCode(200).body("status", equalTo("INDEXED")));
        var view = as("ingestion-service", PUBLISHER, "ehr-publisher").when().get("/submissions/" + id)
                .then().extract().jsonPath();
        String person = view.getString("enterprisePersonId");
        assertNotNull(person);
        assertEquals(Set.of("RECEIVED", "VALIDATED", "INDEXED"), new HashSet<>(view.getList("steps.status")));
        assertEquals(entries, view.getInt("entryCount"));

        List<ConsumerRecord<String, byte[]>> changes = on(Topics.RECORD_CHANGES, id);
        assertEquals(person, changes.get(0).key(), "keyed by enterprise person id");
        JsonNode change = EventCodec.mapper().readTree(changes.get(0).value());
        assertEquals("PERSON_CREATED", change.get("changeType").asText());
        assertEquals(entries, change.get("resources").size());
        assertEquals("Bundle", change.at("/fhir/resourceType").asText());
        assertEquals("1.0", TopicClient.header(changes.get(0), CloudEventHeaders.CE_SPECVERSION));

        as("index-service", "terry", "records-technician").when().get("/persons/" + person).then()
                .statusCode(200).body("sourceRecords[0].sourceRecordKey", equalTo(PUBLISHER + "|"
                        + change.at("/fhir/entry/0/resource/id").asText()))
                .body("resourceCounts.Patient", equalTo(1));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertTrue(auditActions(id).containsAll(
                List.of("submission.received", "record.validated", "record.indexed", "submission.read")),
                () -> "audit of the bundle: " + auditActions(id)));

        // the same patient again from the same source files under the same person; its record change has the same
        // key, so it lands on the same partition after the first one's: once it is there, a duplicate would be too
        // (sent under a key: without one, the same body again would be a resend of the first submission)
        String again = as("ingestion-service", PUBLISHER, "ehr-publisher").contentType(FHIR)
                .header("Idempotency-Key", "again-" + id).body(body).when().post("/fhir").then().statusCode(202)
                .extract().path("submissionId");
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                as("ingestion-service", PUBLISHER, "ehr-publisher").when().get("/submissions/" + again)
                        .then().body("status", equalTo("INDEXED")).body("enterprisePersonId", equalTo(person)));
        await().atMost(Duration.ofSeconds(60)).until(() -> on(Topics.RECORD_CHANGES, again).size() == 1);
        JsonNode second = EventCodec.mapper().readTree(on(Topics.RECORD_CHANGES, again).get(0).value());
        assertEquals("RECORDS_FILED", second.get("changeType").asText());
        assertEquals("same-source-record", second.get("matchRule").asText());
        assertEquals(changes.get(0).partition(), on(Topics.RECORD_CHANGES, again).get(0).partition());
        assertEquals(1, on(Topics.RECORD_CHANGES, id).size(), "one record-change event for the first submission");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertTrue(
                auditActions(again).contains("record.indexed"), () -> "audit: " + auditActions(again)));
        assertEquals(1, auditActions(id).stream().filter("record.indexed"::equals).count(), "indexed exactly once");
    }

    @Test
    @Order(2)
    void incompletePatientIsQuarantinedWithItsReasonsAndAudited() throws Exception {
        String id = submit(SharedData.fixture("patient-incomplete.json"));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                as("ingestion-service", PUBLISHER, "ehr-publisher").when().get("/submissions/" + id)
                        .then().statusCode(200).body("status", equalTo("QUARANTINED")));
        var view = as("ingestion-service", PUBLISHER, "ehr-publisher").when().get("/submissions/" + id)
                .then().extract().jsonPath();
        assertEquals(Set.of("patient-identifier", "patient-birthdate"), new HashSet<>(view.getList("issues.rule")));
        assertEquals(null, view.getString("enterprisePersonId"));

        List<ConsumerRecord<String, byte[]>> quarantined = on(Topics.QUARANTINED, id);
        assertEquals(1, quarantined.size());
        assertFalse(new String(quarantined.get(0).value(), StandardCharsets.UTF_8).contains("Nobirthdate"),
                "the public quarantine event carries reasons, not the record");
        // a complete record of the same source patient, sent after it: the same key on ehr.validated.v1, and (as the
        // same source record) the same person key on ehr.record-changes.v1, so it follows the incomplete one on the
        // same partitions; once its record change is out, anything the incomplete one caused would be visible
        String marker = submit(new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8)
                .replace("pat-complete-1", "pat-incomplete-1").getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() ->
                on(Topics.RECORD_CHANGES, marker).size() == 1);
        assertEquals(TopicClient.partitionFor(PUBLISHER + "|pat-incomplete-1", Topics.DEFAULT_PARTITIONS),
                on(Topics.VALIDATED, marker).get(0).partition());
        assertEquals(List.of(), on(Topics.VALIDATED, id));
        assertEquals(List.of(), on(Topics.RECORD_CHANGES, id));

        as("validation-service", "terry", "records-technician").when().get("/quarantine?size=500").then()
                .statusCode(200).body("submissionId", org.hamcrest.Matchers.hasItem(id));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertTrue(auditActions(id).containsAll(
                List.of("submission.received", "record.quarantined")), () -> "audit: " + auditActions(id)));
        assertFalse(auditActions(id).contains("record.indexed"));
    }

    @Test
    @Order(3)
    void everyServiceRefusesMissingTokensAndWrongRoles() {
        Map<String, String> probes = Map.of(
                "ingestion-service", "/submissions/x",
                "validation-service", "/quarantine",
                "index-service", "/persons/x",
                "audit-service", "/audit/events?submission=x");
        Map<String, String> wrongRole = Map.of(
                "ingestion-service", "auditor",
                "validation-service", "ehr-publisher",
                "index-service", "auditor",
                "audit-service", "records-technician");
        probes.forEach((service, path) -> {
            given().baseUri("http://127.0.0.1").port(port(service)).when().get(path).then().statusCode(401)
                    .header("WWW-Authenticate", org.hamcrest.Matchers.startsWith("Bearer"))
                    .contentType("application/problem+json").body("status", equalTo(401));
            as(service, "someone", wrongRole.get(service)).when().get(path).then().statusCode(403)
                    .contentType("application/problem+json").body("status", equalTo(403));
        });
        as("ingestion-service", "audrey", "auditor").contentType(FHIR).body("{}").when().post("/fhir")
                .then().statusCode(403).contentType(FHIR).body("resourceType", equalTo("OperationOutcome"));
    }

    /**
     * What the Kubernetes manifests point their probes and Prometheus at (deploy/kubernetes: startup, liveness and
     * readiness probes, the ServiceMonitor) answers on every packaged service's management port, without a token.
     */
    @Test
    @Order(3)
    void theProbesAndMetricsTheKubernetesManifestsUseAnswerOnEveryManagementPort() {
        for (StackSettings.ServiceSpec s : settings.services()) {
            for (String probe : List.of("/q/health/started", "/q/health/live", "/q/health/ready")) {
                given().baseUri("http://127.0.0.1").port(s.managementPort()).when().get(probe).then()
                        .statusCode(200).body("status", equalTo("UP"));
            }
            given().baseUri("http://127.0.0.1").port(s.managementPort()).when().get("/q/metrics").then()
                    .statusCode(200).body(org.hamcrest.Matchers.containsString("jvm_memory_used_bytes"));
        }
    }

    /** One table of each schema, to read and write from the wrong role. */
    private static final Map<String, String> TABLE_OF = Map.of("ingestion", "submission", "validation",
            "quarantined_record", "mpi", "enterprise_person", "audit", "audit_entry");

    @Test
    @Order(4)
    void eachServiceRoleReachesOnlyItsOwnSchemaAndNoRoleCanTouchTheAuditTriggers() throws Exception {
        Database db = stack.database();
        for (DatabaseRoles.SchemaAccess own : DatabaseRoles.SCHEMAS) {
            String role = own.runtime();
            try (Connection c = db.connect(role); Statement st = c.createStatement()) {
                // its own schema works: the refusals below are about the others, not a broken login
                st.executeQuery("SELECT count(*) FROM " + own.schema() + "." + TABLE_OF.get(own.schema())).close();
                for (DatabaseRoles.SchemaAccess other : DatabaseRoles.SCHEMAS) {
                    if (other.schema().equals(own.schema())) {
                        continue;
                    }
                    String table = other.schema() + "." + TABLE_OF.get(other.schema());
                    assertRefused(st, "SELECT count(*) FROM " + table, role);
                    assertRefused(st, "DELETE FROM " + table, role);
                    assertRefused(st, "CREATE TABLE " + other.schema() + ".intruder (x int)", role);
                }
                assertRefused(st, "ALTER TABLE audit.audit_entry DISABLE TRIGGER audit_entry_no_update_delete", role);
                assertRefused(st, "ALTER TABLE audit.audit_entry DISABLE TRIGGER ALL", role);
                assertRefused(st, "DROP TRIGGER audit_entry_no_truncate ON audit.audit_entry", role);
                assertRefused(st, "SET session_replication_role = replica", role);
                assertRefused(st, "CREATE SCHEMA intruder", role);
            }
        }
        // the audit-service's run-time role may append and read its log, nothing more
        try (Connection c = db.connect(DatabaseRoles.AUDIT); Statement st = c.createStatement()) {
            assertRefused(st, "UPDATE audit.audit_entry SET actor = 'x'", DatabaseRoles.AUDIT);
            assertRefused(st, "ALTER TABLE audit.audit_entry ADD COLUMN x int", DatabaseRoles.AUDIT);
        }
        // and nobody gets in without the right password, the superuser included
        org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () ->
                DriverManager.getConnection(db.jdbcUrl("public"), "postgres", "").close());
        for (String[] login : new String[][] {{"postgres", "postgres"}, {DatabaseRoles.INGESTION, "wrong"}}) {
            SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () ->
                    DriverManager.getConnection(db.jdbcUrl("public"), login[0], login[1]).close());
            assertEquals("28P01", e.getSQLState(), login[0] + ": " + e.getMessage());
        }
    }

    private static void assertRefused(Statement st, String sql, String role) {
        SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class, () -> st.execute(sql),
                () -> role + " was allowed: " + sql);
        assertEquals("42501", e.getSQLState(), () -> role + ", " + sql + ": " + e.getMessage());
    }

    /**
     * {@code ./recordline import} on a folder of every kind it sends: FHIR JSON, XML, NDJSON (one bad line) and a
     * file of two HL7 v2 messages; a file of no kind is skipped. A second run over the same folder creates nothing
     * new: every item comes back as a resend, and the bad line is refused again with its place.
     */
    @Test
    @Order(90)
    void importSendsEveryKindOfFileAndARerunCreatesNothingNew() throws Exception {
        Path dir = Files.createTempDirectory("recordline-import-");
        String run = java.util.UUID.randomUUID().toString().substring(0, 8);
        String patient = new String(SharedData.fixture("patient-complete.json"), java.nio.charset.StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("a.json"), patient.replace("pat-complete-1", "imp-json-" + run));
        Files.writeString(dir.resolve("b.xml"), "<Patient xmlns=\"http://hl7.org/fhir\"><id value=\"imp-xml-" + run
                + "\"/><identifier><system value=\"urn:imp\"/><value value=\"X-" + run + "\"/></identifier><name>"
                + "<family value=\"Xmlperson\"/><given value=\"Ann\"/></name><gender value=\"female\"/>"
                + "<birthDate value=\"1970-03-03\"/></Patient>");
        String line = EventCodec.mapper().readTree(patient.replace("pat-complete-1", "imp-nd-" + run)).toString();
        Files.writeString(dir.resolve("c.ndjson"), line + "\n{\"resourceType\":\"Nope\"}\n");
        String msh = "MSH|^~\\&|IMP|FAC|RL|RL|20260101||ADT^A04^ADT_A01|";
        Files.writeString(dir.resolve("d.hl7"), msh + "I1" + run + "|P|2.5.1\rPID|1||H1" + run
                + "^^^FAC^MR||Imp^One||19700101|F\r\n" + msh + "I2" + run + "|P|2.5.1\rPID|1||H2" + run
                + "^^^FAC^MR||Imp^Two||19700202|M\r");
        Files.writeString(dir.resolve("notes.md"), "not a record");
        String url = "http://127.0.0.1:" + port("ingestion-service");
        String token = stack.tokens().token("ehr-importer", "ehr-publisher");

        java.io.ByteArrayOutputStream first = new java.io.ByteArrayOutputStream();
        assertFalse(new Importer(url, token, new java.io.PrintStream(first, true)).send(dir, 2),
                "one line is refused");
        String out1 = first.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out1.contains("importing 6 item(s) from 4 file(s)"), out1);
        assertTrue(out1.contains("5 accepted, 0 already there (resent), 1 refused, 0 failed, 1 file(s) skipped"), out1);
        assertTrue(out1.contains("c.ndjson:2: not a valid FHIR R4 resource: Unknown resource name"), out1);

        java.io.ByteArrayOutputStream second = new java.io.ByteArrayOutputStream();
        new Importer(url, token, new java.io.PrintStream(second, true)).send(dir, 2);
        String out2 = second.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(out2.contains("0 accepted, 5 already there (resent), 1 refused"), out2);
    }

    /**
     * Every event the running services wrote to every topic they publish, read with the CloudEvents SDK and held to
     * the AsyncAPI document. An inbound record first, so that the inbound results topic has one too.
     */
    @Test
    @Order(95)
    void everyEventOnEveryTopicIsACloudEventTheAsyncApiDocumentDescribes() throws Exception {
        String id = "conformance-" + java.util.UUID.randomUUID();
        byte[] patient = SharedData.fixture("patient-complete.json");
        topics().publish(Topics.INBOUND, "inbound-conformance", Map.of(
                "ce_id", id, "ce_source", StackSettings.LOCAL_INBOUND_SOURCE, "ce_type", "org.example.patient",
                "ce_specversion", "1.0", "ce_time", java.time.Instant.now().toString(),
                "content-type", FHIR), new String(patient, StandardCharsets.UTF_8)
                .replace("pat-complete-1", "inbound-" + id.substring(12, 20))
                .getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(60)).until(() -> !topics().find(
                Topics.INBOUND_RESULTS,
                r -> id.equals(TopicClient.header(r, "ce_subject"))).isEmpty());

        Set<String> seen = new java.util.TreeSet<>();
        Set<String> correlated = Set.of(Topics.INGESTED,
                Topics.VALIDATED, Topics.QUARANTINED,
                Topics.RECORD_CHANGES, Topics.INBOUND_RESULTS);
        for (String topic : List.of(Topics.INGESTED,
                Topics.VALIDATED, Topics.QUARANTINED,
                Topics.RECORD_CHANGES, Topics.AUDIT,
                Topics.AUDIT_CHECKPOINTS, Topics.INBOUND_RESULTS)) {
            seen.addAll(LiveEventConformance.check(topic, topics().readAll(topic), correlated.contains(topic)));
        }
        // what this run is sure to have made (a dismissal and a checkpoint depend on a technician and the clock)
        assertTrue(seen.containsAll(List.of(org.recordline.events.EventTypes.RECORD_INGESTED,
                org.recordline.events.EventTypes.RECORD_VALIDATED, org.recordline.events.EventTypes.RECORD_QUARANTINED,
                org.recordline.events.EventTypes.RECORD_CHANGED, org.recordline.events.EventTypes.AUDIT,
                org.recordline.events.EventTypes.INBOUND_RESULT)), seen.toString());
    }

    /**
     * One submission is one trace across the four services: the caller's {@code traceparent} on the {@code POST}
     * continues through the outbox, every topic (in the records' {@code traceparent} headers) and every consumer, up to
     * the record change and the audit entries. The spans are the ones the services export over OTLP.
     */
    @Test
    @Order(6)
    void oneSubmissionIsOneTraceFromThePostToTheRecordChangeAndTheAuditLog() throws Exception {
        String traceId = java.util.HexFormat.of().formatHex(java.security.SecureRandom.getSeed(16));
        String callerSpan = "00f067aa0ba902b7";
        String patient = new String(SharedData.fixture("patient-complete.json"), StandardCharsets.UTF_8)
                .replace("pat-complete-1", "traced-" + traceId.substring(0, 8));
        String submission = as("ingestion-service", PUBLISHER, "ehr-publisher").contentType(FHIR)
                .header("traceparent", "00-" + traceId + "-" + callerSpan + "-01").body(patient)
                .when().post("/fhir").then().statusCode(202).extract().path("submissionId");

        await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
            List<OtlpReceiver.ReceivedSpan> spans = traces.trace(traceId);
            java.util.Set<String> names = new java.util.TreeSet<>();
            spans.forEach(sp -> names.add(sp.service() + ": " + sp.name()));
            // the request, the outbox relays, each topic's consumer: every hop a span of this trace
            for (String hop : List.of("ingestion-service: ehr.ingested.v1 publish",
                    "validation-service: ehr.ingested.v1 process", "validation-service: ehr.validated.v1 publish",
                    "index-service: ehr.validated.v1 process", "index-service: ehr.record-changes.v1 publish",
                    "ingestion-service: ehr.record-changes.v1 process", "ingestion-service: ehr.audit.v1 publish",
                    "validation-service: ehr.audit.v1 publish", "index-service: ehr.audit.v1 publish",
                    "audit-service: ehr.audit.v1 process")) {
                assertTrue(names.contains(hop), hop + " missing; the trace has " + names + "; received "
                        + traces.summary());
            }
            assertTrue(spans.stream().anyMatch(sp -> sp.service().equals("ingestion-service")
                    && sp.kind().equals("SPAN_KIND_SERVER") && sp.parentSpanId().equals(callerSpan)),
                    "the POST's server span is the caller's child: " + names);
        });
        // hop by hop: each audit entry of the submission is consumed by the audit-service under the span its record
        // names (the relay's publication of it); every consumer span is the child of a publication of its topic, and
        // of that publication only once per service (no second span, e.g. the messaging connector's, per record);
        // every publication is the child of the request's or a consumer's span
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<OtlpReceiver.ReceivedSpan> all = traces.trace(traceId);
            java.util.Map<String, OtlpReceiver.ReceivedSpan> byId = new java.util.HashMap<>();
            all.forEach(sp -> byId.put(sp.spanId(), sp));
            List<ConsumerRecord<String, byte[]>> audits = on(Topics.AUDIT, submission);
            assertTrue(audits.size() >= 3, "received, validated, indexed: " + audits.size());
            for (ConsumerRecord<String, byte[]> audit : audits) {
                String parent = TopicClient.header(audit, "traceparent");
                assertTrue(parent != null && parent.startsWith("00-" + traceId + "-"),
                        "audit event " + TopicClient.header(audit, "ce_id") + " carries " + parent);
                String published = parent.substring(36, 52);
                OtlpReceiver.ReceivedSpan publication = byId.get(published);
                assertTrue(publication != null && publication.name().equals(Topics.AUDIT + " publish")
                        && publication.kind().equals("SPAN_KIND_PRODUCER"), "publication " + published + ": "
                        + publication);
                assertEquals(1, all.stream().filter(sp -> sp.service().equals("audit-service")
                        && sp.kind().equals("SPAN_KIND_CONSUMER") && sp.parentSpanId().equals(published)).count(),
                        "the audit-service's span of audit event " + TopicClient.header(audit, "ce_id"));
            }
            java.util.Set<String> consumed = new java.util.HashSet<>();
            for (OtlpReceiver.ReceivedSpan sp : all) {
                OtlpReceiver.ReceivedSpan parent = byId.get(sp.parentSpanId());
                if (sp.kind().equals("SPAN_KIND_CONSUMER")) {
                    assertTrue(parent != null && parent.kind().equals("SPAN_KIND_PRODUCER")
                            && sp.name().equals(parent.name().replace(" publish", " process")),
                            sp + " is not the child of its record's publication: " + parent);
                    assertTrue(consumed.add(sp.service() + " " + sp.parentSpanId()),
                            "two consumer spans of one record in " + sp.service() + ": " + sp);
                } else if (sp.kind().equals("SPAN_KIND_PRODUCER")) {
                    assertTrue(parent != null && (parent.kind().equals("SPAN_KIND_SERVER")
                            || parent.kind().equals("SPAN_KIND_CONSUMER")), sp + " hangs from " + parent);
                }
            }
        });
        // connected: every span's parent is the caller's span or another span of the trace
        List<OtlpReceiver.ReceivedSpan> spans = traces.trace(traceId);
        java.util.Set<String> ids = new java.util.HashSet<>();
        spans.forEach(sp -> ids.add(sp.spanId()));
        for (OtlpReceiver.ReceivedSpan sp : spans) {
            assertTrue(sp.parentSpanId().equals(callerSpan) || ids.contains(sp.parentSpanId()),
                    sp + " hangs from a span the trace does not have");
        }
        // and the record change and audit entries on the topics carry it too
        ConsumerRecord<String, byte[]> change = on(Topics.RECORD_CHANGES, submission).get(0);
        assertTrue(TopicClient.header(change, "traceparent").startsWith("00-" + traceId + "-"));
        for (ConsumerRecord<String, byte[]> audit : on(Topics.AUDIT, submission)) {
            assertTrue(TopicClient.header(audit, "traceparent").startsWith("00-" + traceId + "-"),
                    "audit event " + TopicClient.header(audit, "ce_id"));
        }
    }
}
