package org.recordline.testsupport;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.Topics;

/**
 * Test-side Kafka access: publish raw records and read a whole topic from the start.
 *
 * <p>A read never returns less than was there: {@link #readAll} reads up to the end offsets it saw when it started
 * and fails if it cannot get there in time. To show that something did <em>not</em> happen, a test first waits for
 * a marker that the consumer under test handles after it, with the same key (so on the same partition: see
 * {@link #partitionFor}), and only then looks for the absence.
 */
public final class TopicClient {

    private final String bootstrapServers;
    /** Client settings added to every producer and consumer (a TLS listener's, say). */
    private final Map<String, String> extra;

    public TopicClient(String bootstrapServers) {
        this(bootstrapServers, Map.of());
    }

    /** A client that also uses {@code settings} (e.g. {@link KafkaBroker#tlsClientProperties(boolean)}). */
    public TopicClient(String bootstrapServers, Map<String, String> settings) {
        this.bootstrapServers = bootstrapServers;
        this.extra = Map.copyOf(settings);
    }

    /** Publishes one record ({@code acks=all}) and waits for the acknowledgement. */
    public void publish(String topic, String key, Map<String, String> headers, byte[] value) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(extra);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Topics.MAX_MESSAGE_BYTES));
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            ProducerRecord<String, byte[]> r = new ProducerRecord<>(topic, key, value);
            headers.forEach((k, v) -> r.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
            producer.send(r).get();
        } catch (Exception e) {
            throw new IllegalStateException("publish to " + topic + " failed", e);
        }
    }

    /**
     * Publishes records with one producer and one flush, so that they travel in as few broker batches as possible
     * (and a consumer gets them in one poll), and waits for every acknowledgement.
     */
    public void publishAll(List<ProducerRecord<String, byte[]>> records) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(extra);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "1000");
        p.put(ProducerConfig.BATCH_SIZE_CONFIG, String.valueOf(4 * 1024 * 1024));
        p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, String.valueOf(Topics.MAX_MESSAGE_BYTES));
        try (KafkaProducer<String, byte[]> producer =
                     new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
            List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
            for (ProducerRecord<String, byte[]> r : records) {
                acks.add(producer.send(r));
            }
            producer.flush();
            for (java.util.concurrent.Future<?> ack : acks) {
                ack.get();
            }
        } catch (Exception e) {
            throw new IllegalStateException("publish failed", e);
        }
    }

    /** How long a read may take before it fails. */
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(30);

    /**
     * Every record on {@code topic} from the beginning of each partition up to the end offsets at the moment of the
     * call.
     *
     * @throws AssertionError if those records cannot all be read within 30 s
     */
    public List<ConsumerRecord<String, byte[]>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.putAll(extra);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-reader-" + UUID.randomUUID());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, String.valueOf(Topics.MAX_MESSAGE_BYTES));
        p.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, String.valueOf(Topics.MAX_MESSAGE_BYTES * 2));
        List<ConsumerRecord<String, byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<String, byte[]> c =
                     new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> parts = c.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(pi -> new TopicPartition(topic, pi.partition())).toList();
            c.assign(parts);
            c.seekToBeginning(parts);
            Map<TopicPartition, Long> end = c.endOffsets(parts);
            long deadline = System.nanoTime() + READ_TIMEOUT.toNanos();
            while (!reached(c, end)) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("read " + out.size() + " records of " + topic + " but not up to its end "
                            + "offsets " + end + " within " + READ_TIMEOUT.toSeconds() + " s");
                }
                c.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** The records on {@code topic} that satisfy {@code filter}. */
    public List<ConsumerRecord<String, byte[]>> find(String topic, Predicate<ConsumerRecord<String, byte[]>> filter) {
        return readAll(topic).stream().filter(filter).toList();
    }

    /** The records on {@code topic} about one submission (CloudEvents correlation id). */
    public List<ConsumerRecord<String, byte[]>> ofSubmission(String topic, String submissionId) {
        return find(topic, r -> submissionId.equals(header(r, CloudEventHeaders.CORRELATION_ID)));
    }

    /**
     * The partition a record with {@code key} lands on in a topic of {@code partitions} partitions (Kafka's default
     * partitioner for keyed records): records with one key keep their order there.
     */
    public static int partitionFor(String key, int partitions) {
        return org.apache.kafka.common.utils.Utils.toPositive(
                org.apache.kafka.common.utils.Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % partitions;
    }

    /** The value of header {@code name} of {@code r}, or null. */
    public static String header(ConsumerRecord<String, byte[]> r, String name) {
        var h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    private static boolean reached(KafkaConsumer<String, byte[]> c, Map<TopicPartition, Long> end) {
        for (var e : end.entrySet()) {
            if (c.position(e.getKey()) < e.getValue()) {
                return false;
            }
        }
        return true;
    }
}
