package org.recordline.index.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.commons.messaging.ConsumerWork;
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordValidated;
import org.recordline.index.domain.RecordFiling;

/** Consumes {@code ehr.validated.v1}; poison records go to {@code ehr.validated.v1.dlq}. */
@ApplicationScoped
public class ValidatedRecordConsumer {

    private final RecordFiling filing;
    private final ConsumerWork work;

    public ValidatedRecordConsumer(RecordFiling filing, ConsumerWork work) {
        this.filing = filing;
        this.work = work;
    }

    @Incoming("validated")
    @Blocking
    public void onValidated(ConsumerRecord<String, byte[]> record) {
        work.process(record, () -> {
            var e = IncomingEvent.decode(record, EventTypes.RECORD_VALIDATED, RecordValidated.class);
            return filing.file(e.headers().id(), e.payload());
        }, filed -> filed.enterprisePersonId() == null ? "duplicate" : "filed");
    }
}
