package org.recordline.commons.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.recordline.commons.persistence.DatabaseProbe;

/**
 * Runs a consumer's work on one record: transient failures retried ({@link ConsumerRetry}), and so is any failure
 * while the database cannot be reached ({@link DatabaseProbe}); everything else rethrown for the dead-letter topic, and the outcome counted ({@code recordline.consumer.processed} by topic and outcome,
 * {@code recordline.consumer.failed} by topic; lag comes from the Kafka client metrics).
 */
@ApplicationScoped
public class ConsumerWork {

    private final MeterRegistry registry;
    private final DatabaseProbe database;

    public ConsumerWork(MeterRegistry registry, DatabaseProbe database) {
        this.registry = registry;
        this.database = database;
    }

    /**
     * Processes {@code record} with {@code work}, which decodes and applies it.
     *
     * @param outcome names the result for the processed counter, e.g. {@code applied} or {@code duplicate}
     */
    public <T> T process(ConsumerRecord<?, ?> record, Supplier<T> work, Function<T, String> outcome) {
        try {
            // a failure while the database is unreachable is an outage, never a reason to dead-letter the record
            T result = ConsumerRetry.run("processing of " + record.topic(), work, failure -> !database.reachable());
            registry.counter("recordline.consumer.processed", "topic", record.topic(),
                    "outcome", outcome.apply(result)).increment();
            return result;
        } catch (RuntimeException | AssertionError e) {
            registry.counter("recordline.consumer.failed", "topic", record.topic()).increment();
            throw e;
        }
    }
}
