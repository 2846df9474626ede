package org.recordline.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.TopicClient;

/**
 * Scale-out on partitions: two instances of every service, each pair in one consumer group, against one broker and
 * one PostgreSQL. The same patients arrive from two sources at once through both ingestion instances, one index
 * instance is killed with SIGKILL in the middle of the load and started again, and the test proves that every
 * effect is applied exactly once, that the events of one source record keep their order from intake to the
 * record-change topic, and that matching never makes two persons of one patient.
 */
class PipelineScaleOutIT {

    private static final int PATIENTS = 40;
    private static final int UPDATES = 8;
    private static final String SSN = "http://hl7.org/fhir/sid/us-ssn";

    private static LocalStack stack;
    private static StackSettings settings;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void startStack() throws Exception {
        Path home = Path.of(System.getProperty("recordline.home", "../..")).toAbsolutePath().normalize();
        Path state = Files.createTempDirectory("recordline-scale-");
        List<StackSettings.ServiceSpec> services = new ArrayList<>();
        for (String name : List.of("ingestion-service", "validation-service", "index-service", "audit-service")) {
            for (int instance = 1; instance <= 2; instance++) {
                services.add(new StackSettings.ServiceSpec(name, KafkaBroker.freePort(), KafkaBroker.freePort(),
                        instance));
            }
        }
        settings = new StackSettings(home, state, KafkaBroker.freePort(), KafkaBroker.freePort(),
                KafkaBroker.freePort(), services, "200m");
        stack = new LocalStack(settings);
        try {
            stack.start(Duration.ofSeconds(300));
        } catch (IllegalStateException e) {
            // the state folder goes with the stack: show the failing instances' logs first
            for (StackSettings.ServiceSpec s : services) {
                Path log = stack.logOf(s.id());
                if (Files.exists(log)) {
                    List<String> lines = Files.readAllLines(log);
                    System.err.println("== " + s.id() + "\n" + String.join("\n",
                            lines.subList(Math.max(0, lines.size() - 40), lines.size())));
                }
            }
            throw e;
        }
    }

    @AfterAll
    static void stopStack() {
        if (stack != null) {
            stack.close();
            LocalStack.deleteState(settings.stateDir());
        }
    }

    /** Distinct first names, so that two patients of one hospital differ as two real people do. */
    private static final List<String> GIVEN = List.of("Abigail", "Bartholomew", "Cordelia", "Desmond", "Evangeline",
            "Fitzgerald", "Guinevere", "Horatio", "Imogen", "Jasper", "Kallista", "Leopold", "Mirabel", "Nikolai",
            "Octavia", "Percival", "Quentin", "Rosalind", "Sebastian", "Theodora", "Ulysses", "Valentina",
            "Wilhelmina", "Xavier", "Yolanda", "Zebedee", "Anastasia", "Benedict", "Clementine", "Dashiell",
            "Esmeralda", "Ferdinand", "Gwendolyn", "Hieronymus", "Isadora", "Jedediah", "Katarina", "Lysander",
            "Marguerite", "Napoleon");

    /** Patient {@code i} as one hospital sends it: its own MRN and family spelling, the shared national id. */
    private static String patient(String localId, String mrnSystem, String mrn, String ssn, String family, int i) {
        return """
                {"resourceType":"Patient","id":"%s",
                 "identifier":[{"system":"%s","value":"%s"},{"system":"%s","value":"%s"}],
                 "name":[{"family":"%s","given":["%s"]}],"gender":"other","birthDate":"%s"}"""
                .formatted(localId, mrnSystem, mrn, SSN, ssn, family, GIVEN.get(i % GIVEN.size()),
                        java.time.LocalDate.of(1950, 1, 1).plusDays(41L * i));
    }

    /** A national id per patient, several digits apart from every other (not one typo away). */
    private static String ssn(int i) {
        return String.format("9%02d-%02d-%04d", i, (i * 37) % 100, (i * 7919) % 10000);
    }

    private String submit(String instance, String source, String body) throws Exception {
        int port = settings.services().stream().filter(s -> s.id().equals(instance)).findFirst().orElseThrow()
                .port();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fhir"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + stack.tokens().token(source, "ehr-publisher"))
                .header("Content-Type", "application/fhir+json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        HttpResponse<String> r = http.send(req, HttpResponse.BodyHandlers.ofString());
        assertEquals(202, r.statusCode(), "POST /fhir to " + instance + ": " + r.body());
        return EventCodec.mapper().readTree(r.body()).get("submissionId").asText();
    }

    @Test
    void twoInstancesOfEachServiceApplyEveryEffectOnceKeepOrderPerKeyAndNeverSplitAPerson() throws Exception {
        // the same patient from two hospitals, each with its own MRN, sharing the national id, sent at once
        // through the two ingestion instances
        Map<String, Integer> patientOf = new HashMap<>();
        List<String> all = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Map.Entry<String, Integer>>> sent = new ArrayList<>();
        for (int i = 0; i < PATIENTS; i++) {
            int p = i;
            String ssn = ssn(i);
            sent.add(pool.submit(() -> Map.entry(submit("ingestion-service", "ehr-north",
                    patient("n-" + p, "urn:north:mrn", "N" + p, ssn, "North", p)), p)));
            sent.add(pool.submit(() -> Map.entry(submit("ingestion-service-2", "ehr-south",
                    patient("s-" + p, "urn:south:mrn", "S" + p, ssn, "South", p)), p)));
        }
        // a crash in the middle of the load: the survivor takes the partitions, the restart takes some back
        for (int i = 0; i < PATIENTS / 2; i++) {
            sent.get(i).get();
        }
        stack.kill("index-service-2");
        // one source record updated again and again: its record changes must come out in the order it was sent
        List<String> updates = new ArrayList<>();
        for (int u = 0; u < UPDATES; u++) {
            updates.add(submit(u % 2 == 0 ? "ingestion-service" : "ingestion-service-2", "ehr-north",
                    patient("n-order", "urn:north:mrn", "N-order", "812-34-5678", "Order" + u, PATIENTS)));
        }
        for (Future<Map.Entry<String, Integer>> f : sent) {
            Map.Entry<String, Integer> e = f.get();
            patientOf.put(e.getKey(), e.getValue());
            all.add(e.getKey());
        }
        pool.shutdown();
        all.addAll(updates);
        stack.restart("index-service-2", Duration.ofSeconds(120));

        // every submission reaches the record-change topic (awaited, not assumed)
        TopicClient topics = new TopicClient(stack.broker().bootstrapServers());
        Map<String, List<ConsumerRecord<String, byte[]>>> changes = new HashMap<>();
        await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            changes.clear();
            for (ConsumerRecord<String, byte[]> r : topics.readAll(Topics.RECORD_CHANGES)) {
                changes.computeIfAbsent(TopicClient.header(r, CloudEventHeaders.CORRELATION_ID),
                        k -> new ArrayList<>()).add(r);
            }
            return changes.keySet().containsAll(all);
        });

        // nothing doubled: one record-change event (one CloudEvents id) per submission, however often delivered
        for (String id : all) {
            Set<String> eventIds = new HashSet<>();
            changes.get(id).forEach(r -> eventIds.add(TopicClient.header(r, CloudEventHeaders.CE_ID)));
            assertEquals(1, eventIds.size(), "submission " + id + " filed more than once");
        }

        // one person per patient: both hospitals' records of patient i under one enterprise person, a different
        // one for every patient
        Map<Integer, Set<String>> personsOf = new HashMap<>();
        for (Map.Entry<String, Integer> e : patientOf.entrySet()) {
            String person = changes.get(e.getKey()).get(0).key();
            personsOf.computeIfAbsent(e.getValue(), k -> new HashSet<>()).add(person);
        }
        Set<String> distinct = new HashSet<>();
        personsOf.forEach((p, persons) -> {
            assertEquals(1, persons.size(), "patient " + p + " split into " + persons);
            distinct.addAll(persons);
        });
        assertEquals(PATIENTS, distinct.size(), "two patients merged into one person");

        // order per key: the updates of one source record come out on its person's partition in the order sent
        List<String> order = new ArrayList<>();
        Set<String> updateSet = new HashSet<>(updates);
        for (ConsumerRecord<String, byte[]> r : topics.readAll(Topics.RECORD_CHANGES)) {
            String id = TopicClient.header(r, CloudEventHeaders.CORRELATION_ID);
            if (updateSet.contains(id) && !order.contains(id)) {
                order.add(id);
            }
        }
        assertEquals(updates, order, "record changes of one source record out of order");

        // and in the databases: each effect exactly once
        try (Connection c = stack.database().connect(); Statement st = c.createStatement()) {
            assertEquals(PATIENTS + 1, count(st, "SELECT count(*) FROM mpi.enterprise_person"));
            assertEquals(2 * PATIENTS + 1, count(st, "SELECT count(*) FROM mpi.source_record"));
            assertEquals(updates.get(UPDATES - 1), string(st, "SELECT last_submission_id FROM mpi.source_record "
                    + "WHERE source_record_key = 'ehr-north|n-order'"), "the last update is the one that stands");
            // every submission has exactly one step per state and one audit entry per act
            assertEquals(0, count(st, "SELECT count(*) FROM (SELECT submission_id, status FROM ingestion.submission_step"
                    + " GROUP BY submission_id, status HAVING count(*) > 1) d"));
            assertEquals(all.size(), count(st, "SELECT count(*) FROM ingestion.submission WHERE status = 'INDEXED'"));
            assertEquals(3L * all.size(), count(st, "SELECT count(*) FROM ingestion.submission_step"));
            await("every filing audited").atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).until(() ->
                    count(st, "SELECT count(*) FROM audit.audit_entry WHERE action = 'record.indexed'") == all.size());
            Map<String, Long> perAction = new LinkedHashMap<>();
            try (ResultSet rs = st.executeQuery("SELECT action, count(*), count(DISTINCT submission_id) "
                    + "FROM audit.audit_entry WHERE submission_id IS NOT NULL GROUP BY action")) {
                while (rs.next()) {
                    assertEquals(rs.getLong(2), rs.getLong(3), "an act audited twice: " + rs.getString(1));
                    perAction.put(rs.getString(1), rs.getLong(2));
                }
            }
            assertEquals((long) all.size(), perAction.get("submission.received"), perAction.toString());
            assertEquals((long) all.size(), perAction.get("record.validated"), perAction.toString());
        }
    }

    private static long count(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String string(Statement st, String sql) throws Exception {
        try (ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getString(1);
        }
    }
}
