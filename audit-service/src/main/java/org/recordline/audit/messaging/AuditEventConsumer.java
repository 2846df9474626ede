package org.recordline.audit.messaging;

import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.audit.domain.AuditLog;
import org.recordline.commons.messaging.ConsumerWork;
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventTypes;

/** Consumes {@code ehr.audit.v1} into the audit log; poison records go to {@code ehr.audit.v1.dlq}. */
@ApplicationScoped
public class AuditEventConsumer {

    private final AuditLog log;
    private final ConsumerWork work;

    public AuditEventConsumer(AuditLog log, ConsumerWork work) {
        this.log = log;
        this.work = work;
    }

    @Incoming("audit")
    @Blocking
    public void onAudit(ConsumerRecord<String, byte[]> record) {
        work.process(record, () -> {
            // the contract refuses a missing or over-long eventId: such a record is dead-lettered with the reason
            AuditEvent event = IncomingEvent.decode(record, EventTypes.AUDIT, AuditEvent.class).payload();
            return log.append(event);
        }, seq -> seq < 0 ? "duplicate" : "appended");
    }
}
