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

    /** Longest number literal accepted, in characters; longer ones get 400. FHIR decimals need about 20. */
    @WithDefault("64")
    int maxNumberLength();

    /** Deepest element nesting accepted inside a narrative's XHTML ({@code text.div}); deeper ones get 400. */
    @WithDefault("32")
    int maxXhtmlDepth();

    /** Most entries accepted in one Bundle; more get 413. */
    @WithDefault("5000")
    int maxBundleEntries();

    /** How long a submission waits for the broker's acknowledgement before it answers 503. */
    @WithDefault("15s")
    Duration publishTimeout();
}
