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
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventTypes;

/**
 * Consumes {@code ehr.audit.v1} into the audit log, a poll at a time: one transaction, one lock of the chain head, one
 * multi-row insert. Poison records go to {@code ehr.audit.v1.dlq}.
 */
@ApplicationScoped
public class AuditEventConsumer implements BatchHandler<AuditEvent> {

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

    @Override
    public AuditEvent decode(ConsumerRecord<String, byte[]> record) {
        // the contract refuses a missing or over-long eventId: such a record is dead-lettered with the reason
        return IncomingEvent.decode(record, EventTypes.AUDIT, AuditEvent.class).payload();
    }

    @Override
    public Map<String, Integer> apply(List<AuditEvent> events) {
        long[] seqs = log.appendAll(events);
        int duplicates = 0;
        for (long s : seqs) {
            if (s < 0) {
                duplicates++;
            }
        }
        return Map.of("appended", seqs.length - duplicates, "duplicate", duplicates);
    }
}
