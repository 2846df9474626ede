package org.recordline.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordChanged;
import org.recordline.events.RecordIngested;
import org.recordline.events.RecordValidated;
import org.recordline.events.Topics;
import org.recordline.events.ValidationIssue;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.TopicClient;

/** {@code ./recordline subscribe}: its arguments, its one line per event (without patient data), and a live run. */
class SubscribeTest {

    /** A Patient with the kind of content that must never be printed without --payload. */
    private static final String PATIENT = "{\"resourceType\":\"Patient\",\"id\":\"MRN-1\",\"name\":[{\"family\":"
            + "\"Kuhic920\",\"given\":[\"Sang383\"]}],\"birthDate\":\"1961-03-14\"}";
    private static final String BUNDLE = "{\"resourceType\":\"Bundle\",\"type\":\"transaction\",\"entry\":[{\"resource\":"
            + PATIENT + "},{\"resource\":{\"resourceType\":\"Observation\",\"id\":\"o1\"}}]}";

    private record Run(int code, String out, String err) {
    }

    private static Run run(Map<String, String> env, String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path home = Files.createTempDirectory("recordline-subscribe-test");
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("RECORDLINE_STATE_DIR", home.resolve("state").toString());
        int code = RecordlineLauncher.run(args, home, e, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void aMissingOrUnknownTopicIsAUsageErrorListingTheTopics() throws Exception {
        for (String[] args : new String[][] {{"subscribe"}, {"subscribe", "ehr.record-change.v1"}}) {
            Run r = run(Map.of(), args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertEquals("", r.out());
            for (String topic : Topics.all()) {
                assertTrue(r.err().contains(topic), r.err());
            }
            assertTrue(r.err().contains("usage: ./recordline up") && r.err().contains("./recordline subscribe TOPIC"),
                    r.err());
        }
        assertTrue(run(Map.of(), "subscribe", "ehr.nope").err().contains("unknown topic 'ehr.nope'; the topics are: "
                + "ehr.ingested.v1, "));
        Run option = run(Map.of(), "subscribe", Topics.AUDIT, "--from-begining");
        assertEquals(2, option.code());
        assertTrue(option.err().contains("unknown option '--from-begining' for subscribe"), option.err());
        assertEquals(2, run(Map.of(), "subscribe", Topics.AUDIT, "--max").code());
        assertEquals(2, run(Map.of(), "subscribe", Topics.AUDIT, "--max", "0").code());
        assertEquals(2, run(Map.of(), "subscribe", Topics.AUDIT, "--max", "ten").code());
        assertEquals(2, run(Map.of(), "subscribe", Topics.AUDIT, Topics.INGESTED).code());
    }

    @Test
    void parsesTheOptions() {
        Subscribe.Options o = Subscribe.parse(List.of(Topics.RECORD_CHANGES, "--from-beginning", "--max", "3",
                "--payload"));
        assertEquals(new Subscribe.Options(Topics.RECORD_CHANGES, true, true, 3), o);
        assertEquals(new Subscribe.Options(Topics.deadLetterOf(Topics.VALIDATED), false, false, Long.MAX_VALUE),
                Subscribe.parse(List.of(Topics.deadLetterOf(Topics.VALIDATED))));
    }

    private static ConsumerRecord<String, byte[]> record(String topic, String key, Map<String, String> headers,
                                                         byte[] value) {
        RecordHeaders h = new RecordHeaders();
        headers.forEach((k, v) -> h.add(k, v.getBytes(StandardCharsets.UTF_8)));
        return new ConsumerRecord<>(topic, 4, 17, 0L, TimestampType.CREATE_TIME, -1, value.length, key, value, h,
                java.util.Optional.empty());
    }

    @Test
    void oneLinePerEventWithIdsAndCountsButNoPatientData() {
        Instant at = Instant.parse("2026-11-28T10:15:30.123Z");
        RecordChanged moved = new RecordChanged("sub-1", "EP-b", "north|MRN-1", RecordChanged.ChangeType.MERGED,
                "merge", List.of(new RecordChanged.ResourceRef("Patient", "MRN-1"),
                new RecordChanged.ResourceRef("Observation", "o1")), at, PATIENT, "EP-a");
        String line = Subscribe.line(record(Topics.RECORD_CHANGES, "EP-b",
                EventFixtures.headers("ev-1", EventTypes.RECORD_CHANGED, "sub-1"), EventCodec.encode(moved)));
        assertTrue(line.contains("  p4@17  key=EP-b  org.recordline.ehr.record-changed.v1  id=ev-1  "
                + "correlation=sub-1  MERGED person=EP-b from=EP-a source=north|MRN-1 resources=2 rule=merge"), line);

        RecordIngested ingested = new RecordIngested("sub-2", "north", "north|MRN-1", "Bundle", 2, at, BUNDLE);
        String ingestedLine = Subscribe.line(record(Topics.INGESTED, "north|MRN-1",
                EventFixtures.headers("ev-2", EventTypes.RECORD_INGESTED, "sub-2"), EventCodec.encode(ingested)));
        assertTrue(ingestedLine.endsWith("Bundle entries=2 source=north"), ingestedLine);

        RecordValidated validated = new RecordValidated("sub-3", "north", "north|MRN-1", at,
                List.of(new ValidationIssue("warning", "code-invalid", "r1", "Bundle.entry[1]", "m", null)), BUNDLE,
                0.75, null);
        String validatedLine = Subscribe.line(record(Topics.VALIDATED, "north|MRN-1",
                EventFixtures.headers("ev-3", EventTypes.RECORD_VALIDATED, "sub-3"), EventCodec.encode(validated)));
        assertTrue(validatedLine.endsWith("Bundle entries=2 warnings=1 completeness=0.75 source=north"),
                validatedLine);

        Map<String, String> dl = new java.util.LinkedHashMap<>(EventFixtures.headers("ev-4", EventTypes.RECORD_CHANGED,
                "sub-4"));
        dl.put("dead-letter-reason", "duplicate key 'x'");
        dl.put("dead-letter-topic", Topics.RECORD_CHANGES);
        dl.put("dead-letter-partition", "3");
        dl.put("dead-letter-offset", "99");
        String deadLine = Subscribe.line(record(Topics.deadLetterOf(Topics.RECORD_CHANGES), "EP-b", dl,
                PATIENT.getBytes(StandardCharsets.UTF_8)));
        assertTrue(deadLine.contains("dead letter of ehr.record-changes.v1 p3@99: duplicate key 'x' ("), deadLine);

        String bare = Subscribe.line(record(Topics.AUDIT, null, Map.of(), "not json".getBytes()));
        assertTrue(bare.contains("(no ce_type)  id=-  correlation=-  not a JSON object (8 bytes)"), bare);

        for (String l : List.of(line, ingestedLine, validatedLine, deadLine)) {
            assertFalse(l.contains("Kuhic920") || l.contains("Sang383") || l.contains("1961"), l);
        }
    }

    @Test
    void printsEventsAsTheyArriveFromTheLocalBrokerUntilMax() throws Exception {
        try (KafkaBroker broker = KafkaBroker.startTemporary()) {
            broker.createTopics(List.of(Topics.RECORD_CHANGES), Topics.DEFAULT_PARTITIONS);
            TopicClient topics = new TopicClient(broker.bootstrapServers());
            Map<String, String> env = Map.of("RECORDLINE_KAFKA_PORT", String.valueOf(broker.port()));
            RecordChanged before = new RecordChanged("sub-0", "EP-0", "north|0",
                    RecordChanged.ChangeType.PERSON_CREATED, "new-person",
                    List.of(new RecordChanged.ResourceRef("Patient", "0")), Instant.now(), PATIENT);
            topics.publish(Topics.RECORD_CHANGES, "EP-0", EventFixtures.headers("ev-before", EventTypes.RECORD_CHANGED,
                    "sub-0"), EventCodec.encode(before));

            // new events only: started first, then two events arrive
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            AtomicInteger code = new AtomicInteger(-1);
            Thread t = new Thread(() -> code.set(RecordlineLauncher.run(new String[] {"subscribe",
                    Topics.RECORD_CHANGES, "--max", "2"}, Path.of("."), env,
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8))));
            t.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> err.toString(StandardCharsets.UTF_8)
                    .contains("subscribed to ehr.record-changes.v1 on 127.0.0.1:" + broker.port()));
            for (int i = 1; i <= 2; i++) {
                RecordChanged c = new RecordChanged("sub-" + i, "EP-" + i, "north|" + i,
                        RecordChanged.ChangeType.PERSON_CREATED, "new-person",
                        List.of(new RecordChanged.ResourceRef("Patient", String.valueOf(i))), Instant.now(), PATIENT);
                topics.publish(Topics.RECORD_CHANGES, "EP-" + i, EventFixtures.headers("ev-" + i,
                        EventTypes.RECORD_CHANGED, "sub-" + i), EventCodec.encode(c));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> code.get() != -1);
            t.join();
            assertEquals(0, code.get(), err.toString(StandardCharsets.UTF_8));
            List<String> lines = out.toString(StandardCharsets.UTF_8).lines().toList();
            assertEquals(2, lines.size(), lines::toString);
            assertTrue(lines.stream().anyMatch(l -> l.contains("id=ev-1") && l.contains("PERSON_CREATED person=EP-1")),
                    lines::toString);
            assertTrue(lines.stream().anyMatch(l -> l.contains("id=ev-2")), lines::toString);
            assertTrue(lines.stream().noneMatch(l -> l.contains("ev-before") || l.contains("Kuhic920")),
                    lines::toString);

            // from the beginning, with the payload: the event from before the first run, and its JSON below it
            Run all = run(env, "subscribe", Topics.RECORD_CHANGES, "--from-beginning", "--max", "3", "--payload");
            assertEquals(0, all.code(), all.err());
            List<String> allLines = all.out().lines().toList();
            assertEquals(6, allLines.size(), allLines::toString);
            assertTrue(all.out().contains("id=ev-before"), all.out());
            assertTrue(allLines.get(1).startsWith("  {") && allLines.get(1).contains("Kuhic920"), allLines::toString);
        }
    }

    @Test
    void noBrokerIsARefusalNamingThePortAndItsVariable() throws Exception {
        Subscribe.Options o = Subscribe.parse(List.of(Topics.AUDIT));
        int port = KafkaBroker.freePort();
        IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> Subscribe.run("127.0.0.1:" + port, o, System.out, System.err, Duration.ofSeconds(2)));
        assertTrue(e.getMessage().contains("no Kafka broker answers on 127.0.0.1:" + port
                + " (RECORDLINE_KAFKA_PORT): start the platform with ./recordline up"), e.getMessage());
    }
}
