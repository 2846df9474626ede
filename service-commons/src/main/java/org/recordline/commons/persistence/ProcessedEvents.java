package org.recordline.commons.persistence;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;

/**
 * The idempotency record of a consumer: the ids of the events it has applied, written in the same transaction as the
 * effect. A redelivered event finds its id already there and changes nothing.
 */
@ApplicationScoped
public class ProcessedEvents {

    private static final String CLAIM = "INSERT INTO processed_event (consumer, event_id) VALUES (?, ?) "
            + "ON CONFLICT DO NOTHING";

    private final AgroalDataSource dataSource;

    public ProcessedEvents(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /**
     * Records that {@code consumer} applies {@code eventId} now.
     *
     * @return true the first time, false if the event was applied before (then the caller must do nothing)
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public boolean firstDelivery(String consumer, String eventId) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(CLAIM)) {
            ps.setString(1, consumer);
            ps.setString(2, eventId);
            return ps.executeUpdate() == 1;
        } catch (SQLException e) {
            throw new DataAccessException("processed-event claim failed", e);
        }
    }
}
