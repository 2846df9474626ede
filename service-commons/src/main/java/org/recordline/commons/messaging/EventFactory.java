package org.recordline.commons.messaging;

import java.time.Instant;
import java.util.UUID;
import org.recordline.commons.tracing.Traces;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.OutgoingEvent;

/** Builds CloudEvents headers and outgoing events whose source is this service. */
public record EventFactory(String service) {

    /** Headers for an event with a given id. */
    public CloudEventHeaders headers(String id, String type, String subject, String correlationId) {
        return new CloudEventHeaders(id, "/recordline/" + service, type, Instant.now(), subject, correlationId);
    }

    /**
     * An outgoing event with a fresh id, about a submission; it continues the submission's trace
     * ({@link Traces#forCorrelation}).
     */
    public OutgoingEvent event(String topic, String key, String type, String submissionId, Object payload) {
        return new OutgoingEvent(topic, key, headers(UUID.randomUUID().toString(), type, submissionId, submissionId),
                EventCodec.encode(payload), Traces.forCorrelation(submissionId));
    }
}
