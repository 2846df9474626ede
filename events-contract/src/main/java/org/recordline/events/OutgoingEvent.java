package org.recordline.events;

/**
 * An event ready to be published: topic, key, CloudEvents headers and encoded payload.
 *
 * @param topic       destination topic
 * @param key         partitioning key (see the topic's documentation in {@link Topics})
 * @param headers     CloudEvents attributes
 * @param payload     the event record as JSON
 * @param traceparent the W3C trace context of the act that made the event ({@code 00-<trace>-<span>-<flags>}), so that
 *                    the event continues its submission's trace; null when the act was not traced. Published as the
 *                    {@code traceparent} header, beside the CloudEvents headers
 */
public record OutgoingEvent(String topic, String key, CloudEventHeaders headers, byte[] payload, String traceparent) {

    /** An event outside any trace. */
    public OutgoingEvent(String topic, String key, CloudEventHeaders headers, byte[] payload) {
        this(topic, key, headers, payload, null);
    }

    /** The same event continuing the trace {@code parent} (null keeps this event's). */
    public OutgoingEvent withTraceparent(String parent) {
        return parent == null ? this : new OutgoingEvent(topic, key, headers, payload, parent);
    }
}
