package org.recordline.index.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.commons.messaging.BatchConsumer;
import org.recordline.commons.messaging.BatchHandler;
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.EventTypes;
import org.recordline.events.RecordValidated;
import org.recordline.index.domain.RecordFiling;

/**
 * Consumes {@code ehr.validated.v1} a poll at a time, in one transaction; poison records go to
 * {@code ehr.validated.v1.dlq}.
 */
@ApplicationScoped
public class ValidatedRecordConsumer implements BatchHandler<RecordFiling.Validated> {

    private final RecordFiling filing;
    private final BatchConsumer batches;

    public ValidatedRecordConsumer(RecordFiling filing, BatchConsumer batches) {
        this.filing = filing;
        this.batches = batches;
    }

    @Incoming("validated")
    @Blocking
    public void onValidated(ConsumerRecords<String, byte[]> records) {
        batches.process(records, this);
    }

    @Override
    public RecordFiling.Validated decode(ConsumerRecord<String, byte[]> record) {
        var e = IncomingEvent.decode(record, EventTypes.RECORD_VALIDATED, RecordValidated.class);
        return new RecordFiling.Validated(e.headers().id(), e.payload());
    }

    @Override
    public Map<String, Integer> apply(List<RecordFiling.Validated> batch) {
        return filing.fileAll(batch);
    }
}
