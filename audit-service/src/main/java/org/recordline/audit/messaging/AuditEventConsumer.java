package org.recordline.audit.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.audit.domain.AuditLog;
import org.recordline.commons.messaging.BatchConsumer;
import org.recordline.commons.messaging.BatchHandler;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.InvalidEventException;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventTypes;

/**
 * Consumes {@code ehr.audit.v1} into the audit log, a poll at a time: one transaction, one lock of the chain head, one
 * multi-row insert. Poison records go to {@code ehr.audit.v1.dlq}.
 */
@ApplicationScoped
public class AuditEventConsumer implements BatchHandler<ConsumerRecord<String, byte[]>> {

    private final AuditLog log;
    private final BatchConsumer batches;

    public AuditEventConsumer(AuditLog log, BatchConsumer batches) {
        this.log = log;
        this.batches = batches;
    }

    @Incoming("audit")
    @Blocking
    public void onAudit(ConsumerRecords<String, byte[]> records) {
        batches.process(records, this);
    }

    /**
     * Checks the record's CloudEvents headers (a missing one or another type is poison at once). Its payload is
     * decoded as the poll is written ({@link AuditLog#appendAll(int, java.util.function.IntFunction)}), a chunk ahead
     * of the database: a payload that does not decode (the contract refuses a missing or over-long eventId) fails
     * the batch, and {@link BatchConsumer} isolates it and dead-letters it with the reason.
     */
    @Override
    public ConsumerRecord<String, byte[]> decode(ConsumerRecord<String, byte[]> record) {
        CloudEventHeaders headers = CloudEventHeaders.readFrom(record.headers());
        if (!EventTypes.AUDIT.equals(headers.type())) {
            throw new InvalidEventException("unexpected event type " + headers.type() + " on " + record.topic()
                    + ", expected " + EventTypes.AUDIT);
        }
        return record;
    }

    @Override
    public Map<String, Integer> apply(List<ConsumerRecord<String, byte[]>> records) {
        long[] seqs = log.appendAll(records.size(), i -> EventCodec.decode(records.get(i).value(), AuditEvent.class));
        int duplicates = 0;
        for (long s : seqs) {
            if (s < 0) {
                duplicates++;
            }
        }
        return Map.of("appended", seqs.length - duplicates, "duplicate", duplicates);
    }
}
