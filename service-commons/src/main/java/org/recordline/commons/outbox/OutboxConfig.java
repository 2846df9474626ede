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

    /** How often the relay looks for unpublished events when nobody woke it up. */
    @WithDefault("500ms")
    Duration pollInterval();

    /** Most events published in one relay round (one database transaction). */
    @WithDefault("500")
    int batchSize();

    /** How long one round waits for the broker to acknowledge its events before it gives up and retries. */
    @WithDefault("30s")
    Duration publishTimeout();
}
