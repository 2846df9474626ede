package org.recordline.validation.messaging;

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
import org.recordline.events.RecordIngested;
import org.recordline.validation.domain.CompletenessCheck;

/**
 * Consumes {@code ehr.ingested.v1} a poll at a time, in one transaction; poison records go to
 * {@code ehr.ingested.v1.dlq}.
 */
@ApplicationScoped
public class IngestedRecordConsumer implements BatchHandler<CompletenessCheck.Ingested> {

    private final CompletenessCheck check;
    private final BatchConsumer batches;

    public IngestedRecordConsumer(CompletenessCheck check, BatchConsumer batches) {
        this.check = check;
        this.batches = batches;
    }

    @Incoming("ingested")
    @Blocking
    public void onIngested(ConsumerRecords<String, byte[]> records) {
        batches.process(records, this);
    }

    @Override
    public CompletenessCheck.Ingested decode(ConsumerRecord<String, byte[]> record) {
        var e = IncomingEvent.decode(record, EventTypes.RECORD_INGESTED, RecordIngested.class);
        return new CompletenessCheck.Ingested(e.headers().id(), e.payload());
    }

    @Override
    public Map<String, Integer> apply(List<CompletenessCheck.Ingested> batch) {
        return check.checkAll(batch);
    }
}
