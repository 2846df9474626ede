package org.recordline.examples.subscriber;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * An example subscriber of Recordline's record-change feed, {@code ehr.record-changes.v1}, written as a subscribing
 * team would write it: plain {@code kafka-clients} and Jackson, nothing of Recordline's own code.
 *
 * <ul>
 *   <li>One consumer group per subscribing system ({@code --group}); the topic's 12 partitions are shared among the
 *       group's instances, and the events of one person (the record key) always arrive in order on one partition.</li>
 *   <li>Checks the CloudEvents binary-mode headers ({@code ce_specversion} 1.0, {@code ce_id}, {@code ce_source},
 *       {@code ce_type}, {@code ce_time}, {@code content-type}); skips event types it does not know.</li>
 *   <li>Keeps a copy, person to source records and resources ({@link PersonCopy}), and re-keys it on a link,
 *       unlink, merge or unmerge.</li>
 *   <li>Applies each event once: a {@code ce_id} applied before (a redelivery) is skipped.</li>
 *   <li>Commits the offsets only after every record of a poll was applied (at-least-once delivery, made exactly-once
 *       in effect by the idempotency check).</li>
 *   <li>Starts where its group left off; a new group at the oldest retained event; {@code --from-beginning} replays
 *       the whole topic and {@code --since TIME} from the first event at or after TIME ({@code offsetsForTimes}).</li>
 * </ul>
 *
 * Prints one line per event: partition and offset, key, what happened, {@code ce_id} and {@code ce_correlationid}.
 * Ids only, never the FHIR content.
 */
public final class RecordChangeSubscriber implements Runnable {

    public static final String TOPIC = "ehr.record-changes.v1";
    public static final String TYPE = "org.recordline.ehr.record-changed.v1";
    /** The largest record Recordline's topics take (16 MiB). */
    public static final int MAX_RECORD_BYTES = 16 * 1024 * 1024;

    /**
     * The command line.
     *
     * @param bootstrapServers Kafka's address ({@code --bootstrap-servers}, default {@code localhost:9092}, the local
     *                         stack's)
     * @param groupId          the subscribing system's consumer group ({@code --group})
     * @param fromBeginning    replay the whole topic, whatever the group committed
     * @param since            start at the first event at or after this time (null: where the group left off)
     * @param clientSettings   more consumer settings from {@code --config FILE} (TLS: {@code security.protocol=SSL},
     *                         key and trust stores)
     */
    public record Options(String bootstrapServers, String groupId, boolean fromBeginning, Instant since,
                          Map<String, String> clientSettings) {

        public static final String USAGE = """
                usage: RecordChangeSubscriber [--bootstrap-servers HOST:PORT] [--group GROUP]
                                              [--from-beginning | --since 2026-11-01T00:00:00Z] [--config FILE]
                  --bootstrap-servers  Kafka (default localhost:9092, the broker of ./recordline up)
                  --group              your system's consumer group (default example-record-change-subscriber)
                  --from-beginning     replay every retained event, whatever the group committed
                  --since TIME         start at the first event at or after TIME (RFC 3339)
                  --config FILE        more Kafka consumer settings (e.g. TLS key and trust stores)
                """;

        /** Parses the arguments; an {@link IllegalArgumentException} names what is wrong. */
        public static Options parse(String... args) {
            String servers = "localhost:9092";
            String group = "example-record-change-subscriber";
            boolean fromBeginning = false;
            Instant since = null;
            Map<String, String> settings = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                if (a.equals("--from-beginning")) {
                    fromBeginning = true;
                    continue;
                }
                if (!List.of("--bootstrap-servers", "--group", "--since", "--config").contains(a)) {
                    throw new IllegalArgumentException("unknown option " + a);
                }
                if (i + 1 >= args.length || args[i + 1].isBlank()) {
                    throw new IllegalArgumentException(a + " needs a value");
                }
                String v = args[++i];
                switch (a) {
                    case "--bootstrap-servers" -> servers = v;
                    case "--group" -> group = v;
                    case "--since" -> {
                        try {
                            since = OffsetDateTime.parse(v).toInstant();
                        } catch (DateTimeParseException e) {
                            throw new IllegalArgumentException("--since takes an RFC 3339 time such as "
                                    + "2026-11-01T00:00:00Z, got " + v);
                        }
                    }
                    default -> settings.putAll(readProperties(Path.of(v)));
                }
            }
            if (fromBeginning && since != null) {
                throw new IllegalArgumentException("--from-beginning and --since exclude each other");
            }
            return new Options(servers, group, fromBeginning, since, Map.copyOf(settings));
        }

        private static Map<String, String> readProperties(Path file) {
            Properties p = new Properties();
            try (InputStream in = Files.newInputStream(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --config " + file + ": " + e.getMessage());
            }
            Map<String, String> m = new LinkedHashMap<>();
            p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
            return m;
        }
    }

    private final Options options;
    private final PersonCopy copy;
    private final Consumer<String> out;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Set<TopicPartition> positioned = new HashSet<>();
    private final CountDownLatch finished = new CountDownLatch(1);
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean stopping;

    /**
     * @param copy where the subscriber keeps what it learnt (in a real system: its database)
     * @param out  where the one line per event goes
     */
    public RecordChangeSubscriber(Options options, PersonCopy copy, Consumer<String> out) {
        this.options = options;
        this.copy = copy;
        this.out = out;
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, options.bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, options.groupId());
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, options.groupId() + "-" + ProcessHandle.current().pid());
        // offsets are committed by hand, after the records were applied
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        // a group that never committed starts with the oldest event the topic still holds (7 days)
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        // a record can be up to 16 MiB (a filed patient bundle's FHIR)
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(MAX_RECORD_BYTES));
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "200");
        p.putAll(options.clientSettings());
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
    }

    public static void main(String[] args) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.print(Options.USAGE);
            System.exit(2);
            return;
        }
        PersonCopy copy = new PersonCopy();
        RecordChangeSubscriber s = new RecordChangeSubscriber(options, copy, System.out::println);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            s.stop();
            try {
                s.awaitFinished();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.printf("stopped: %d applied, %d duplicates skipped, %d other records skipped; "
                    + "%d persons in the copy%n", s.applied(), s.duplicates(), s.skipped(), copy.persons());
        }, "subscriber-stop"));
        System.out.println("subscribing to " + TOPIC + " on " + options.bootstrapServers() + " as group "
                + options.groupId() + (options.fromBeginning() ? ", from the beginning"
                : options.since() != null ? ", from " + options.since() : "") + " (Ctrl-C stops)");
        s.run();
    }

    /** Polls, applies and commits until {@link #stop()}. */
    @Override
    public void run() {
        try {
            consumer.subscribe(List.of(TOPIC), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    // everything polled was applied: hand over exactly where we are
                    consumer.commitSync();
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    position(partitions);
                }
            });
            while (!stopping) {
                ConsumerRecords<String, byte[]> records = consumer.poll(Duration.ofMillis(500));
                if (records.isEmpty()) {
                    continue;
                }
                for (ConsumerRecord<String, byte[]> r : records) {
                    out.accept(handle(r));
                }
                // only now, after all of them were applied: a crash before this line redelivers them, and the
                // ce_id check makes the redelivery harmless
                consumer.commitSync();
            }
        } finally {
            consumer.close(Duration.ofSeconds(10));
            finished.countDown();
        }
    }

    /**
     * Where each partition starts the first time this process gets it: the group's committed offset (Kafka's
     * default), the beginning with {@code --from-beginning}, or the first offset at or after {@code --since}. Later
     * assignments of the same partition (a rebalance) continue from the committed offset, never replay again.
     */
    private void position(Collection<TopicPartition> partitions) {
        List<TopicPartition> fresh = new ArrayList<>();
        for (TopicPartition tp : partitions) {
            if (positioned.add(tp)) {
                fresh.add(tp);
            }
        }
        if (fresh.isEmpty()) {
            return;
        }
        if (options.fromBeginning()) {
            consumer.seekToBeginning(fresh);
        } else if (options.since() != null) {
            Map<TopicPartition, Long> query = new HashMap<>();
            fresh.forEach(tp -> query.put(tp, options.since().toEpochMilli()));
            Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(query);
            List<TopicPartition> nothingSince = new ArrayList<>();
            for (TopicPartition tp : fresh) {
                OffsetAndTimestamp at = found.get(tp);
                if (at == null) {
                    nothingSince.add(tp);
                } else {
                    consumer.seek(tp, at.offset());
                }
            }
            consumer.seekToEnd(nothingSince);
        }
    }

    /** Checks, applies and describes one record. */
    String handle(ConsumerRecord<String, byte[]> r) {
        String where = "p" + r.partition() + "@" + r.offset();
        Headers h = r.headers();
        String id = header(h, "ce_id");
        String problem = checkHeaders(h);
        if (problem != null) {
            skipped.incrementAndGet();
            return where + " skipped, not a valid CloudEvent: " + problem;
        }
        String type = header(h, "ce_type");
        String correlation = header(h, "ce_correlationid");
        String ids = " ce_id=" + id + (correlation == null ? "" : " correlation=" + correlation);
        if (!TYPE.equals(type)) {
            // a type added to the topic later: skip what you do not know
            skipped.incrementAndGet();
            return where + " skipped, event type " + type + " is not one this subscriber knows;" + ids;
        }
        if (copy.applied(id)) {
            duplicates.incrementAndGet();
            return where + " duplicate of an event applied before, skipped;" + ids;
        }
        RecordChange c;
        try {
            c = RecordChange.parse(r.value());
        } catch (IllegalArgumentException e) {
            // a real subscriber would park it (its own dead-letter topic or table) and tell Recordline's operators
            skipped.incrementAndGet();
            return where + " skipped, payload breaks the contract: " + e.getMessage() + ";" + ids;
        }
        PersonCopy.Outcome outcome = copy.apply(id, c);
        if (outcome == PersonCopy.Outcome.DUPLICATE) {
            duplicates.incrementAndGet();
            return where + " duplicate of an event applied before, skipped;" + ids;
        }
        applied.incrementAndGet();
        String what = switch (outcome) {
            case MOVED -> c.changeType() + " " + c.sourceRecordKey() + " moved " + c.previousPersonId() + " -> "
                    + c.personId();
            case LATE -> c.changeType() + " " + c.sourceRecordKey() + " (older than its latest change: resources "
                    + "added, stays with " + copy.personOf(c.sourceRecordKey()).orElse("?") + ")";
            default -> c.changeType() + " " + c.sourceRecordKey() + " under " + c.personId();
        };
        return where + " key=" + r.key() + " " + what + " resources=" + c.resources().size() + ids;
    }

    /** Why the record's headers are not CloudEvents 1.0 binary mode as Recordline writes them, or null. */
    static String checkHeaders(Headers h) {
        if (!"1.0".equals(header(h, "ce_specversion"))) {
            return "ce_specversion is not 1.0";
        }
        for (String name : List.of("ce_id", "ce_source", "ce_type", "ce_time")) {
            String v = header(h, name);
            if (v == null || v.isBlank()) {
                return name + " is missing";
            }
        }
        if (header(h, "ce_id").length() > 100) {
            return "ce_id is longer than 100 characters";
        }
        try {
            OffsetDateTime.parse(header(h, "ce_time"));
        } catch (DateTimeParseException e) {
            return "ce_time is not an RFC 3339 time";
        }
        String contentType = header(h, "content-type");
        if (contentType != null && !contentType.startsWith("application/json")) {
            return "content-type is " + contentType + ", not application/json";
        }
        return null;
    }

    /** The last value of a header as UTF-8 text, or null. */
    static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /**
     * Ends {@link #run()} within about half a second (safe from any thread): the poll under way returns, its records
     * are applied and committed, then the consumer leaves the group. ({@code wakeup()} would be quicker, but could
     * interrupt the commit of records already applied; the ce_id check would make their redelivery harmless.)
     */
    public void stop() {
        stopping = true;
    }

    /** Waits until {@link #run()} has returned and the consumer is closed. */
    public void awaitFinished() throws InterruptedException {
        finished.await();
    }

    /** Events applied to the copy by this instance. */
    public long applied() {
        return applied.get();
    }

    /** Redelivered events skipped by their {@code ce_id}. */
    public long duplicates() {
        return duplicates.get();
    }

    /** Records skipped as not valid CloudEvents, of a type not known, or breaking the payload's contract. */
    public long skipped() {
        return skipped.get();
    }
}
