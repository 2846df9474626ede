package org.recordline.validation.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.commons.messaging.ConsumerWork;
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordIngested;
import org.recordline.validation.domain.CompletenessCheck;

/** Consumes {@code ehr.ingested.v1}; poison records go to {@code ehr.ingested.v1.dlq}. */
@ApplicationScoped
public class IngestedRecordConsumer {

    private final CompletenessCheck check;
    private final ConsumerWork work;

    public IngestedRecordConsumer(CompletenessCheck check, ConsumerWork work) {
        this.check = check;
        this.work = work;
    }

    @Incoming("ingested")
    @Blocking
    public void onIngested(ConsumerRecord<String, byte[]> record) {
        work.process(record, () -> {
            var e = IncomingEvent.decode(record, EventTypes.RECORD_INGESTED, RecordIngested.class);
            return check.check(e.headers().id(), e.payload());
        }, verdict -> verdict.name().toLowerCase());
    }
}
