package org.recordline.commons.outbox;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class OutboxRelayRefusalTest {

    @Test
    void onlyWhatTheBrokerWillNeverTakeIsSetAside() {
        assertTrue(OutboxRelay.refusedForGood(new RecordTooLargeException("too large")));
        assertTrue(OutboxRelay.refusedForGood(new TopicAuthorizationException("no")));
        assertTrue(OutboxRelay.refusedForGood(new InvalidTopicException("bad name")));
        // an outage or a leader election passes: those rows wait for the next round, in their order
        assertFalse(OutboxRelay.refusedForGood(new TimeoutException("broker away")));
        assertFalse(OutboxRelay.refusedForGood(new NotLeaderOrFollowerException("election")));
        assertFalse(OutboxRelay.refusedForGood(new IllegalStateException("producer closed")));
    }
}
