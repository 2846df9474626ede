package org.recordline.testsupport;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.recordline.events.CloudEventHeaders;

/** CloudEvents headers for events that tests publish in place of an upstream service. */
public final class EventFixtures {

    private EventFixtures() {
    }

    /** Headers of an event of {@code type} about {@code submissionId}, with a fresh id. */
    public static Map<String, String> headers(String type, String submissionId) {
        return headers(UUID.randomUUID().toString(), type, submissionId);
    }

    /** Headers of an event with a given id (to test redelivery). */
    public static Map<String, String> headers(String eventId, String type, String submissionId) {
        return new CloudEventHeaders(eventId, "/recordline/test", type, Instant.now(), submissionId, submissionId)
                .asMap();
    }
}
