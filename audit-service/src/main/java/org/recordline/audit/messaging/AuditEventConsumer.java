package org.recordline.audit.messaging;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.annotations.Blocking;
import jakarta.enterprise.context.ApplicationScoped;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.recordline.audit.domain.AuditLog;
import org.recordline.commons.messaging.ConsumerRetry;
import org.recordline.commons.messaging.IncomingEvent;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventTypes;
import org.recordline.events.InvalidEventException;

/** Consumes {@code ehr.audit.v1} into the audit log; poison records go to {@code ehr.audit.v1.dlq}. */
@ApplicationScoped
public class AuditEventConsumer {

    private final AuditLog log;
    private final MeterRegistry registry;

    public AuditEventConsumer(AuditLog log, MeterRegistry registry) {
        this.log = log;
        this.registry = registry;
    }

    @Incoming("audit")
    @Blocking
    public void onAudit(ConsumerRecord<String, byte[]> record) {
        try {
            var e = IncomingEvent.decode(record, EventTypes.AUDIT, AuditEvent.class);
            AuditEvent event = e.payload();
            if (event.eventId() == null || event.eventId().isBlank()) {
                throw new InvalidEventException("audit event without an eventId");
            }
            long seq = ConsumerRetry.run("audit append", () -> log.append(event));
            registry.counter("recordline.consumer.processed", "topic", record.topic(),
                    "outcome", seq < 0 ? "duplicate" : "appended").increment();
        } catch (RuntimeException ex) {
            registry.counter("recordline.consumer.failed", "topic", record.topic()).increment();
            throw ex;
        }
    }
}
