package org.recordline.commons.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Runs a consumer's work on one record: transient failures retried ({@link ConsumerRetry}), everything else rethrown
 * for the dead-letter topic, and the outcome counted ({@code recordline.consumer.processed} by topic and outcome,
 * {@code recordline.consumer.failed} by topic; lag comes from the Kafka client metrics).
 */
@ApplicationScoped
public class ConsumerWork {

    private final MeterRegistry registry;

    public ConsumerWork(MeterRegistry registry) {
        this.registry = registry;
    }

    /**
     * Processes {@code record} with {@code work}, which decodes and applies it.
     *
     * @param outcome names the result for the processed counter, e.g. {@code applied} or {@code duplicate}
     */
    public <T> T process(ConsumerRecord<?, ?> record, Supplier<T> work, Function<T, String> outcome) {
        try {
            T result = ConsumerRetry.run("processing of " + record.topic(), work);
            registry.counter("recordline.consumer.processed", "topic", record.topic(),
                    "outcome", outcome.apply(result)).increment();
            return result;
        } catch (RuntimeException e) {
            registry.counter("recordline.consumer.failed", "topic", record.topic()).increment();
            throw e;
        }
    }
}
