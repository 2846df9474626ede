package org.recordline.commons.outbox;

import com.fasterxml.jackson.core.type.TypeReference;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.jboss.logging.Logger;
import org.recordline.commons.messaging.KafkaProducerSettings;
import org.recordline.events.EventCodec;

/**
 * Publishes committed outbox events to Kafka ({@code acks=all}, idempotent producer) and deletes them once the broker
 * acknowledged them. One relay thread per service instance, and a PostgreSQL advisory lock per round so that only one
 * instance of a service publishes at a time: the outbox order is kept, and events with one key keep their order on
 * their partition. Callers that must answer only after the broker acknowledged (the ingestion endpoint) wait on
 * {@link #awaitPublished}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final TypeReference<Map<String, String>> HEADER_MAP = new TypeReference<>() {
    };
    private static final String SELECT = "SELECT id, topic, msg_key, headers::text, payload FROM outbox_event "
            + "ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED";
    private static final String DELETE = "DELETE FROM outbox_event WHERE id = ANY (?)";
    /** A round stops taking rows once it holds this many payload bytes (large bundles after an outage). */
    private static final long MAX_ROUND_BYTES = 32L * 1024 * 1024;

    private final AgroalDataSource dataSource;
    private final OutboxConfig config;
    private final KafkaProducerSettings producerSettings;
    private final Counter published;
    private final Counter failedRounds;
    private final Semaphore wakeUp = new Semaphore(0);
    private final long advisoryLockKey;
    private final Map<Long, CompletableFuture<Void>> waiters = new ConcurrentHashMap<>();
    private volatile boolean running;
    private volatile KafkaProducer<String, byte[]> producer;
    private Thread thread;

    public OutboxRelay(AgroalDataSource dataSource, OutboxConfig config, KafkaProducerSettings producerSettings,
                       MeterRegistry registry) {
        this.dataSource = dataSource;
        this.config = config;
        this.producerSettings = producerSettings;
        this.advisoryLockKey = ("recordline-outbox:" + producerSettings.applicationName()).hashCode();
        this.published = Counter.builder("recordline.outbox.published").description("events published from the outbox")
                .register(registry);
        this.failedRounds = Counter.builder("recordline.outbox.failed.rounds")
                .description("relay rounds that could not publish and will retry").register(registry);
    }

    void start(@Observes StartupEvent ev) {
        if (!config.enabled()) {
            return;
        }
        producer = new KafkaProducer<>(producerSettings.properties("outbox-relay"));
        running = true;
        thread = new Thread(this::loop, "outbox-relay");
        thread.setDaemon(true);
        thread.start();
    }

    void stop(@Observes ShutdownEvent ev) {
        running = false;
        wakeUp.release();
        try {
            if (thread != null) {
                // a round may be waiting for acknowledgements; let it finish before the producer goes
                thread.join(config.publishTimeout().toMillis() + 5000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Asks the relay to publish now rather than at its next poll. */
    public void wakeUp() {
        wakeUp.release();
    }

    /**
     * Waits until the broker acknowledged the given committed outbox events.
     *
     * @return true if all were acknowledged within {@code timeout}
     */
    public boolean awaitPublished(List<Long> outboxIds, Duration timeout) {
        List<CompletableFuture<Void>> futures = new ArrayList<>(outboxIds.size());
        for (Long id : outboxIds) {
            futures.add(waiters.computeIfAbsent(id, k -> new CompletableFuture<>()));
        }
        wakeUp();
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        try {
            while (true) {
                // published by this relay (futures), or by another instance or before registration (table)
                if (all.isDone() || pending(outboxIds).isEmpty()) {
                    return true;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                try {
                    all.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)), TimeUnit.NANOSECONDS);
                    return true;
                } catch (java.util.concurrent.TimeoutException e) {
                    // look at the table again
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return false;
        } finally {
            outboxIds.forEach(waiters::remove);
        }
    }

    private List<Long> pending(List<Long> ids) {
        List<Long> out = new ArrayList<>();
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT id FROM outbox_event WHERE id = ANY (?)")) {
            ps.setArray(1, c.createArrayOf("bigint", ids.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            return ids; // unknown: treat as still pending
        }
        return out;
    }

    private void complete(Long id) {
        CompletableFuture<Void> f = waiters.get(id);
        if (f != null) {
            f.complete(null);
        }
    }

    private void loop() {
        long backoff = 100;
        while (running) {
            try {
                int n = QuarkusTransaction.requiringNew().timeout(
                        (int) Math.max(10, config.publishTimeout().toSeconds() * 2)).call(this::publishRound);
                backoff = 100;
                if (n == 0) {
                    wakeUp.tryAcquire(config.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                    wakeUp.drainPermits();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                failedRounds.increment();
                LOG.warnf("outbox relay round failed, retrying in %d ms: %s", backoff, e.toString());
                try {
                    Thread.sleep(backoff);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    /** One round: lock a batch, publish it, wait for every acknowledgement, delete it. Returns the batch size. */
    int publishRound() throws Exception {
        List<Long> ids = new ArrayList<>();
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        try (Connection c = dataSource.getConnection()) {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_xact_lock(?)")) {
                lock.setLong(1, advisoryLockKey);
                try (ResultSet rs = lock.executeQuery()) {
                    if (!rs.next() || !rs.getBoolean(1)) {
                        return 0; // another instance of this service is publishing
                    }
                }
            }
            try (PreparedStatement ps = c.prepareStatement(SELECT)) {
                ps.setInt(1, config.batchSize());
                ps.setFetchSize(16); // payloads can be megabytes: stream the rows, do not load the batch at once
                long bytes = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    while (bytes < MAX_ROUND_BYTES && rs.next()) {
                        long id = rs.getLong(1);
                        ProducerRecord<String, byte[]> record =
                                new ProducerRecord<>(rs.getString(2), rs.getString(3), rs.getBytes(5));
                        Map<String, String> headers = EventCodec.mapper().readValue(rs.getString(4), HEADER_MAP);
                        headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                        acks.add(producer.send(record));
                        ids.add(id);
                        bytes += record.value().length;
                    }
                }
            }
            if (ids.isEmpty()) {
                return 0;
            }
            producer.flush();
            long deadline = System.nanoTime() + config.publishTimeout().toNanos();
            for (Future<RecordMetadata> ack : acks) {
                ack.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            }
            try (PreparedStatement del = c.prepareStatement(DELETE)) {
                Array arr = c.createArrayOf("bigint", ids.toArray());
                del.setArray(1, arr);
                del.executeUpdate();
            }
        }
        published.increment(ids.size());
        // completion after commit would be stricter; the events are on the broker already, which is what waiters need
        ids.forEach(this::complete);
        return ids.size();
    }
}
