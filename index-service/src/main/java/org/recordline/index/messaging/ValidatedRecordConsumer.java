package org.recordline.index.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.commons.messaging.ConsumerRetry;
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordValidated;
import org.recordline.index.domain.RecordFiling;

/** Consumes {@code ehr.validated.v1}; poison records go to {@code ehr.validated.v1.dlq}. */
@ApplicationScoped
public class ValidatedRecordConsumer {

    private final RecordFiling filing;
    private final MeterRegistry registry;

    public ValidatedRecordConsumer(RecordFiling filing, MeterRegistry registry) {
        this.filing = filing;
        this.registry = registry;
    }

    @Incoming("validated")
    @Blocking
    public void onValidated(ConsumerRecord<String, byte[]> record) {
        try {
            var e = IncomingEvent.decode(record, EventTypes.RECORD_VALIDATED, RecordValidated.class);
            var filed = ConsumerRetry.run("record filing", () -> filing.file(e.headers().id(), e.payload()));
            registry.counter("recordline.consumer.processed", "topic", record.topic(),
                    "outcome", filed.enterprisePersonId() == null ? "duplicate" : "filed").increment();
        } catch (RuntimeException ex) {
            registry.counter("recordline.consumer.failed", "topic", record.topic()).increment();
            throw ex;
        }
    }
}
