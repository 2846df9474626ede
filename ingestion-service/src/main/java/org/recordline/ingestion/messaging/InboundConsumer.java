package org.recordline.ingestion.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.commons.messaging.BatchConsumer;
import org.recordline.commons.messaging.BatchHandler;
import org.recordline.ingestion.domain.InboundIntake;

/**
 * Reads {@code ehr.inbound.v1}, a poll at a time ({@link InboundIntake}): good records become submissions, every
 * record gets its result on {@code ehr.inbound-results.v1}, and only a record without CloudEvents headers (nothing to
 * answer to) is dead-lettered.
 */
@ApplicationScoped
public class InboundConsumer {

    private final BatchConsumer batches;
    private final BatchHandler<InboundIntake.Inbound> handler;

    public InboundConsumer(InboundIntake intake, BatchConsumer batches) {
        this.batches = batches;
        this.handler = BatchHandler.of(intake::decode, intake::apply);
    }

    @Incoming("inbound")
    @Blocking
    public void onInbound(ConsumerRecords<String, byte[]> records) {
        batches.process(records, handler);
    }
}
