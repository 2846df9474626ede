package org.recordline.commons.tracing;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import io.quarkus.arc.Unremovable;
import jakarta.inject.Singleton;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.eclipse.microprofile.config.ConfigValue;

/**
 * Samples every trace (parent-based) once an OTLP endpoint is configured, and none before: spans and their context
 * are made either way, so the trace travels over every hop and into the logs, but without an endpoint nothing is
 * recorded or sent. Quarkus' own default would send to {@code localhost:4317} and log every failure.
 */
@Singleton
@Unremovable
public class ExportingSampler implements Sampler {

    /** The keys that name where spans go; either set (not by a default) turns sampling on. */
    static final List<String> ENDPOINT_KEYS = List.of("quarkus.otel.exporter.otlp.traces.endpoint",
            "quarkus.otel.exporter.otlp.endpoint");

    private final Sampler delegate;

    public ExportingSampler() {
        this(exportConfigured(ConfigProvider.getConfig()));
    }

    ExportingSampler(boolean export) {
        this.delegate = export ? Sampler.parentBased(Sampler.alwaysOn()) : Sampler.alwaysOff();
    }

    /** Whether an endpoint is set by the environment or a properties file (not only Quarkus' built-in default). */
    static boolean exportConfigured(Config config) {
        for (String key : ENDPOINT_KEYS) {
            ConfigValue v = config.getConfigValue(key);
            if (v != null && v.getValue() != null && !v.getValue().isBlank() && v.getSourceName() != null
                    && !v.getSourceName().contains("DefaultValues")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
                                       Attributes attributes, List<LinkData> parentLinks) {
        return delegate.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "Recordline(" + delegate.getDescription() + ")";
    }
}
