package org.recordline.commons.persistence;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The idempotency record of a consumer: the ids of the events it has applied, written in the same transaction as the
 * effect. A redelivered event finds its id already there and changes nothing.
 */
@ApplicationScoped
public class ProcessedEvents {


    private static final String CLAIM_ALL = "INSERT INTO processed_event (consumer, event_id) "
            + "SELECT ?, e FROM unnest(?::varchar[]) AS e ON CONFLICT DO NOTHING RETURNING event_id";

    private final AgroalDataSource dataSource;

    public ProcessedEvents(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records that {@code consumer} applies all of {@code eventIds} now, in one statement.
     *
     * @return the ids delivered for the first time (an id twice in the list counts once); the caller applies only
     *         the events with these ids, the first time each occurs
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public Set<String> firstDeliveries(String consumer, List<String> eventIds) {
        Set<String> fresh = new HashSet<>();
        if (eventIds.isEmpty()) {
            return fresh;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(CLAIM_ALL)) {
            ps.setString(1, consumer);
            ps.setArray(2, c.createArrayOf("varchar", eventIds.toArray()));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    fresh.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("processed-event claim failed", e);
        }
        return fresh;
    }
}
