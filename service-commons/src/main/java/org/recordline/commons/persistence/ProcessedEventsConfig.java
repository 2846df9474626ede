package org.recordline.commons.persistence;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How long idempotency records are kept, and how they are purged. */
@ConfigMapping(prefix = "recordline.processed-events")
public interface ProcessedEventsConfig {

    /**
     * How long a record of an applied event is kept: an event older than its topic's retention can no longer be
     * redelivered, so the default is the topics' retention ({@code Topics.RETENTION}, 7 days) plus a day's margin.
     */
    @WithDefault("P8D")
    Duration retention();

    /** How often the purge runs, in the scheduler's {@code every} form ({@code 1h}, {@code 30m}, {@code 1s}). */
    @WithDefault("1h")
    String purgeInterval();

    /** Whether this service purges (off in a service without a {@code processed_event} table). */
    @WithDefault("true")
    boolean purgeEnabled();

    /** Rows deleted per statement, so a large backlog is removed in short transactions. */
    @WithDefault("10000")
    int purgeBatch();
}
