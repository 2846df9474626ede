package org.recordline.console.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {

    /** The example of the Prometheus text exposition format's documentation (exposition_formats.md), in part. */
    static final String SPEC_EXAMPLE = """
            # HELP http_requests_total The total number of HTTP requests.
            # TYPE http_requests_total counter
            http_requests_total{method="post",code="200"} 1027 1395066363000
            http_requests_total{method="post",code="400"}    3 1395066363000

            # Escaping in label values:
            msdos_file_access_time_seconds{path="C:\\\\DIR\\\\FILE.TXT",error="Cannot find file:\\n\\"FILE.TXT\\""} 1.458255915e9

            # Minimalistic line:
            metric_without_timestamp_and_labels 12.47

            # A weird metric from before the epoch:
            something_weird{problem="division by zero"} +Inf -3982045
            """;

    @Test
    void readsTheSpecificationsExample() {
        PrometheusText t = PrometheusText.parse(SPEC_EXAMPLE);
        assertEquals(1030, t.sum("http_requests_total", s -> true));
        assertEquals(3, t.sum("http_requests_total", s -> "400".equals(s.label("code"))));
        var msdos = t.named("msdos_file_access_time_seconds").get(0);
        assertEquals("C:\\DIR\\FILE.TXT", msdos.label("path"));
        assertEquals("Cannot find file:\n\"FILE.TXT\"", msdos.label("error"));
        assertEquals(1.458255915e9, msdos.value());
        assertEquals(12.47, t.sum("metric_without_timestamp_and_labels", s -> true));
        // +Inf is skipped: sums stay finite
        assertEquals(0, t.named("something_weird").size());
        assertEquals(4, t.samples().size());
    }

    @Test
    void skipsWhatItCannotRead() {
        assertNull(PrometheusText.sample("{no_name=\"x\"} 1"));
        assertNull(PrometheusText.sample("name{unterminated=\"x} 1"));
        assertNull(PrometheusText.sample("name not-a-number"));
        assertNull(PrometheusText.sample("# comment 1"));
    }

    @Test
    void pipelineFiguresFromAServicesMetrics() {
        String metrics = """
                recordline_consumer_processed_total{outcome="validated",topic="ehr.ingested.v1"} 40.0
                recordline_consumer_processed_total{outcome="quarantined",topic="ehr.ingested.v1"} 2.0
                recordline_consumer_failed_total{topic="ehr.ingested.v1"} 1.0
                kafka_consumer_fetch_manager_records_lag_max{client_id="kafka-consumer-ingested",kafka_version="4.1.2"} 17.0
                kafka_consumer_fetch_manager_records_lag{client_id="c",partition="3",topic="ehr.ingested.v1"} 9.0
                """;
        Map<String, Double> processed = PipelineFigures.empty();
        Map<String, Double> dead = PipelineFigures.empty();
        Map<String, Double> lag = PipelineFigures.empty();
        PipelineFigures.add("validation-service", PrometheusText.parse(metrics), processed, dead, lag);
        assertEquals(Map.of("ingested: validated", 40.0, "ingested: quarantined", 2.0), processed);
        assertEquals(Map.of("validation-service", 1.0), dead);
        assertEquals(Map.of("validation-service", 17.0), lag);
        var f = new PipelineFigures(0, processed, dead, lag, 3, java.util.List.of());
        assertEquals(1, f.deadLetterTotal());
    }

    @Test
    void theQuarantinesSizeComesFromTheValidationServicesGauge() {
        assertEquals(7, PipelineFigures.quarantine(PrometheusText.parse(
                "# TYPE recordline_quarantine_open gauge\nrecordline_quarantine_open 7.0\n")));
        assertEquals(-1, PipelineFigures.quarantine(PrometheusText.parse("recordline_quarantine_open NaN")));
        assertEquals(-1, PipelineFigures.quarantine(PrometheusText.parse("other 1")));
    }

    @Test
    void stageNames() {
        assertEquals("ingested", PipelineFigures.stage("ehr.ingested.v1"));
        assertEquals("record-changes", PipelineFigures.stage("ehr.record-changes.v1"));
        assertEquals("unknown", PipelineFigures.stage(null));
        assertEquals("plain", PipelineFigures.stage("plain"));
    }
}
