package org.recordline.local;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.Topics;

/**
 * {@code ./recordline subscribe TOPIC [--from-beginning] [--payload] [--max N]}: prints the events of one topic of
 * the local stack's broker as they arrive, one line each, until Ctrl-C (or {@code --max} events): time, partition and
 * offset, key, {@code ce_type}, {@code ce_id}, {@code ce_correlationid} and a summary of the payload that names no
 * patient (for a record change the change kind and the ids; for a received or validated submission the resource type
 * and counts; for a dead letter where it came from and why). {@code --payload} prints the payload too, below its
 * line (it holds patient data). Reads without a consumer group: it commits nothing and takes no partition from a
 * service or a subscriber.
 */
final class Subscribe {

    /** The command line. */
    record Options(String topic, boolean fromBeginning, boolean payload, long max) {
    }

    static final String USAGE_LINE = "./recordline subscribe TOPIC [--from-beginning] [--payload] [--max N]";

    private Subscribe() {
    }

    static Options parse(List<String> args) {
        String topic = null;
        boolean fromBeginning = false;
        boolean payload = false;
        long max = Long.MAX_VALUE;
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            switch (a) {
                case "--from-beginning" -> fromBeginning = true;
                case "--payload" -> payload = true;
                case "--max" -> {
                    if (i + 1 >= args.size()) {
                        throw new RecordlineLauncher.UsageException("--max needs a value");
                    }
                    String v = args.get(++i);
                    try {
                        max = Long.parseLong(v);
                    } catch (NumberFormatException e) {
                        max = 0;
                    }
                    if (max < 1) {
                        throw new RecordlineLauncher.UsageException("--max takes a number of events, 1 or more, got "
                                + RecordlineLauncher.quoted(v));
                    }
                }
                default -> {
                    if (a.startsWith("-") || topic != null) {
                        throw new RecordlineLauncher.UsageException((a.startsWith("-") ? "unknown option " : "one topic "
                                + "at a time, not also ") + RecordlineLauncher.quoted(a) + " for subscribe");
                    }
                    topic = a;
                }
            }
        }
        if (topic == null) {
            throw new RecordlineLauncher.UsageException("subscribe needs a topic, one of: " + topicList());
        }
        if (!Topics.all().contains(topic)) {
            throw new RecordlineLauncher.UsageException("unknown topic " + RecordlineLauncher.quoted(topic)
                    + "; the topics are: " + topicList());
        }
        return new Options(topic, fromBeginning, payload, max);
    }

    private static String topicList() {
        return String.join(", ", Topics.all());
    }

    /** Runs against the local stack's broker ({@code RECORDLINE_KAFKA_PORT}). */
    static void run(StackSettings settings, List<String> args, PrintStream out, PrintStream err) {
        Options o = parse(args);
        run("127.0.0.1:" + settings.kafkaPort(), o, out, err, Duration.ofSeconds(10));
    }

    static void run(String bootstrapServers, Options o, PrintStream out, PrintStream err, Duration connectTimeout) {
        Map<String, Object> p = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.CLIENT_ID_CONFIG, "recordline-subscribe",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false",
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, "false",
                ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(Topics.MAX_MESSAGE_BYTES),
                ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, String.valueOf(connectTimeout.toMillis()));
        CountDownLatch done = new CountDownLatch(1);
        try (KafkaConsumer<String, byte[]> consumer =
                     new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts;
            try {
                parts = consumer.partitionsFor(o.topic(), connectTimeout).stream()
                        .map(pi -> new TopicPartition(o.topic(), pi.partition())).toList();
            } catch (TimeoutException e) {
                throw new IllegalStateException("no Kafka broker answers on " + bootstrapServers
                        + " (RECORDLINE_KAFKA_PORT): start the platform with ./recordline up");
            }
            if (parts.isEmpty()) {
                throw new IllegalStateException("the broker on " + bootstrapServers + " has no topic " + o.topic()
                        + ": start the platform with ./recordline up");
            }
            consumer.assign(parts);
            if (o.fromBeginning()) {
                consumer.seekToBeginning(parts);
            } else {
                consumer.seekToEnd(parts);
            }
            parts.forEach(consumer::position); // resolve the start now: what is published from here on is shown
            Thread stopper = new Thread(() -> {
                consumer.wakeup();
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "recordline-subscribe-stop");
            Runtime.getRuntime().addShutdownHook(stopper);
            err.println("subscribed to " + o.topic() + " on " + bootstrapServers + " (" + parts.size()
                    + " partitions), " + (o.fromBeginning() ? "from the beginning" : "new events only")
                    + (o.max() == Long.MAX_VALUE ? "; Ctrl-C stops" : "; stopping after " + o.max() + " events"));
            long seen = 0;
            try {
                while (seen < o.max()) {
                    for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                        out.println(line(r));
                        if (o.payload()) {
                            out.println(r.value() == null ? "  (no value)"
                                    : "  " + new String(r.value(), StandardCharsets.UTF_8));
                        }
                        if (++seen >= o.max()) {
                            break;
                        }
                    }
                    out.flush();
                }
            } catch (org.apache.kafka.common.errors.WakeupException e) {
                // Ctrl-C
            } finally {
                out.flush();
                try {
                    Runtime.getRuntime().removeShutdownHook(stopper);
                } catch (IllegalStateException e) {
                    // the JVM is shutting down: the hook is running
                }
            }
        } finally {
            done.countDown();
        }
    }

    /**
     * One event as one line: time ({@code ce_time}, else the record's timestamp), partition@offset, key,
     * {@code ce_type}, {@code ce_id}, {@code ce_correlationid}, and {@link #summary}.
     */
    static String line(ConsumerRecord<String, byte[]> r) {
        Headers h = r.headers();
        String time = header(h, CloudEventHeaders.CE_TIME);
        if (time == null) {
            time = Instant.ofEpochMilli(r.timestamp()).toString();
        }
        String type = header(h, CloudEventHeaders.CE_TYPE);
        return String.join("  ", time, "p" + r.partition() + "@" + r.offset(), "key=" + r.key(),
                type == null ? "(no ce_type)" : type,
                "id=" + orDash(header(h, CloudEventHeaders.CE_ID)),
                "correlation=" + orDash(header(h, CloudEventHeaders.CORRELATION_ID)),
                summary(r.topic(), type, h, r.value()));
    }

    /**
     * What the event is, without patient data: ids, kinds, counts, sizes. Never names, birth dates, free text (a
     * technician's reason) or FHIR content.
     */
    static String summary(String topic, String type, Headers h, byte[] value) {
        int bytes = value == null ? 0 : value.length;
        if (topic.endsWith(Topics.DEAD_LETTER_SUFFIX)) {
            return "dead letter of " + orDash(header(h, "dead-letter-topic")) + " p"
                    + orDash(header(h, "dead-letter-partition")) + "@" + orDash(header(h, "dead-letter-offset"))
                    + ": " + orDash(header(h, "dead-letter-reason")) + " (" + bytes + " bytes)";
        }
        if (topic.equals(Topics.INBOUND)) {
            return "inbound " + orDash(header(h, CloudEventHeaders.CE_CONTENT_TYPE)) + " from "
                    + orDash(header(h, CloudEventHeaders.CE_SOURCE)) + " (" + bytes + " bytes)";
        }
        JsonNode n;
        try {
            n = value == null ? null : EventCodec.mapper().readTree(value);
        } catch (java.io.IOException e) {
            n = null;
        }
        if (n == null || !n.isObject()) {
            return "not a JSON object (" + bytes + " bytes)";
        }
        String s = switch (type == null ? "" : type) {
            case EventTypes.RECORD_CHANGED -> text(n, "changeType") + " person=" + text(n, "enterprisePersonId")
                    + (n.hasNonNull("previousEnterprisePersonId")
                    ? " from=" + text(n, "previousEnterprisePersonId") : "")
                    + " source=" + text(n, "sourceRecordKey") + " resources=" + n.path("resources").size()
                    + " rule=" + text(n, "matchRule");
            case EventTypes.RECORD_INGESTED -> text(n, "resourceType") + " entries=" + n.path("entryCount").asText("-")
                    + " source=" + text(n, "sourceSystem");
            case EventTypes.RECORD_VALIDATED -> fhirShape(n.path("fhir")) + " warnings=" + n.path("warnings").size()
                    + (n.hasNonNull("completeness") ? " completeness=" + n.get("completeness").asText() : "")
                    + (n.has("heldBack") ? " held-back=" + n.path("heldBack").size() : "")
                    + " source=" + text(n, "sourceSystem");
            case EventTypes.RECORD_QUARANTINED -> "quarantined issues=" + n.path("issues").size() + " blocking="
                    + blocking(n.path("issues")) + (n.has("entries") ? " entries=" + n.path("entries").size() : "")
                    + " source=" + text(n, "sourceSystem");
            case EventTypes.QUARANTINE_DISMISSED -> "dismissed submission=" + text(n, "submissionId")
                    + " source=" + text(n, "sourceSystem");
            case EventTypes.AUDIT -> text(n, "action") + " " + text(n, "outcome") + " by " + text(n, "service")
                    + " event=" + text(n, "eventId");
            case EventTypes.AUDIT_CHECKPOINT -> "checkpoint size=" + n.path("treeSize").asText("-") + " root="
                    + abbreviated(text(n, "rootHash")) + " key=" + text(n, "keyId");
            case EventTypes.INBOUND_RESULT -> "status=" + n.path("status").asText("-") + " submission="
                    + text(n, "submissionId") + " replay=" + n.path("replay").asText("-");
            default -> "(" + bytes + " bytes)";
        };
        return s;
    }

    /** {@code Bundle entries=N} or {@code Patient}: the FHIR content's type and size, nothing of its content. */
    private static String fhirShape(JsonNode fhir) {
        String type = fhir.path("resourceType").asText("-");
        return "Bundle".equals(type) ? type + " entries=" + fhir.path("entry").size() : type;
    }

    private static long blocking(JsonNode issues) {
        long n = 0;
        for (JsonNode i : issues) {
            String sev = i.path("severity").asText("");
            if (sev.equals("error") || sev.equals("fatal")) {
                n++;
            }
        }
        return n;
    }

    private static String abbreviated(String s) {
        return s.length() > 16 ? s.substring(0, 16) + "…" : s;
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "-" : v.asText();
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    private static String header(Headers headers, String name) {
        Header h = headers.lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
