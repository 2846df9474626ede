package org.recordline.commons.outbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.type.TypeReference;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recordline.commons.tracing.Traces;
import org.recordline.events.CloudEventHeaders;
import org.recordline.events.EventCodec;
import org.recordline.events.OutgoingEvent;

/**
 * The trace context through the outbox, against the W3C specification's example: stored in the row's headers by the
 * writer, continued by the relay's producer span, whose context the published record carries.
 */
class OutboxTraceTest {

    private static final String EXAMPLE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private static OutgoingEvent event(String traceparent) {
        return new OutgoingEvent("ehr.ingested.v1", "src|1", new CloudEventHeaders("e-1", "/recordline/test",
                "org.recordline.ehr.ingested.v1", Instant.parse("2026-11-29T00:00:00Z"), "sub-1", "sub-1"),
                "{}".getBytes(StandardCharsets.UTF_8), traceparent);
    }

    private static Map<String, String> read(String json) throws Exception {
        return new HashMap<>(EventCodec.mapper().readValue(json, new TypeReference<Map<String, String>>() { }));
    }

    @Test
    void theWriterStoresTheActsTraceparentBesideTheCloudEventsHeaders() throws Exception {
        Map<String, String> row = read(OutboxWriter.headersJson(event(EXAMPLE)));
        assertEquals(EXAMPLE, row.get(Traces.TRACEPARENT));
        assertEquals("e-1", row.get(CloudEventHeaders.CE_ID));
        assertEquals("sub-1", row.get(CloudEventHeaders.CORRELATION_ID));

        Map<String, String> untraced = read(OutboxWriter.headersJson(event(null)));
        assertFalse(untraced.containsKey(Traces.TRACEPARENT), "an act outside any trace stores none");
        assertEquals(event(null).headers().asMap(), untraced);
    }

    @Test
    void theRelaysPublicationIsAChildOfTheStoredContextAndTheRecordCarriesIt() throws Exception {
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOn()).build()) {
            Map<String, String> headers = read(OutboxWriter.headersJson(event(EXAMPLE)));
            headers.put(Traces.TRACESTATE, "congo=t61rcWkgMzE");
            Span span = OutboxRelay.startPublication(provider.get("test"), "ehr.ingested.v1", headers);
            span.end();
            ReadableSpan publication = (ReadableSpan) span;
            assertEquals(SpanKind.PRODUCER, publication.getKind());
            assertEquals("ehr.ingested.v1 publish", publication.getName());
            assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", publication.getSpanContext().getTraceId());
            assertEquals("00f067aa0ba902b7", publication.getParentSpanContext().getSpanId());
            // the record's header names the publication, not the act: the consumer's span is the publication's child
            assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-" + publication.getSpanContext().getSpanId() + "-01",
                    headers.get(Traces.TRACEPARENT));
            assertEquals("congo=t61rcWkgMzE", headers.get(Traces.TRACESTATE), "vendor state travels on");
            assertEquals("e-1", headers.get(CloudEventHeaders.CE_ID));

            // a row of an untraced act: the publication starts a trace, and the record still carries it
            Map<String, String> untraced = read(OutboxWriter.headersJson(event(null)));
            Span root = OutboxRelay.startPublication(provider.get("test"), "ehr.audit.v1", untraced);
            root.end();
            assertFalse(((ReadableSpan) root).getParentSpanContext().isValid());
            assertNotEquals("4bf92f3577b34da6a3ce929d0e0e4736", root.getSpanContext().getTraceId());
            assertEquals(Traces.traceparent(root.getSpanContext()), untraced.get(Traces.TRACEPARENT));
        }
    }

    @Test
    void withExportOffTheContextStillTravels() throws Exception {
        // no endpoint: nothing is sampled, but the trace id continues and the record names a span of it
        try (SdkTracerProvider provider = SdkTracerProvider.builder().setSampler(Sampler.alwaysOff()).build()) {
            Map<String, String> headers = read(OutboxWriter.headersJson(event(
                    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")));
            Span span = OutboxRelay.startPublication(provider.get("test"), "ehr.ingested.v1", headers);
            span.end();
            assertFalse(span.isRecording());
            String sent = headers.get(Traces.TRACEPARENT);
            assertTrue(sent.startsWith("00-4bf92f3577b34da6a3ce929d0e0e4736-") && sent.endsWith("-00"), sent);
            assertNotEquals("00f067aa0ba902b7", sent.substring(36, 52));
        }
    }
}
