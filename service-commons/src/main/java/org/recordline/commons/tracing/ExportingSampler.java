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
 * Samples as {@code quarkus.otel.traces.sampler} and its {@code .arg} say (Recordline's default
 * {@code parentbased_traceidratio} with {@code OTEL_TRACES_SAMPLER_ARG}, 1.0: every trace) once an
 * OTLP endpoint is configured, and nothing before: spans and their context are made either way, so the trace travels
 * over every hop and into the logs, but without an endpoint nothing is recorded or sent. Quarkus' own default would
 * send to {@code localhost:4317} and log every failure. (Quarkus takes a CDI sampler instead of its configured one, so
 * this one reads that configuration itself.)
 */
@Singleton
@Unremovable
public class ExportingSampler implements Sampler {

    /** The keys that name where spans go; either set (not by a default) turns sampling on. */
    static final List<String> ENDPOINT_KEYS = List.of("quarkus.otel.exporter.otlp.traces.endpoint",
            "quarkus.otel.exporter.otlp.endpoint");

    private final Sampler delegate;

    public ExportingSampler() {
        this(exportConfigured(ConfigProvider.getConfig()), ConfigProvider.getConfig()
                .getOptionalValue("quarkus.otel.traces.sampler", String.class).orElse("parentbased_traceidratio"),
                ConfigProvider.getConfig().getOptionalValue("quarkus.otel.traces.sampler.arg", Double.class)
                        .orElse(1.0));
    }

    ExportingSampler(boolean export) {
        this(export, "parentbased_always_on", 1.0);
    }

    /**
     * @param export  whether an endpoint is configured
     * @param sampler an OpenTelemetry sampler name ({@code always_on}, {@code always_off}, {@code traceidratio} and
     *                their {@code parentbased_} forms)
     * @param ratio   the ratio of a {@code traceidratio} sampler
     */
    ExportingSampler(boolean export, String sampler, double ratio) {
        this.delegate = export ? named(sampler, ratio) : Sampler.alwaysOff();
    }

    static Sampler named(String name, double ratio) {
        return switch (name.strip()) {
            case "always_on" -> Sampler.alwaysOn();
            case "always_off" -> Sampler.alwaysOff();
            case "traceidratio" -> Sampler.traceIdRatioBased(ratio);
            case "parentbased_always_on" -> Sampler.parentBased(Sampler.alwaysOn());
            case "parentbased_always_off" -> Sampler.parentBased(Sampler.alwaysOff());
            case "parentbased_traceidratio" -> Sampler.parentBased(Sampler.traceIdRatioBased(ratio));
            default -> throw new IllegalArgumentException("quarkus.otel.traces.sampler: unknown sampler " + name);
        };
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
