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
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.recordline.commons.messaging.KafkaProducerSettings;
import org.recordline.commons.tracing.Traces;
import org.recordline.events.EventCodec;

/**
 * Publishes committed outbox events to Kafka ({@code acks=all}, idempotent producer) and deletes them once the broker
 * acknowledged them.
 *
 * <p>One relay thread per service instance publishes, and only the instance that holds the service's leadership
 * lock (a PostgreSQL session advisory lock): the outbox order is kept, and events with one key keep their order on
 * their partition. A round reads everything pending (up to {@code batch-size} rows or 16 MB) in a short
 * transaction, sends it, waits for every acknowledgement with no transaction or pooled connection open, and
 * deletes what was acknowledged in one statement. A row the broker refuses for good (too large, not authorised, no
 * such topic) moves to {@code outbox_dead_event} with the reason ({@code recordline.outbox.dead}, a log line) instead
 * of blocking the rows behind it.
 *
 * <p>The relay is woken by every commit that added rows: in this process by {@link OutboxWriter}, in the service's
 * other instances by the {@code NOTIFY} on {@link #channel()}, which a listener thread receives on a session of its
 * own (outside the pool, never in a transaction; it also holds the leadership lock, so a crashed leader's lock is
 * released the moment its session ends). The poll interval is only a safety net.
 *
 * <p>Callers that must answer only after the broker acknowledged (the ingestion endpoint) wait on
 * {@link #awaitPublished}.
 */
@ApplicationScoped
public class OutboxRelay {

    private static final Logger LOG = Logger.getLogger(OutboxRelay.class);
    private static final TypeReference<Map<String, String>> HEADER_MAP = new TypeReference<>() {
    };
    private static final String SELECT = "SELECT id, topic, msg_key, headers::text, payload FROM outbox_event "
            + "ORDER BY id LIMIT ?";
    private static final String DELETE = "DELETE FROM outbox_event WHERE id = ANY (?)";
    private static final String BURY = "WITH moved AS (DELETE FROM outbox_event WHERE id = ? RETURNING *) "
            + "INSERT INTO outbox_dead_event (id, topic, msg_key, headers, payload, created_at, reason) "
            + "SELECT id, topic, msg_key, headers, payload, created_at, ? FROM moved";
    /** A round stops reading rows once it holds this many payload bytes (large bundles after an outage). */
    private static final long MAX_ROUND_BYTES = 16L * 1024 * 1024;

    private final AgroalDataSource dataSource;
    private final OutboxConfig config;
    private final KafkaProducerSettings producerSettings;
    private final Counter published;
    private final Counter dead;
    private final Counter failedRounds;
    private final Semaphore wakeUp = new Semaphore(0);
    private final long advisoryLockKey;
    private final String channel;
    private final String jdbcUrl;
    private final String dbUser;
    private final Optional<String> dbPassword;
    private final Map<Long, CompletableFuture<Boolean>> waiters = new ConcurrentHashMap<>();
    /** Completed (and replaced) whenever a relay of this service reports a finished round. */
    private volatile CompletableFuture<Void> nextPublication = new CompletableFuture<>();
    private volatile boolean running;
    private volatile boolean leader;
    private volatile KafkaProducer<String, byte[]> producer;
    private final io.opentelemetry.api.trace.Tracer tracer;
    private Thread thread;
    private Thread listener;

    public OutboxRelay(AgroalDataSource dataSource, OutboxConfig config, KafkaProducerSettings producerSettings,
                       MeterRegistry registry, io.opentelemetry.api.trace.Tracer tracer,
                       @ConfigProperty(name = "quarkus.datasource.jdbc.url") Optional<String> jdbcUrl,
                       @ConfigProperty(name = "quarkus.datasource.username") Optional<String> dbUser,
                       @ConfigProperty(name = "quarkus.datasource.password") Optional<String> dbPassword) {
        this.dataSource = dataSource;
        this.config = config;
        this.producerSettings = producerSettings;
        this.tracer = tracer;
        this.jdbcUrl = jdbcUrl.orElse(null);
        this.dbUser = dbUser.orElse(null);
        this.dbPassword = dbPassword;
        this.advisoryLockKey = ("recordline-outbox:" + producerSettings.applicationName()).hashCode();
        this.channel = "recordline_outbox_" + producerSettings.applicationName().toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9_]", "_");
        this.published = Counter.builder("recordline.outbox.published").description("events published from the outbox")
                .register(registry);
        this.dead = Counter.builder("recordline.outbox.dead")
                .description("outbox rows the broker refused for good, moved to outbox_dead_event").register(registry);
        this.failedRounds = Counter.builder("recordline.outbox.failed.rounds")
                .description("relay rounds that could not publish and will retry").register(registry);
    }

    /** The PostgreSQL notification channel that commits with new outbox rows notify. */
    public String channel() {
        return channel;
    }

    void start(@Observes StartupEvent ev) {
        if (!config.enabled()) {
            return;
        }
        producer = new KafkaProducer<>(producerSettings.properties("outbox-relay"));
        running = true;
        listener = new Thread(this::listen, "outbox-listener");
        listener.setDaemon(true);
        listener.start();
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
            if (listener != null) {
                listener.join(config.pollInterval().toMillis() + 2000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (producer != null) {
            producer.close(Duration.ofSeconds(5));
        }
    }

    /** Asks the relay to publish now. */
    public void wakeUp() {
        wakeUp.release();
    }

    /** Whether this instance holds the service's relay leadership (for tests and the health of the relay). */
    public boolean leader() {
        return leader;
    }

    /**
     * Waits until the broker acknowledged the given committed outbox events.
     *
     * @return true if all were acknowledged within {@code timeout}
     */
    public boolean awaitPublished(List<Long> outboxIds, Duration timeout) {
        List<CompletableFuture<Boolean>> futures = new ArrayList<>(outboxIds.size());
        for (Long id : outboxIds) {
            futures.add(waiters.computeIfAbsent(id, k -> new CompletableFuture<>()));
        }
        wakeUp();
        long deadline = System.nanoTime() + timeout.toNanos();
        CompletableFuture<Void> all = CompletableFuture.allOf(futures.toArray(CompletableFuture[]::new));
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                // on a standby instance the leader publishes: its NOTIFY after each round ends the wait early
                CompletableFuture<?> wake = leader ? all : CompletableFuture.anyOf(all, nextPublication);
                try {
                    wake.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(500)), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.TimeoutException e) {
                    // fall through to the table
                }
                if (all.isDone()) {
                    return futures.stream().allMatch(CompletableFuture::join);
                }
                // published by another instance (or before this waiter registered): look at the table
                if (pending(outboxIds).isEmpty()) {
                    return true;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException e) {
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

    private void complete(Long id, boolean acknowledged) {
        CompletableFuture<Boolean> f = waiters.get(id);
        if (f != null) {
            f.complete(acknowledged);
        }
    }

    private void loop() {
        long backoff = 100;
        while (running) {
            try {
                int n = leader ? publishRound() : 0;
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
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
    }

    /** Sleeps before a retry; false if interrupted (the thread is to end, its interrupt restored). */
    private static boolean pause(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A row read for publishing. */
    private record Sent(long id, String topic, Future<RecordMetadata> ack) {
    }

    /**
     * One round: read and send the pending rows (a short transaction), wait for every acknowledgement (nothing held
     * open), then delete the acknowledged rows and bury the refused ones (a second short transaction).
     *
     * @return how many rows the round handled
     */
    int publishRound() throws Exception {
        // the read transaction streams the rows (payloads can be megabytes) into the producer and ends at once
        List<Sent> sent = QuarkusTransaction.requiringNew().timeout(60).call(this::readAndSend);
        if (sent.isEmpty()) {
            return 0;
        }
        producer.flush();
        long deadline = System.nanoTime() + config.publishTimeout().toNanos();
        List<Long> acknowledged = new ArrayList<>(sent.size());
        Map<Long, String> refused = new LinkedHashMap<>();
        Exception transientFailure = null;
        for (Sent s : sent) {
            try {
                s.ack().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                acknowledged.add(s.id());
            } catch (ExecutionException e) {
                if (refusedForGood(e.getCause())) {
                    refused.put(s.id(), e.getCause().getClass().getSimpleName());
                    LOG.errorf("outbox row %d for %s refused by the broker for good (%s): moved to "
                            + "outbox_dead_event", s.id(), s.topic(), e.getCause().getClass().getSimpleName());
                } else if (transientFailure == null) {
                    transientFailure = e;
                }
            } catch (java.util.concurrent.TimeoutException e) {
                if (transientFailure == null) {
                    transientFailure = e;
                }
            }
        }
        QuarkusTransaction.requiringNew().run(() -> settle(acknowledged, refused));
        published.increment(acknowledged.size());
        dead.increment(refused.size());
        acknowledged.forEach(id -> complete(id, true));
        refused.keySet().forEach(id -> complete(id, false));
        if (transientFailure != null) {
            // the rest stays in the outbox and goes again in the next round, in its order
            throw transientFailure;
        }
        return sent.size();
    }

    private List<Sent> readAndSend() throws Exception {
        List<Sent> sent = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(SELECT)) {
            ps.setInt(1, config.batchSize());
            ps.setFetchSize(16); // stream the rows, do not load the whole round at once
            long bytes = 0;
            try (ResultSet rs = ps.executeQuery()) {
                while (bytes < MAX_ROUND_BYTES && rs.next()) {
                    long id = rs.getLong(1);
                    String topic = rs.getString(2);
                    ProducerRecord<String, byte[]> record = new ProducerRecord<>(topic, rs.getString(3),
                            rs.getBytes(5));
                    Map<String, String> headers = EventCodec.mapper().readValue(rs.getString(4), HEADER_MAP);
                    io.opentelemetry.api.trace.Span span = startPublication(tracer, topic, headers);
                    try {
                        headers.forEach((k, v) -> record.headers().add(k, v.getBytes(StandardCharsets.UTF_8)));
                        sent.add(new Sent(id, topic, producer.send(record)));
                    } finally {
                        span.end();
                    }
                    bytes += record.value().length;
                }
            }
        }
        return sent;
    }

    /**
     * Starts the producer span of publishing one outbox row: a child of the trace context the row stored (the act that
     * wrote it), or a new trace's root if it stored none. Replaces that context in {@code headers} with this span's,
     * so the record's {@code traceparent} header makes the consumer's span its child. The caller ends the span.
     */
    static io.opentelemetry.api.trace.Span startPublication(io.opentelemetry.api.trace.Tracer tracer, String topic,
                                                            Map<String, String> headers) {
        io.opentelemetry.api.trace.Span span = tracer.spanBuilder(topic + " publish")
                .setParent(Traces.extract(headers.remove(Traces.TRACEPARENT), headers.remove(Traces.TRACESTATE)))
                .setSpanKind(io.opentelemetry.api.trace.SpanKind.PRODUCER)
                .setAttribute("messaging.system", "kafka")
                .setAttribute("messaging.destination.name", topic)
                .setAttribute("messaging.operation.type", "send").startSpan();
        Traces.inject(io.opentelemetry.context.Context.root().with(span), headers);
        return span;
    }

    private void settle(List<Long> acknowledged, Map<Long, String> refused) {
        try (Connection c = dataSource.getConnection()) {
            if (!acknowledged.isEmpty()) {
                try (PreparedStatement del = c.prepareStatement(DELETE)) {
                    // planned at each call with its ids (an unnamed statement), never from a cached generic plan: one
                    // made while the outbox was small scans the whole heap once the heap has grown with the dead rows
                    // of published events (before autovacuum came by: 7.7 ms and 15,000 pages a call under load)
                    if (del.isWrapperFor(org.postgresql.PGStatement.class)) {
                        del.unwrap(org.postgresql.PGStatement.class).setPrepareThreshold(0);
                    }
                    del.setArray(1, c.createArrayOf("bigint", acknowledged.toArray()));
                    del.executeUpdate();
                }
                // tell the standby instances, whose requests may wait for these rows (delivered at commit)
                try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, NULL)")) {
                    notify.setString(1, channel + "_published");
                    notify.execute();
                }
            }
            if (!refused.isEmpty()) {
                try (PreparedStatement bury = c.prepareStatement(BURY)) {
                    for (Map.Entry<Long, String> r : refused.entrySet()) {
                        bury.setLong(1, r.getKey());
                        bury.setString(2, r.getValue());
                        bury.addBatch();
                    }
                    bury.executeBatch();
                }
            }
        } catch (SQLException e) {
            throw new org.recordline.commons.persistence.DataAccessException("outbox settlement failed", e);
        }
    }

    /** Whether the broker will never take this record: retrying it would block every row behind it forever. */
    static boolean refusedForGood(Throwable failure) {
        return failure instanceof RecordTooLargeException || failure instanceof RecordBatchTooLargeException
                || failure instanceof AuthorizationException || failure instanceof InvalidTopicException
                || failure instanceof SerializationException;
    }

    /**
     * The listener: a session of its own that LISTENs on {@link #channel()} and holds the leadership lock. Every
     * notification wakes the relay; a broken session drops leadership and is opened again.
     */
    private void listen() {
        long backoff = 200;
        while (running) {
            try (Connection c = openSession()) {
                try (var st = c.createStatement()) {
                    st.execute("LISTEN " + channel);
                    st.execute("LISTEN " + channel + "_published");
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                backoff = 200;
                while (running) {
                    if (!leader) {
                        leader = tryLead(c);
                        if (leader) {
                            LOG.debugf("outbox relay of %s leads", producerSettings.applicationName());
                            wakeUp();
                        }
                    }
                    PGNotification[] notes = pg.getNotifications((int) config.pollInterval().toMillis());
                    for (PGNotification note : notes == null ? new PGNotification[0] : notes) {
                        if (note.getName().equals(channel)) {
                            wakeUp();
                        } else {
                            CompletableFuture<Void> done = nextPublication;
                            nextPublication = new CompletableFuture<>();
                            done.complete(null);
                        }
                    }
                }
            } catch (SQLException | RuntimeException e) {
                leader = false;
                if (!running) {
                    return;
                }
                LOG.warnf("outbox listener session lost, reopening in %d ms: %s", backoff,
                        e.getClass().getSimpleName());
                if (!pause(backoff)) {
                    return;
                }
                backoff = Math.min(backoff * 2, 5000);
            }
        }
        leader = false;
    }

    private boolean tryLead(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            lock.setLong(1, advisoryLockKey);
            try (ResultSet rs = lock.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    private Connection openSession() throws SQLException {
        if (jdbcUrl == null) {
            throw new SQLException("quarkus.datasource.jdbc.url is not set");
        }
        Properties p = new Properties();
        if (dbUser != null) {
            p.setProperty("user", dbUser);
        }
        dbPassword.ifPresent(pw -> p.setProperty("password", pw));
        p.setProperty("connectTimeout", "2");
        p.setProperty("loginTimeout", "2");
        p.setProperty("tcpKeepAlive", "true");
        p.setProperty("ApplicationName", producerSettings.applicationName() + "-outbox-listener");
        Connection c = new org.postgresql.Driver().connect(jdbcUrl, p);
        if (c == null) {
            throw new SQLException("not a PostgreSQL URL: the outbox listener needs PostgreSQL");
        }
        c.setAutoCommit(true);
        return c;
    }
}
