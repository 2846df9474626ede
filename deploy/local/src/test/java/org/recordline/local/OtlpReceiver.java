package org.recordline.local;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * An OTLP/HTTP trace receiver in the test's JVM: the services export to it exactly as they would to a collector
 * ({@code http/protobuf}, {@code POST /v1/traces}), and it keeps every span it is sent.
 */
final class OtlpReceiver implements AutoCloseable {

    /**
     * One received span.
     *
     * @param service      the exporting service's {@code service.name}
     * @param traceId      hex
     * @param spanId       hex
     * @param parentSpanId hex, empty for a root
     * @param name         the span's name
     * @param kind         the span's kind (SPAN_KIND_SERVER, ...)
     */
    record ReceivedSpan(String service, String traceId, String spanId, String parentSpanId, String name,
                        String kind) {
    }

    private final HttpServer server;
    private final List<ReceivedSpan> spans = new CopyOnWriteArrayList<>();
    private final List<String> failures = new CopyOnWriteArrayList<>();

    OtlpReceiver() throws java.io.IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (InputStream in = exchange.getRequestBody()) {
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                for (ResourceSpans rs : request.getResourceSpansList()) {
                    String service = rs.getResource().getAttributesList().stream()
                            .filter(a -> a.getKey().equals("service.name")).map(KeyValue::getValue)
                            .map(v -> v.getStringValue()).findFirst().orElse("?");
                    for (ScopeSpans ss : rs.getScopeSpansList()) {
                        for (io.opentelemetry.proto.trace.v1.Span s : ss.getSpansList()) {
                            spans.add(new ReceivedSpan(service, hex(s.getTraceId()), hex(s.getSpanId()),
                                    hex(s.getParentSpanId()), s.getName(), s.getKind().name()));
                        }
                    }
                }
                exchange.getResponseHeaders().add("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, 0);
            } catch (RuntimeException | LinkageError e) {
                failures.add(e.toString());
                exchange.sendResponseHeaders(400, -1);
            } finally {
                exchange.close();
            }
        });
        server.start();
    }

    private static String hex(com.google.protobuf.ByteString b) {
        return HexFormat.of().formatHex(b.toByteArray());
    }

    /** Where the services export to ({@code quarkus.otel.exporter.otlp.traces.endpoint}). */
    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** What was received, for a failure message: spans per service and trace count. */
    String summary() {
        java.util.Map<String, Long> perService = new java.util.TreeMap<>();
        spans.forEach(s -> perService.merge(s.service(), 1L, Long::sum));
        return spans.size() + " spans in " + spans.stream().map(ReceivedSpan::traceId).distinct().count()
                + " traces, per service " + perService + (failures.isEmpty() ? "" : "; failed to read " + failures);
    }

    /** Every span of one trace received so far. */
    List<ReceivedSpan> trace(String traceId) {
        return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
