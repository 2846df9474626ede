package org.recordline.commons.outbox;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Settings of the transactional outbox relay. */
@ConfigMapping(prefix = "recordline.outbox")
public interface OutboxConfig {

    /** Whether this service runs a relay (a service without an outbox table turns it off). */
    @WithDefault("true")
    boolean enabled();

    /**
     * How often the relay looks for unpublished events when nobody woke it up (every commit wakes it; this is the
     * safety net), and how often a standby instance tries to take over the leadership.
     */
    @WithDefault("500ms")
    Duration pollInterval();

    /** Most events published in one relay round (also capped at 16 MB of payload). */
    @WithDefault("2000")
    int batchSize();

    /** How long one round waits for the broker to acknowledge its events before it gives up and retries. */
    @WithDefault("30s")
    Duration publishTimeout();
}
