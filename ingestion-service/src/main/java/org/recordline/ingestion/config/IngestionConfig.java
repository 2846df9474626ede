package org.recordline.ingestion.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Limits and timeouts of the ingestion endpoints. */
@ConfigMapping(prefix = "recordline.ingestion")
public interface IngestionConfig {

    /** Largest accepted submission body in bytes; larger ones get 413. */
    @WithDefault("10485760")
    int maxSubmissionBytes();

    /** Deepest accepted JSON nesting; deeper documents get 400. */
    @WithDefault("64")
    int maxJsonDepth();

    /** Most entries accepted in one Bundle; more get 413. */
    @WithDefault("5000")
    int maxBundleEntries();

    /** How long a submission waits for the broker's acknowledgement before it answers 503. */
    @WithDefault("15s")
    Duration publishTimeout();
}
