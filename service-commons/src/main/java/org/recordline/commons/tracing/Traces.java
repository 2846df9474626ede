package org.recordline.commons.tracing;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * W3C Trace Context on Kafka records and in the outbox, beside the correlation id: how one submission stays one
 * trace from its {@code POST} through every topic, consumer and audit entry.
 *
 * <ul>
 *   <li>An HTTP request's server span (Quarkus' REST instrumentation) is current while the request builds its events.</li>
 *   <li>A consumer applies a poll in one transaction, not one record at a time, so no single span can be current:
 *       {@link #inBatch} makes each record's consumer span findable by the record's correlation id (else its
 *       {@code ce_id}), and an event about that correlation id takes its parent from there ({@link #forCorrelation}).</li>
 *   <li>An event carries the parent as a {@code traceparent} string into the outbox; the relay publishes it under a
 *       producer span of its own, whose context becomes the record's {@code traceparent} header.</li>
 * </ul>
 */
public final class Traces {

    /** W3C Trace Context header of the parent span. */
    public static final String TRACEPARENT = "traceparent";
    /** W3C Trace Context vendor state. */
    public static final String TRACESTATE = "tracestate";

    /** The log MDC key of the correlation id (the submission id, or a request's {@code X-Correlation-Id}). */
    public static final String MDC_CORRELATION = "correlationId";
    /** The log MDC key of the trace id (the one Quarkus' OpenTelemetry uses for the current span). */
    public static final String MDC_TRACE = "traceId";
    /** The log MDC key of the span id. */
    public static final String MDC_SPAN = "spanId";

    private static final W3CTraceContextPropagator W3C = W3CTraceContextPropagator.getInstance();
    private static final ThreadLocal<Map<String, Context>> BATCH = new ThreadLocal<>();

    private static final TextMapGetter<Headers> KAFKA_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers carrier) {
            List<String> keys = new ArrayList<>();
            for (Header h : carrier) {
                keys.add(h.key());
            }
            return keys;
        }

        @Override
        public String get(Headers carrier, String key) {
            Header h = carrier == null ? null : carrier.lastHeader(key);
            return h == null || h.value() == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
    };

    private static final TextMapGetter<Map<String, String>> MAP_GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };

    private static final TextMapSetter<Map<String, String>> MAP_SETTER = (carrier, key, value) -> {
        if (carrier != null) {
            carrier.put(key, value);
        }
    };

    private Traces() {
    }

    /** The W3C {@code traceparent} of a span context ({@code 00-<trace>-<span>-<flags>}); null if it is not valid. */
    public static String traceparent(SpanContext c) {
        if (c == null || !c.isValid()) {
            return null;
        }
        return "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex();
    }

    /** The {@code traceparent} of the current span; null when no valid span is current. */
    public static String current() {
        return traceparent(Span.current().getSpanContext());
    }

    /**
     * The {@code traceparent} an event about {@code correlationId} continues: the consumer span of the record with
     * that correlation id in the batch this thread is applying, else the current span; null when neither exists.
     */
    public static String forCorrelation(String correlationId) {
        Map<String, Context> batch = BATCH.get();
        if (batch != null && correlationId != null) {
            Context c = batch.get(correlationId);
            if (c != null) {
                return traceparent(Span.fromContext(c).getSpanContext());
            }
        }
        return current();
    }

    /** Runs {@code work} with the consumer spans of a batch findable by correlation id ({@link #forCorrelation}). */
    public static <T> T inBatch(Map<String, Context> spansByCorrelation, Supplier<T> work) {
        Map<String, Context> before = BATCH.get();
        BATCH.set(spansByCorrelation);
        try {
            return work.get();
        } finally {
            if (before == null) {
                BATCH.remove();
            } else {
                BATCH.set(before);
            }
        }
    }

    /**
     * Runs {@code log} with a record's correlation and span ids in the log MDC, for a line about one record of a
     * batch (no single span is current while a batch is applied), or the whole work of a poll of one record; the
     * MDC's entries before are restored after.
     */
    public static void logAbout(String correlationId, Span span, Runnable log) {
        SpanContext c = span == null ? SpanContext.getInvalid() : span.getSpanContext();
        Object correlationBefore = org.jboss.logging.MDC.get(MDC_CORRELATION);
        Object traceBefore = org.jboss.logging.MDC.get(MDC_TRACE);
        Object spanBefore = org.jboss.logging.MDC.get(MDC_SPAN);
        org.jboss.logging.MDC.put(MDC_CORRELATION, correlationId == null ? "" : correlationId);
        org.jboss.logging.MDC.put(MDC_TRACE, c.isValid() ? c.getTraceId() : "");
        org.jboss.logging.MDC.put(MDC_SPAN, c.isValid() ? c.getSpanId() : "");
        try {
            log.run();
        } finally {
            restore(MDC_CORRELATION, correlationBefore);
            restore(MDC_TRACE, traceBefore);
            restore(MDC_SPAN, spanBefore);
        }
    }

    private static void restore(String key, Object before) {
        if (before == null) {
            org.jboss.logging.MDC.remove(key);
        } else {
            org.jboss.logging.MDC.put(key, before);
        }
    }

    /** The trace context a consumed record carries in its headers (the root context if none). */
    public static Context extract(Headers headers) {
        return W3C.extract(Context.root(), headers, KAFKA_GETTER);
    }

    /** The trace context of a {@code traceparent} (and {@code tracestate}, may be null) string. */
    public static Context extract(String traceparent, String tracestate) {
        if (traceparent == null) {
            return Context.root();
        }
        Map<String, String> m = tracestate == null ? Map.of(TRACEPARENT, traceparent)
                : Map.of(TRACEPARENT, traceparent, TRACESTATE, tracestate);
        return W3C.extract(Context.root(), m, MAP_GETTER);
    }

    /** Writes the trace context of {@code context} as {@code traceparent}/{@code tracestate} into {@code headers}. */
    public static void inject(Context context, Map<String, String> headers) {
        W3C.inject(context, headers, MAP_SETTER);
    }
}
