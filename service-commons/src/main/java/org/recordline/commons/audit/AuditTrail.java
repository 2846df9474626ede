package org.recordline.commons.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.recordline.commons.outbox.OutboxWriter;
import org.recordline.commons.messaging.EventFactory;
import org.recordline.events.AuditEvent;
import org.recordline.events.EventCodec;
import org.recordline.events.EventTypes;
import org.recordline.events.OutgoingEvent;
import org.recordline.events.Topics;

/**
 * Emits audit events through the service's outbox, in the transaction of the act they account for: an act that
 * commits has its audit event, an act that rolls back has none.
 */
@ApplicationScoped
public class AuditTrail {

    private final OutboxWriter outbox;
    private final String service;
    private final EventFactory events;

    public AuditTrail(OutboxWriter outbox, @ConfigProperty(name = "quarkus.application.name") String service) {
        this.outbox = outbox;
        this.service = service;
        this.events = new EventFactory(service);
    }

    /** Builds the outgoing event for an act, to be added to the outbox with others in one batch. */
    public OutgoingEvent event(String action, String outcome, String actor, String submissionId, String patientRef,
                               String purpose, String detail) {
        AuditEvent e = new AuditEvent(UUID.randomUUID().toString(), Instant.now(), service, action, outcome, actor,
                submissionId, patientRef, purpose, detail);
        String key = submissionId != null ? submissionId : patientRef != null ? patientRef : e.eventId();
        return new OutgoingEvent(Topics.AUDIT, key,
                events.headers(e.eventId(), EventTypes.AUDIT, submissionId, submissionId), EventCodec.encode(e));
    }

    /** Records an act in the current transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String action, String outcome, String actor, String submissionId, String patientRef,
                       String purpose, String detail) {
        outbox.add(event(action, outcome, actor, submissionId, patientRef, purpose, detail));
    }
}
