package org.recordline.validation.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.commons.messaging.ConsumerRetry;
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordIngested;
import org.recordline.validation.domain.CompletenessCheck;

/** Consumes {@code ehr.ingested.v1}; poison records go to {@code ehr.ingested.v1.dlq}. */
@ApplicationScoped
public class IngestedRecordConsumer {

    private final CompletenessCheck check;
    private final MeterRegistry registry;

    public IngestedRecordConsumer(CompletenessCheck check, MeterRegistry registry) {
        this.check = check;
        this.registry = registry;
    }

    @Incoming("ingested")
    @Blocking
    public void onIngested(ConsumerRecord<String, byte[]> record) {
        try {
            var e = IncomingEvent.decode(record, EventTypes.RECORD_INGESTED, RecordIngested.class);
            var verdict = ConsumerRetry.run("completeness check", () -> check.check(e.headers().id(), e.payload()));
            registry.counter("recordline.consumer.processed", "topic", record.topic(),
                    "outcome", verdict.name().toLowerCase()).increment();
        } catch (RuntimeException ex) {
            registry.counter("recordline.consumer.failed", "topic", record.topic()).increment();
            throw ex;
        }
    }
}
