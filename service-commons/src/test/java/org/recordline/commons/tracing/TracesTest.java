package org.recordline.commons.tracing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

/** W3C Trace Context as Recordline carries it, against the specification's own example values. */
class TracesTest {

    /** The example of the W3C Trace Context specification, section 3.2.2.6 ("traceparent"). */
    private static final String EXAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    private static final SpanContext EXAMPLE_CONTEXT = SpanContext.createFromRemoteParent(
            "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getSampled(), TraceState.getDefault());

    @Test
    void writesTheSpecificationsTraceparent() {
        assertEquals(EXAMPLE, Traces.traceparent(EXAMPLE_CONTEXT));
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", Traces.traceparent(
                SpanContext.create("4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7", TraceFlags.getDefault(),
                        TraceState.getDefault())));
        assertNull(Traces.traceparent(SpanContext.getInvalid()));
        assertNull(Traces.current(), "no span is current in a plain test");
    }

    @Test
    void readsTheTraceparentOfAKafkaRecordAndOfAStoredString() {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_id", "e-1".getBytes(StandardCharsets.UTF_8));
        headers.add(Traces.TRACEPARENT, EXAMPLE.getBytes(StandardCharsets.UTF_8));
        SpanContext read = Span.fromContext(Traces.extract(headers)).getSpanContext();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", read.getTraceId());
        assertEquals("00f067aa0ba902b7", read.getSpanId());
        assertTrue(read.isSampled());
        assertTrue(read.isRemote());
        assertEquals(read, Span.fromContext(Traces.extract(EXAMPLE, null)).getSpanContext());

        // an all-zero trace id is invalid (W3C): no parent, a new trace starts
        assertFalse(Span.fromContext(Traces.extract("00-00000000000000000000000000000000-00f067aa0ba902b7-01", null))
                .getSpanContext().isValid());
        assertFalse(Span.fromContext(Traces.extract(new RecordHeaders())).getSpanContext().isValid());
        assertFalse(Span.fromContext(Traces.extract("not a traceparent", null)).getSpanContext().isValid());
    }

    @Test
    void writesTheTraceparentIntoHeaders() {
        Map<String, String> headers = new HashMap<>();
        Traces.inject(Context.root().with(Span.wrap(EXAMPLE_CONTEXT)), headers);
        assertEquals(EXAMPLE, headers.get(Traces.TRACEPARENT));
        assertFalse(headers.containsKey(Traces.TRACESTATE), "an empty trace state is not written");
    }

    @Test
    void anEventOfABatchContinuesTheTraceOfTheRecordWithItsCorrelationId() {
        SpanContext other = SpanContext.create("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault());
        Map<String, Context> batch = Map.of("sub-1", Context.root().with(Span.wrap(EXAMPLE_CONTEXT)),
                "sub-2", Context.root().with(Span.wrap(other)));
        String[] seen = Traces.inBatch(batch, () -> new String[] {Traces.forCorrelation("sub-1"),
                Traces.forCorrelation("sub-2"), Traces.forCorrelation("sub-3"), Traces.forCorrelation(null)});
        assertEquals(EXAMPLE, seen[0]);
        assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", seen[1]);
        assertNull(seen[2], "an id the batch does not hold falls back to the current span: none here");
        assertNull(seen[3]);
        assertNull(Traces.forCorrelation("sub-1"), "the batch's spans are gone once it is applied");

        // outside a batch, the current span (an HTTP request's) is the parent
        try (Scope ignored = Context.root().with(Span.wrap(other)).makeCurrent()) {
            assertEquals(seen[1], Traces.forCorrelation("anything"));
        }
    }

    @Test
    void aConsumerSpanStartedFromARecordIsAChildInTheSameTrace() {
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build()) {
            Tracer tracer = provider.get("test");
            RecordHeaders headers = new RecordHeaders();
            headers.add(Traces.TRACEPARENT, EXAMPLE.getBytes(StandardCharsets.UTF_8));
            Span span = tracer.spanBuilder("ehr.ingested.v1 process").setParent(Traces.extract(headers))
                    .setSpanKind(SpanKind.CONSUMER).startSpan();
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", span.getSpanContext().getTraceId());
            assertEquals("00f067aa0ba902b7", ((ReadableSpan) span).getParentSpanContext().getSpanId());
            String next = Traces.inBatch(Map.of("s", Context.root().with(span)), () -> Traces.forCorrelation("s"));
            assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-" + span.getSpanContext().getSpanId() + "-01", next);
            span.end();
        }
    }

    @Test
    void aLineAboutOneRecordNamesItsTraceAndCorrelationInTheLogContext() {
        Span span = Span.wrap(EXAMPLE_CONTEXT);
        String[] seen = new String[4];
        Traces.logAbout("sub-1", span, () -> {
            seen[0] = String.valueOf(org.jboss.logging.MDC.get(Traces.MDC_TRACE));
            seen[1] = String.valueOf(org.jboss.logging.MDC.get(Traces.MDC_SPAN));
            // a line about another record inside (the poison warning of a poll of one) and back
            Traces.logAbout("sub-2", null, () -> seen[3] = String.valueOf(org.jboss.logging.MDC.get(
                    Traces.MDC_CORRELATION)));
            seen[2] = String.valueOf(org.jboss.logging.MDC.get(Traces.MDC_CORRELATION));
        });
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", seen[0]);
        assertEquals("00f067aa0ba902b7", seen[1]);
        assertEquals("sub-1", seen[2], "the outer record's id is back after the inner line");
        assertEquals("sub-2", seen[3]);
        assertNull(org.jboss.logging.MDC.get(Traces.MDC_CORRELATION));
        assertNull(org.jboss.logging.MDC.get(Traces.MDC_TRACE));
    }

    @Test
    void samplesOnlyOnceAnEndpointIsConfigured() {
        String key = ExportingSampler.ENDPOINT_KEYS.get(0);
        SmallRyeConfig defaultsOnly = new SmallRyeConfigBuilder()
                .withDefaultValue(key, "http://localhost:4317/").build();
        assertFalse(ExportingSampler.exportConfigured(defaultsOnly), "Quarkus' built-in default is not a choice");
        SmallRyeConfig blank = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(Map.of(key, " "), "microprofile-config.properties", 100))
                .build();
        assertFalse(ExportingSampler.exportConfigured(blank));
        SmallRyeConfig set = new SmallRyeConfigBuilder().withDefaultValue(key, "http://localhost:4317/")
                .withSources(new PropertiesConfigSource(Map.of("quarkus.otel.exporter.otlp.endpoint",
                        "http://collector:4317"), "EnvConfigSource", 300)).build();
        assertTrue(ExportingSampler.exportConfigured(set));

        assertTrue(new ExportingSampler(false).getDescription().contains("AlwaysOff"));
        assertTrue(new ExportingSampler(true).getDescription().contains("ParentBased"));
        assertTrue(new ExportingSampler(true, "parentbased_traceidratio", 0.25).getDescription()
                .contains("TraceIdRatioBased{0.250000"), new ExportingSampler(true, "parentbased_traceidratio", 0.25)
                .getDescription());
        assertTrue(new ExportingSampler(false, "always_on", 1.0).getDescription().contains("AlwaysOff"),
                "no endpoint, nothing sampled, whatever the sampler");
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ExportingSampler.named("sometimes", 1.0));
    }
}
