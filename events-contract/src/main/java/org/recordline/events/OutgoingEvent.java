package org.recordline.events;

/**
 * An event ready to be published: topic, key, CloudEvents headers and encoded payload.
 *
 * @param topic   destination topic
 * @param key     partitioning key (see the topic's documentation in {@link Topics})
 * @param headers CloudEvents attributes
 * @param payload the event record as JSON
 */
public record OutgoingEvent(String topic, String key, CloudEventHeaders headers, byte[] payload) {

}
