package org.recordline.commons.messaging;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.InvalidEventException;

/**
 * A consumed event, checked against the contract: CloudEvents headers present, the expected type, a payload that
 * decodes. Anything else is an {@link InvalidEventException}, which sends the record to the dead-letter topic.
 *
 * @param headers the CloudEvents attributes
 * @param key     the record key
 * @param payload the decoded event record
 * @param <T>     the event record type
 */
public record IncomingEvent<T>(CloudEventHeaders headers, String key, T payload) {

    /** Decodes {@code record} as an event of {@code expectedType} and class {@code payloadClass}. */
    public static <T> IncomingEvent<T> decode(ConsumerRecord<String, byte[]> record, String expectedType,
                                              Class<T> payloadClass) {
        CloudEventHeaders headers = CloudEventHeaders.readFrom(record.headers());
        if (!expectedType.equals(headers.type())) {
            throw new InvalidEventException("unexpected event type " + headers.type() + " on " + record.topic()
                    + ", expected " + expectedType);
        }
        return new IncomingEvent<>(headers, record.key(), EventCodec.decode(record.value(), payloadClass));
    }
}
