package org.recordline.commons.persistence;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * Deletes idempotency records ({@code processed_event}) older than {@link ProcessedEventsConfig#retention()}, on a
 * schedule ({@code recordline.processed-events.purge-interval}, default hourly), in batches of short transactions.
 * A record is only needed while its event can still be redelivered, i.e. while the event is still on its topic.
 */
@ApplicationScoped
public class ProcessedEventPurge {

    private static final Logger LOG = Logger.getLogger(ProcessedEventPurge.class);
    private static final String PURGE = "DELETE FROM processed_event WHERE ctid = ANY (ARRAY ("
            + "SELECT ctid FROM processed_event WHERE processed_at < now() - make_interval(secs => ?) LIMIT ?))";

    private final AgroalDataSource dataSource;
    private final ProcessedEventsConfig config;
    private final Counter purged;

    public ProcessedEventPurge(AgroalDataSource dataSource, ProcessedEventsConfig config, MeterRegistry registry) {
        this.dataSource = dataSource;
        this.config = config;
        this.purged = Counter.builder("recordline.processed-events.purged")
                .description("idempotency records deleted after the retention").register(registry);
    }

    @Scheduled(identity = "processed-event-purge", every = "${recordline.processed-events.purge-interval:1h}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void onSchedule() {
        if (!config.purgeEnabled()) {
            return;
        }
        try {
            purge();
        } catch (RuntimeException e) {
            // the next run tries again; an outage must not stop the schedule
            LOG.warnf("purge of processed events failed: %s", e.getClass().getSimpleName());
        }
    }

    /** Deletes every record older than the retention; returns how many. */
    public long purge() {
        long total = 0;
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(PURGE)) {
            int n;
            do {
                ps.setLong(1, config.retention().toSeconds());
                ps.setInt(2, config.purgeBatch());
                n = ps.executeUpdate();
                total += n;
            } while (n == config.purgeBatch());
        } catch (SQLException e) {
            throw new DataAccessException("processed-event purge failed", e);
        }
        purged.increment(total);
        if (total > 0) {
            LOG.infof("purged %d processed-event records older than %s", total, config.retention());
        }
        return total;
    }
}
