package org.recordline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The topic list the launcher and the test broker create. */
class TopicsTest {

    private static final List<String> TOPICS = List.of(Topics.INGESTED, Topics.VALIDATED, Topics.QUARANTINED,
            Topics.RECORD_CHANGES, Topics.AUDIT, Topics.INBOUND);

    @Test
    void allContainsEveryTopic() {
        List<String> all = Topics.all();
        for (String topic : TOPICS) {
            assertTrue(all.contains(topic), topic);
        }
    }

    @Test
    void allContainsTheDeadLetterTopicOfEveryTopic() {
        List<String> all = Topics.all();
        for (String topic : TOPICS) {
            assertTrue(all.contains(topic + ".dlq"), topic + ".dlq");
        }
    }

    @Test
    void allHasNoOtherTopicsAndNoDuplicates() {
        List<String> all = Topics.all();
        assertEquals(14, all.size());
        assertEquals(14, new HashSet<>(all).size());
        assertTrue(all.contains(Topics.INBOUND_RESULTS));
        assertFalse(all.contains(Topics.INBOUND_RESULTS + ".dlq"), "nothing in Recordline consumes it");
    }

    @Test
    void theCheckpointTopicIsContractedAndHasNoDeadLetterTopic() {
        assertEquals("ehr.audit-checkpoints.v1", Topics.AUDIT_CHECKPOINTS);
        assertTrue(Topics.all().contains(Topics.AUDIT_CHECKPOINTS));
        assertFalse(Topics.all().contains(Topics.AUDIT_CHECKPOINTS + ".dlq"), "nothing in Recordline consumes it");
    }

    @Test
    void topicNamesAreTheContractedOnes() {
        assertEquals(List.of("ehr.ingested.v1", "ehr.validated.v1", "ehr.quarantined.v1", "ehr.record-changes.v1",
                "ehr.audit.v1", "ehr.inbound.v1"), TOPICS);
        assertEquals("ehr.inbound-results.v1", Topics.INBOUND_RESULTS);
    }

    @Test
    void deadLetterOfAppendsTheSuffix() {
        assertEquals("ehr.ingested.v1.dlq", Topics.deadLetterOf(Topics.INGESTED));
        assertEquals("any.dlq", Topics.deadLetterOf("any"));
        assertEquals(".dlq", Topics.DEAD_LETTER_SUFFIX);
    }
}
