package org.recordline.validation.outbox;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.recordline.commons.outbox.OutboxRelay;
import org.recordline.events.Topics;
import org.recordline.testsupport.RecordlineStackResource;
import org.recordline.testsupport.TopicClient;

/** The outbox relay of service-commons, against the real broker and database of this service. */
@QuarkusTest
@QuarkusTestResource(RecordlineStackResource.class)
class OutboxRelayTest {

    @Inject
    AgroalDataSource dataSource;

    @Inject
    OutboxRelay relay;

    private long insert(String key, byte[] payload) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO outbox_event (topic, msg_key, headers, payload) VALUES (?, ?, '{}'::jsonb, ?) "
                        + "RETURNING id")) {
            ps.setString(1, Topics.AUDIT);
            ps.setString(2, key);
            ps.setBytes(3, payload);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    private long count(String sql, long id) throws Exception {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    @Test
    void aRowTheBrokerRefusesForGoodMovesAsideAndTheRowsBehindItArePublished() throws Exception {
        String marker = "relay-marker-" + UUID.randomUUID();
        // larger than any record the broker or the producer takes: it can never be published
        long tooLarge = insert("relay-too-large-" + UUID.randomUUID(), new byte[Topics.MAX_MESSAGE_BYTES + 1024]);
        long behind = insert(marker, "{}".getBytes());
        relay.wakeUp();

        await().atMost(Duration.ofSeconds(60)).until(() ->
                count("SELECT count(*) FROM outbox_event WHERE id = ?", behind) == 0);
        assertEquals(1, count("SELECT count(*) FROM outbox_dead_event WHERE id = ? "
                + "AND reason = 'RecordTooLargeException'", tooLarge), "the refused row is kept aside with its reason");
        assertEquals(0, count("SELECT count(*) FROM outbox_event WHERE id = ?", tooLarge));
        var published = new TopicClient(RecordlineStackResource.broker().bootstrapServers())
                .find(Topics.AUDIT, r -> marker.equals(r.key()));
        assertEquals(1, published.size(), "the row behind the refused one is published, once");
        assertTrue(relay.leader(), "the only instance leads its service's relay");
    }
}
