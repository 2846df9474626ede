package org.recordline.commons.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.time.Instant;
import java.util.List;
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
    private final RequestAudit request;

    public AuditTrail(OutboxWriter outbox, @ConfigProperty(name = "quarkus.application.name") String service,
                      RequestAudit request) {
        this.outbox = outbox;
        this.service = service;
        this.events = new EventFactory(service);
        this.request = request;
    }

    /** Builds the outgoing event for an act, to be added to the outbox with others in one batch. */
    public OutgoingEvent event(String action, String outcome, String actor, String submissionId, String patientRef,
                               String purpose, String detail) {
        return event(action, outcome, actor, submissionId, patientRef, purpose, detail, null, null, null, null);
    }

    /**
     * Builds the outgoing event for an act about a patient's records, to be added to the outbox with others in one
     * batch. During an HTTP request, the event carries the request's roles, on-behalf-of, client address and
     * correlation id, and its purpose of use replaces {@code purpose} ({@link RequestAudit}); {@code purpose} is the
     * purpose of a service's own processing.
     *
     * @param personId  the patient's enterprise person id, when known (else taken from {@code patientRef})
     * @param previousPersonId for a move of source records, the person they left
     * @param sourceIds the patient's source record ids concerned, {@code source-system|local-id}
     * @param resources the records concerned, {@code ResourceType/id}
     */
    public OutgoingEvent event(String action, String outcome, String actor, String submissionId, String patientRef,
                               String purpose, String detail, String personId, String previousPersonId,
                               List<String> sourceIds, List<String> resources) {
        return event(currentRequest(), action, outcome, actor, submissionId, patientRef, purpose, detail, personId,
                previousPersonId, sourceIds, resources);
    }

    /**
     * What the current HTTP request adds to audit events (its purpose of use and context), for an act that another
     * thread records on the request's behalf (a group commit); null outside a request.
     *
     * @param purpose its purpose of use
     * @param context its roles, on-behalf-of, client address and correlation id
     */
    public record RequestContext(String purpose, AuditEvent.Context context) {

        /**
         * The context of an act that came without an HTTP request (an MLLP connection, a Kafka record): no roles, the
         * default purpose of use, the peer's address and the correlation id given.
         */
        public static RequestContext outsideHttp(String clientAddress, String correlationId) {
            return new RequestContext(RequestAudit.DEFAULT_PURPOSE, new AuditEvent.Context(List.of(), null,
                    clientAddress, correlationId, null, null, null, null, null));
        }
    }

    /** The current request's part of audit events, to be passed to {@link #event(RequestContext, String, String,
     * String, String, String, String, String, String, String, List, List)} on another thread; null outside one. */
    public RequestContext currentRequest() {
        return inRequest() ? new RequestContext(request.purpose(), request.context()) : null;
    }

    /** As {@link #event(String, String, String, String, String, String, String, String, String, List, List)}, with the
     * request's part given ({@code from}, null for none) rather than taken from the current thread. */
    public OutgoingEvent event(RequestContext from, String action, String outcome, String actor, String submissionId,
                               String patientRef, String purpose, String detail, String personId,
                               String previousPersonId, List<String> sourceIds, List<String> resources) {
        if (personId == null && patientRef != null && !patientRef.contains("|")) {
            personId = patientRef;
        }
        if (sourceIds == null && patientRef != null && patientRef.contains("|")) {
            sourceIds = List.of(patientRef);
        }
        AuditEvent.Context context = null;
        if (from != null) {
            purpose = from.purpose();
            context = from.context().about(personId, previousPersonId, sourceIds, resources);
        } else if (personId != null || sourceIds != null || resources != null) {
            context = new AuditEvent.Context(null, null, null, submissionId, personId, previousPersonId, sourceIds,
                    resources, null);
        }
        AuditEvent e = new AuditEvent(UUID.randomUUID().toString(), Instant.now(), service, action, outcome, actor,
                submissionId, patientRef, purpose, detail, context);
        String key = submissionId != null ? submissionId : patientRef != null ? patientRef : e.eventId();
        // the act's trace: the consumed record's of this submission, else the request's (or the current span's)
        String correlation = submissionId != null ? submissionId
                : context != null && context.correlationId() != null ? context.correlationId() : null;
        return new OutgoingEvent(Topics.AUDIT, key,
                events.headers(e.eventId(), EventTypes.AUDIT, submissionId, submissionId), EventCodec.encode(e),
                org.recordline.commons.tracing.Traces.forCorrelation(correlation));
    }

    private boolean inRequest() {
        var context = io.quarkus.arc.Arc.container().requestContext();
        return context.isActive() && request.isRead();
    }

    /** Records an act in the current transaction. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String action, String outcome, String actor, String submissionId, String patientRef,
                       String purpose, String detail) {
        outbox.add(event(action, outcome, actor, submissionId, patientRef, purpose, detail));
    }

    /** Records an act about a patient's records in the current transaction (see {@link #event}). */
    @Transactional(Transactional.TxType.MANDATORY)
    public void record(String action, String outcome, String actor, String submissionId, String patientRef,
                       String purpose, String detail, String personId, List<String> sourceIds,
                       List<String> resources) {
        outbox.add(event(action, outcome, actor, submissionId, patientRef, purpose, detail, personId, null,
                sourceIds, resources));
    }
}
