package org.recordline.console.pipeline;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Reads the four services' Prometheus metrics from their management ports (health and metrics, no token, never
 * exposed publicly) for the pipeline page. Reads nothing about patients.
 */
@ApplicationScoped
public class PipelineReader {

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, String> managementUrls = new LinkedHashMap<>();

    public PipelineReader(
            @ConfigProperty(name = "recordline.console.management.ingestion") String ingestion,
            @ConfigProperty(name = "recordline.console.management.validation") String validation,
            @ConfigProperty(name = "recordline.console.management.index") String index,
            @ConfigProperty(name = "recordline.console.management.audit") String audit) {
        managementUrls.put("ingestion-service", ingestion);
        managementUrls.put("validation-service", validation);
        managementUrls.put("index-service", index);
        managementUrls.put("audit-service", audit);
    }

    /** The figures now. */
    public PipelineFigures read() {
        int[] quarantine = {-1};
        Map<String, Double> processed = PipelineFigures.empty();
        Map<String, Double> dead = PipelineFigures.empty();
        Map<String, Double> lag = PipelineFigures.empty();
        List<String> unreachable = new ArrayList<>();
        managementUrls.forEach((service, base) -> {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(strip(base) + "/q/metrics"))
                        .timeout(Duration.ofSeconds(3)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 200) {
                    unreachable.add(service);
                    return;
                }
                PrometheusText metrics = PrometheusText.parse(r.body());
                PipelineFigures.add(service, metrics, processed, dead, lag);
                quarantine[0] = Math.max(quarantine[0], PipelineFigures.quarantine(metrics));
            } catch (IOException e) {
                unreachable.add(service);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                unreachable.add(service);
            }
        });
        return new PipelineFigures(System.currentTimeMillis(), processed, dead, lag, quarantine[0], unreachable);
    }

    private static String strip(String url) {
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }
}
