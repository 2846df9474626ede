package org.recordline.examples.subscriber;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordChanged;
import org.recordline.events.RecordChanged.ChangeType;
import org.recordline.events.RecordChanged.ResourceRef;
import org.recordline.events.Topics;
import org.recordline.testsupport.EventFixtures;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.TopicClient;

/**
 * The example subscriber against a real Kafka broker, fed real {@code RecordChanged} events written with the
 * project's own codec and CloudEvents headers, as the index-service writes them.
 */
class RecordChangeSubscriberTest {

    private static final Duration WAIT = Duration.ofSeconds(60);

    /** A broker of its own for each test: what a subscriber reads and commits is then this test's alone. */
    private KafkaBroker broker;
    private TopicClient topics;

    private final List<Running> running = new ArrayList<>();
    private final String run = UUID.randomUUID().toString().substring(0, 8);
    private Instant clock = Instant.parse("2026-11-28T09:00:00Z");

    @BeforeEach
    void startBroker() {
        broker = KafkaBroker.startTemporary();
        broker.createTopics(List.of(Topics.RECORD_CHANGES), Topics.DEFAULT_PARTITIONS);
        topics = new TopicClient(broker.bootstrapServers());
    }

    @AfterEach
    void stop() throws InterruptedException {
        for (Running r : running) {
            r.stop();
        }
        broker.close();
    }

    /** A subscriber running on its own thread, with the lines it printed. */
    private record Running(RecordChangeSubscriber subscriber, List<String> lines, Thread thread) {
        void stop() throws InterruptedException {
            subscriber.stop();
            subscriber.awaitFinished();
            thread.join(WAIT.toMillis());
        }
    }

    private Running start(PersonCopy copy, String... args) {
        List<String> lines = new CopyOnWriteArrayList<>();
        RecordChangeSubscriber s = new RecordChangeSubscriber(
                RecordChangeSubscriber.Options.parse(Stream.concat(
                        Stream.of("--bootstrap-servers", broker.bootstrapServers()), Stream.of(args))
                        .toArray(String[]::new)),
                copy, lines::add);
        Thread t = new Thread(s, "subscriber-" + running.size());
        t.start();
        Running r = new Running(s, lines, t);
        running.add(r);
        return r;
    }

    private String person(String name) {
        return "EP-" + name + "-" + run;
    }

    private String source(String system, String localId) {
        return system + "|" + localId + "-" + run;
    }

    /** One record change with its event id, as the index-service publishes it (key: the person it concerns). */
    private record Event(String id, RecordChanged change) {
        ProducerRecord<String, byte[]> record() {
            return record(null);
        }

        ProducerRecord<String, byte[]> record(Long timestamp) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(Topics.RECORD_CHANGES, null, timestamp,
                    change.enterprisePersonId(), EventCodec.encode(change));
            EventFixtures.headers(id, EventTypes.RECORD_CHANGED, change.submissionId())
                    .forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            return r;
        }
    }

    private Event filed(ChangeType type, String person, String sourceRecord, String... resources) {
        clock = clock.plus(1, ChronoUnit.MINUTES);
        String submission = UUID.randomUUID().toString();
        return new Event(UUID.randomUUID().toString(), new RecordChanged(submission, person, sourceRecord, type,
                type == ChangeType.PERSON_CREATED ? "new-person" : "same-source-record", refs(resources), clock,
                "{\"resourceType\":\"Bundle\",\"type\":\"collection\"}"));
    }

    private Event moved(ChangeType type, String rule, String from, String to, String sourceRecord,
                        String... resources) {
        clock = clock.plus(1, ChronoUnit.MINUTES);
        return new Event(UUID.randomUUID().toString(), new RecordChanged(UUID.randomUUID().toString(), to,
                sourceRecord, type, rule, refs(resources), clock, "{\"resourceType\":\"Patient\"}", from));
    }

    private static List<ResourceRef> refs(String... resources) {
        return Stream.of(resources).map(r -> new ResourceRef(r.substring(0, r.indexOf('/')),
                r.substring(r.indexOf('/') + 1))).toList();
    }

    private void publish(Event... events) {
        topics.publishAll(Stream.of(events).map(Event::record).toList());
    }

    @Test
    void keepsACopyPerPersonThroughFilingsLinksMergesAndUnlinksAndSkipsARedeliveredDuplicate() {
        String a = person("a");
        String b = person("b");
        String c = person("c");
        String d = person("d");
        String north = source("north", "1");
        String south = source("south", "9");
        String west = source("west", "5");
        Event createdA = filed(ChangeType.PERSON_CREATED, a, north, "Patient/1", "Observation/o1");
        Event filedA = filed(ChangeType.RECORDS_FILED, a, north, "Observation/o2");
        Event createdB = filed(ChangeType.PERSON_CREATED, b, south, "Patient/9", "Encounter/e9");
        // a technician accepts the possible match: south's record moves from b to a
        Event linked = moved(ChangeType.LINKED, "reviewed-link", b, a, south, "Patient/9", "Encounter/e9");
        Event createdC = filed(ChangeType.PERSON_CREATED, c, west, "Patient/5");
        // c is merged into a: one event per source record of c
        Event merged = moved(ChangeType.MERGED, "merge", c, a, west, "Patient/5");
        // north's record is unlinked from a into a new person d, with everything filed under it
        Event unlinked = moved(ChangeType.UNLINKED, "manual-unlink", a, d, north, "Patient/1", "Observation/o1",
                "Observation/o2");
        Event filedD = filed(ChangeType.RECORDS_FILED, d, north, "Observation/o3");
        publish(createdA, filedA, createdB, linked, createdC, merged, unlinked, filedD);

        PersonCopy copy = new PersonCopy();
        Running s = start(copy, "--group", "subscriber-" + run);
        await().atMost(WAIT).untilAsserted(() -> assertEquals(8, s.subscriber().applied(), s.lines()::toString));

        assertEquals(Set.of(south, west), copy.sourceRecordsOf(a));
        assertEquals(Set.of("Encounter/e9", "Patient/5", "Patient/9"), copy.resourcesOf(a));
        assertEquals(Set.of(north), copy.sourceRecordsOf(d));
        assertEquals(Set.of("Observation/o1", "Observation/o2", "Observation/o3", "Patient/1"), copy.resourcesOf(d));
        assertEquals(Set.of(), copy.sourceRecordsOf(b), "b's only record was linked away");
        assertEquals(Set.of(), copy.sourceRecordsOf(c), "c was merged into a");
        assertEquals(0, s.subscriber().duplicates());

        // the outbox relay may publish an event again (a crash between the broker's acknowledgement and the
        // deletion of its outbox row): same ce_id, same payload, a new offset. Here: the merge, after the unlink
        // and a filing that followed it
        topics.publishAll(List.of(merged.record()));
        await().atMost(WAIT).untilAsserted(() -> assertEquals(1, s.subscriber().duplicates(), s.lines()::toString));
        assertEquals(8, s.subscriber().applied());
        assertEquals(1, s.lines().stream().filter(l -> l.contains("duplicate") && l.contains(merged.id())).count(),
                s.lines()::toString);
        assertEquals(Map.of(a, Set.of(south, west), d, Set.of(north)), copy.snapshot());

        // one line per event, with the ids and no FHIR content
        assertEquals(9, s.lines().size(), s.lines()::toString);
        assertTrue(s.lines().stream().anyMatch(l -> l.contains("UNLINKED " + north + " moved " + a + " -> " + d)
                && l.contains("ce_id=" + unlinked.id()) && l.contains("key=" + d)), s.lines()::toString);
        assertTrue(s.lines().stream().noneMatch(l -> l.contains("resourceType")), s.lines()::toString);

        // per person key, in the order published: a's four events (filings, the link, the merge), d's two
        assertEquals(List.of(createdA.id(), filedA.id(), linked.id(), merged.id()), appliedIdsWithKey(s, a));
        assertEquals(List.of(unlinked.id(), filedD.id()), appliedIdsWithKey(s, d));
    }

    /** The ce_ids of the applied events with this record key, in the order the subscriber printed them. */
    private static List<String> appliedIdsWithKey(Running s, String key) {
        return s.lines().stream().filter(l -> l.contains(" key=" + key + " "))
                .map(l -> l.substring(l.indexOf("ce_id=") + "ce_id=".length()).split(" ")[0]).toList();
    }

    @Test
    void skipsRecordsThatAreNotRecordChangedCloudEventsAndGoesOn() {
        String p = person("p");
        Event good = filed(ChangeType.PERSON_CREATED, p, source("north", "2"), "Patient/2");
        ProducerRecord<String, byte[]> noHeaders = new ProducerRecord<>(Topics.RECORD_CHANGES, p,
                EventCodec.encode(good.change()));
        ProducerRecord<String, byte[]> otherType = new ProducerRecord<>(Topics.RECORD_CHANGES, p, "{}".getBytes());
        EventFixtures.headers("org.recordline.ehr.record-changed-summary.v1", null)
                .forEach((k, v) -> otherType.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        ProducerRecord<String, byte[]> broken = new ProducerRecord<>(Topics.RECORD_CHANGES, p,
                "{\"changeType\":\"LINKED\"}".getBytes());
        EventFixtures.headers(EventTypes.RECORD_CHANGED, null)
                .forEach((k, v) -> broken.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
        // one key: one partition, in this order
        topics.publishAll(List.of(noHeaders, otherType, broken, good.record()));

        PersonCopy copy = new PersonCopy();
        Running s = start(copy, "--group", "skipper-" + run);
        await().atMost(WAIT).untilAsserted(() -> assertEquals(1, s.subscriber().applied(), s.lines()::toString));
        assertEquals(3, s.subscriber().skipped(), s.lines()::toString);
        List<String> lines = s.lines();
        assertTrue(lines.get(0).contains("not a valid CloudEvent: ce_specversion"), lines::toString);
        assertTrue(lines.get(1).contains("event type org.recordline.ehr.record-changed-summary.v1 is not one"),
                lines::toString);
        assertTrue(lines.get(2).contains("payload breaks the contract: enterprisePersonId is missing"),
                lines::toString);
        assertEquals(Set.of(source("north", "2")), copy.sourceRecordsOf(p));
    }

    @Test
    void aRestartedSubscriberResumesFromItsCommittedOffsetsAndAReplayRebuildsTheSameCopy() throws Exception {
        String group = "resumer-" + run;
        String a = person("a");
        String b = person("b");
        String north = source("north", "7");
        String south = source("south", "8");
        Event createdA = filed(ChangeType.PERSON_CREATED, a, north, "Patient/7");
        Event createdB = filed(ChangeType.PERSON_CREATED, b, south, "Patient/8");
        Event filedB = filed(ChangeType.RECORDS_FILED, b, south, "Observation/x");
        publish(createdA, createdB, filedB);

        PersonCopy copy = new PersonCopy(); // the subscriber's store, which outlives a restart
        Running first = start(copy, "--group", group);
        await().atMost(WAIT).untilAsserted(() -> assertEquals(3, first.subscriber().applied()));
        first.stop();
        assertEquals(3, committed(group), "the applied records' offsets were committed");

        // while it is down: b is merged into a, then a is filed again
        Event merged = moved(ChangeType.MERGED, "merge", b, a, south, "Patient/8", "Observation/x");
        Event filedA = filed(ChangeType.RECORDS_FILED, a, north, "Observation/y");
        publish(merged, filedA);

        Running second = start(copy, "--group", group);
        await().atMost(WAIT).untilAsserted(() -> assertEquals(2, second.subscriber().applied(), second.lines()::toString));
        assertEquals(0, second.subscriber().duplicates(), "nothing applied before was read again: "
                + second.lines());
        assertEquals(2, second.lines().size(), second.lines()::toString);
        assertTrue(second.lines().get(0).contains(merged.id()) || second.lines().get(1).contains(merged.id()),
                second.lines()::toString);
        assertEquals(Map.of(a, Set.of(north, south)), copy.snapshot());
        assertEquals(Set.of("Observation/x", "Observation/y", "Patient/7", "Patient/8"), copy.resourcesOf(a));
        await().atMost(WAIT).untilAsserted(() -> assertEquals(5, committed(group)));
        second.stop();

        // a replay of the whole topic into an empty store, in the same group: the same copy again
        PersonCopy rebuilt = new PersonCopy();
        Running replay = start(rebuilt, "--group", group, "--from-beginning");
        await().atMost(WAIT).untilAsserted(() -> assertEquals(5, replay.subscriber().applied(),
                replay.lines()::toString));
        assertEquals(copy.snapshot(), rebuilt.snapshot());
        assertEquals(copy.resourcesOf(a), rebuilt.resourcesOf(a));
    }

    @Test
    void startsAtTheFirstEventAtOrAfterAGivenTime() {
        String p = person("t");
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Event old = filed(ChangeType.PERSON_CREATED, p, source("north", "3"), "Patient/3");
        Event recent = filed(ChangeType.RECORDS_FILED, p, source("north", "3"), "Observation/z");
        // explicit record timestamps, two hours and one hour ago: what offsetsForTimes looks at
        topics.publishAll(List.of(old.record(now.minus(2, ChronoUnit.HOURS).toEpochMilli()),
                recent.record(now.minus(1, ChronoUnit.HOURS).toEpochMilli())));

        PersonCopy copy = new PersonCopy();
        Running s = start(copy, "--group", "since-" + run, "--since",
                now.minus(90, ChronoUnit.MINUTES).toString());
        await().atMost(WAIT).untilAsserted(() -> assertTrue(copy.applied(recent.id()), s.lines()::toString));
        assertTrue(!copy.applied(old.id()), "the event before --since was not read: " + s.lines());
        assertEquals(Set.of("Observation/z"), copy.resourcesOf(p));
    }

    /** Sum of the group's committed offsets on the topic: the records it has applied and committed. */
    private long committed(String group) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                broker.bootstrapServers()))) {
            return admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get().values().stream()
                    .filter(o -> o != null).mapToLong(OffsetAndMetadata::offset).sum();
        }
    }
}
