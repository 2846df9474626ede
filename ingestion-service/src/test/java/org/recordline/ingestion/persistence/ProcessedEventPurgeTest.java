package org.recordline.ingestion.persistence;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.RecordlineStackResource;

/**
 * Idempotency records older than the topics' retention (plus a margin) can no longer be redelivered; the scheduled
 * purge removes them and keeps everything younger.
 */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class ProcessedEventPurgeTest {

    @Inject
    AgroalDataSource dataSource;

    @Test
    void recordsOlderThanTheRetentionArePurgedOnScheduleAndYoungerOnesKept() throws Exception {
        String old = "purge-old-" + UUID.randomUUID();
        String young = "purge-young-" + UUID.randomUUID();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO processed_event (consumer, event_id, processed_at) VALUES ('purge-test', ?, now() - ?::interval)")) {
            ps.setString(1, old);
            ps.setString(2, "30 days");
            ps.executeUpdate();
            ps.setString(1, young);
            ps.setString(2, "1 day");
            ps.executeUpdate();
        }
        // nobody calls the purge: the schedule (every second in the test profile) must find the old record
        await().atMost(Duration.ofSeconds(30)).until(() -> count(old) == 0);
        assertEquals(1, count(young), "a record younger than the retention stays");
    }

    private int count(String eventId) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT count(*) FROM processed_event WHERE event_id = ?")) {
            ps.setString(1, eventId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
