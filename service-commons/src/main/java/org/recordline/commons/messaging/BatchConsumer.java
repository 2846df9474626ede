package org.recordline.commons.messaging;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;
import org.recordline.commons.persistence.DatabaseProbe;
import org.recordline.commons.tracing.Traces;
import org.recordline.events.CloudEventHeaders;

/**
 * Applies the records of one poll in one database transaction: the one mechanism every Recordline consumer uses.
 *
 * <ul>
 *   <li>Each record is decoded first; one that does not decode is poison.</li>
 *   <li>The decoded events are applied together in one transaction ({@link BatchHandler#apply}). A transient failure
 *       (database or broker unreachable, serialisation conflict, or any failure while the database is unreachable)
 *       retries the whole batch until it succeeds ({@link ConsumerRetry}): an outage pauses the partitions, it never
 *       dead-letters good records.</li>
 *   <li>Any other failure means a poison record is in the batch: the batch is split in halves, each applied in its own
 *       transaction, recursively, until the failing record stands alone. Only that record is dead-lettered, with its
 *       reason; its neighbours are applied, in their order.</li>
 *   <li>Dead letters are sent after the good records committed, and the method returns only then: the connector
 *       commits the poll's offsets after it returns, so a crash at any point redelivers, and idempotency skips what
 *       was applied.</li>
 * </ul>
 *
 * Records of one partition keep their order (a poll returns them in offset order and halves are applied left to
 * right), so events with one key are applied in the order they were published.
 */
@ApplicationScoped
public class BatchConsumer {

    private static final Logger LOG = Logger.getLogger(BatchConsumer.class);

    private final MeterRegistry registry;
    private final DatabaseProbe database;
    private final DeadLetters deadLetters;
    private final int transactionTimeoutSeconds;
    private final Tracer tracer;

    public BatchConsumer(MeterRegistry registry, DatabaseProbe database, DeadLetters deadLetters, Tracer tracer,
                         @ConfigProperty(name = "recordline.consumer.transaction-timeout", defaultValue = "120")
                         int transactionTimeoutSeconds) {
        this.registry = registry;
        this.database = database;
        this.deadLetters = deadLetters;
        this.transactionTimeoutSeconds = transactionTimeoutSeconds;
        // the bean itself, not its client proxy: a span per consumed record must not look the bean up each time
        this.tracer = io.quarkus.arc.ClientProxy.unwrap(tracer);
    }

    /** A decoded record. */
    private record Decoded<T>(ConsumerRecord<String, byte[]> record, T event) {
    }

    /** Decodes and applies {@code records} with {@code handler}; returns once they are applied or dead-lettered. */
    public <T> void process(ConsumerRecords<String, byte[]> records, BatchHandler<T> handler) {
        if (records.isEmpty()) {
            return;
        }
        // one consumer span per record, a child of the span that published it; the events a record leads to find
        // theirs by its correlation id (Traces.forCorrelation), since the poll is applied together
        Map<String, Context> traces = new HashMap<>();
        Map<ConsumerRecord<String, byte[]>, Span> spans = new IdentityHashMap<>();
        String only = null;
        String spanName = null;
        String spanTopic = null;
        for (ConsumerRecord<String, byte[]> r : records) {
            // one pass over the headers for the trace context and the correlation id (this runs for every record)
            String traceparent = null;
            String tracestate = null;
            String correlation = null;
            String id = null;
            for (org.apache.kafka.common.header.Header h : r.headers()) {
                switch (h.key()) {
                    case Traces.TRACEPARENT -> traceparent = utf8(h.value());
                    case Traces.TRACESTATE -> tracestate = utf8(h.value());
                    case CloudEventHeaders.CORRELATION_ID -> correlation = utf8(h.value());
                    case CloudEventHeaders.CE_ID -> id = utf8(h.value());
                    default -> { }
                }
            }
            if (!r.topic().equals(spanTopic)) {
                spanTopic = r.topic();
                spanName = spanTopic + " process";
            }
            Context parent = Traces.extract(traceparent, tracestate);
            Span span = tracer.spanBuilder(spanName).setParent(parent).setSpanKind(SpanKind.CONSUMER).startSpan();
            if (span.isRecording()) {
                // attributes only for a span that is kept: an unsampled one would collect them for nothing
                span.setAttribute("messaging.system", "kafka");
                span.setAttribute("messaging.destination.name", r.topic());
                span.setAttribute("messaging.operation.type", "process");
                span.setAttribute("messaging.destination.partition.id", String.valueOf(r.partition()));
                span.setAttribute("messaging.kafka.offset", r.offset());
            }
            spans.put(r, span);
            if (correlation == null) {
                correlation = id;
            }
            if (correlation != null) {
                traces.put(correlation, parent.with(span));
            }
            only = correlation;
        }
        try {
            Runnable work = () -> Traces.inBatch(traces, () -> {
                decodeAndApply(records, handler, spans);
                return null;
            });
            if (records.count() == 1) {
                // a poll of one record (the usual case but under load): every log line of it names its trace and
                // correlation id; a larger poll has no single one (Traces.logAbout for a line about one record)
                Traces.logAbout(only, spans.values().iterator().next(), work);
            } else {
                work.run();
            }
        } finally {
            spans.values().forEach(Span::end);
        }
    }

    private static String utf8(byte[] value) {
        return value == null ? null : new String(value, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<String, byte[]> r, String name) {
        org.apache.kafka.common.header.Header h = r.headers().lastHeader(name);
        return h == null || h.value() == null ? null : new String(h.value(), java.nio.charset.StandardCharsets.UTF_8);
    }

    private <T> void decodeAndApply(ConsumerRecords<String, byte[]> records, BatchHandler<T> handler,
                                    Map<ConsumerRecord<String, byte[]>, Span> spans) {
        List<Decoded<T>> decoded = new ArrayList<>(records.count());
        List<DeadLetters.DeadLetter> dead = new ArrayList<>();
        String topic = null;
        for (ConsumerRecord<String, byte[]> r : records) {
            topic = r.topic();
            try {
                decoded.add(new Decoded<>(r, handler.decode(r)));
            } catch (RuntimeException e) {
                dead.add(new DeadLetters.DeadLetter(r, e));
            }
        }
        DistributionSummary.builder("recordline.consumer.batch.size").description("records per applied poll")
                .tag("topic", topic).register(registry).record(records.count());
        applyIsolating(decoded, handler, dead, spans);
        if (!dead.isEmpty()) {
            for (DeadLetters.DeadLetter d : dead) {
                Span span = spans.get(d.record());
                if (span != null) {
                    span.setStatus(StatusCode.ERROR, "dead-lettered");
                }
            }
            deadLetters.send(dead);
            for (DeadLetters.DeadLetter d : dead) {
                registry.counter("recordline.consumer.failed", "topic", d.record().topic()).increment();
            }
        }
    }

    private <T> void applyIsolating(List<Decoded<T>> batch, BatchHandler<T> handler,
                                    List<DeadLetters.DeadLetter> dead,
                                    Map<ConsumerRecord<String, byte[]>, Span> spans) {
        PoisonIsolation.apply(batch, part -> {
            String topic = part.get(0).record().topic();
            List<T> events = part.stream().map(Decoded::event).toList();
            // a failure while the database is unreachable is an outage, never a reason to dead-letter a record
            Map<String, Integer> outcomes = ConsumerRetry.run("processing of " + topic,
                    () -> QuarkusTransaction.requiringNew().timeout(transactionTimeoutSeconds)
                            .call(() -> handler.apply(events)),
                    failure -> !database.reachable());
            outcomes.forEach((outcome, n) -> registry.counter("recordline.consumer.processed", "topic", topic,
                    "outcome", outcome).increment(n));
        }, (poison, failure) -> {
            ConsumerRecord<String, byte[]> r = poison.record();
            Traces.logAbout(header(r, CloudEventHeaders.CORRELATION_ID), spans.get(r),
                    () -> LOG.warnf("record %s-%d@%d is poison: %s", r.topic(), r.partition(), r.offset(),
                            DeadLetters.reason(failure)));
            dead.add(new DeadLetters.DeadLetter(r, failure));
        });
    }
}
