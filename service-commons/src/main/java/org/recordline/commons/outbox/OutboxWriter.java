package org.recordline.commons.outbox;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.commons.tracing.Traces;
import org.recordline.events.EventCodec;
import org.recordline.events.OutgoingEvent;

/**
 * Writes events to the service's {@code outbox_event} table inside the caller's transaction, so that the state change
 * and its events commit together or not at all. The {@link OutboxRelay} publishes them afterwards: a transaction
 * that added events wakes this instance's relay when it commits, and notifies the relays of the service's other
 * instances ({@code NOTIFY}, delivered by PostgreSQL at commit), so no event waits for a poll.
 */
@ApplicationScoped
public class OutboxWriter {

    /**
     * All the events in one statement, their ids drawn in the events' order (the rows are fed to the insert ordered
     * by their position, and each row draws its id from the sequence as it is inserted).
     */
    private static final String INSERT = "INSERT INTO outbox_event (topic, msg_key, headers, payload)"
            + " SELECT t, k, h::jsonb, p FROM unnest(?::varchar[], ?::varchar[], ?::text[], ?::bytea[])"
            + " WITH ORDINALITY AS e (t, k, h, p, n) ORDER BY n RETURNING id";

    private static final Object WAKE_REGISTERED = new Object();

    private final AgroalDataSource dataSource;
    private final TransactionSynchronizationRegistry transactions;
    private final OutboxRelay relay;

    public OutboxWriter(AgroalDataSource dataSource, TransactionSynchronizationRegistry transactions,
                        OutboxRelay relay) {
        this.dataSource = dataSource;
        this.transactions = transactions;
        this.relay = relay;
    }

    /** Adds events to the outbox in one batch; returns their outbox ids, in order. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<Long> add(List<OutgoingEvent> events) {
        List<Long> ids = new ArrayList<>(events.size());
        if (events.isEmpty()) {
            return ids;
        }
        String[] topics = new String[events.size()];
        String[] keys = new String[events.size()];
        String[] headers = new String[events.size()];
        byte[][] payloads = new byte[events.size()][];
        for (int i = 0; i < events.size(); i++) {
            OutgoingEvent e = events.get(i);
            topics[i] = e.topic();
            keys[i] = e.key();
            headers[i] = headersJson(e);
            payloads[i] = e.payload();
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            ps.setArray(1, c.createArrayOf("varchar", topics));
            ps.setArray(2, c.createArrayOf("varchar", keys));
            ps.setArray(3, c.createArrayOf("text", headers));
            ps.setArray(4, c.createArrayOf("bytea", payloads));
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
            // RETURNING lists the rows as inserted; sorted, the ids are the events' order whatever it lists
            ids.sort(null);
            wakeRelayOnCommit(c);
        } catch (SQLException e) {
            throw new DataAccessException("outbox insert failed", e);
        }
        return ids;
    }

    /**
     * The row's {@code headers}: the event's CloudEvents headers and, when the act that made it was traced, its
     * {@code traceparent}, which the relay continues ({@link OutboxRelay#startPublication}).
     */
    static String headersJson(OutgoingEvent e) {
        java.util.Map<String, String> h = e.headers().asMap();
        if (e.traceparent() != null) {
            h.put(Traces.TRACEPARENT, e.traceparent());
        }
        return new String(EventCodec.encode(h), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Once per transaction: wake this instance's relay after the commit, and NOTIFY the other instances' relays. */
    private void wakeRelayOnCommit(Connection c) throws SQLException {
        if (transactions.getResource(WAKE_REGISTERED) != null) {
            return;
        }
        transactions.putResource(WAKE_REGISTERED, Boolean.TRUE);
        try (PreparedStatement notify = c.prepareStatement("SELECT pg_notify(?, NULL)")) {
            notify.setString(1, relay.channel());
            notify.execute();
        }
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    relay.wakeUp();
                }
            }
        });
    }

    /** Outbox ids of the events about {@code submissionId} that the broker has not acknowledged yet. */
    @Transactional(Transactional.TxType.MANDATORY)
    public List<Long> pendingFor(String submissionId) {
        List<Long> ids = new ArrayList<>();
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT id FROM outbox_event WHERE headers ->> 'ce_correlationid' = ? ORDER BY id")) {
            ps.setString(1, submissionId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getLong(1));
                }
            }
        } catch (SQLException e) {
            throw new DataAccessException("outbox lookup failed", e);
        }
        return ids;
    }

    /** Adds one event to the outbox; returns its outbox id. */
    @Transactional(Transactional.TxType.MANDATORY)
    public long add(OutgoingEvent event) {
        return add(List.of(event)).get(0);
    }
}
