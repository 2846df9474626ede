package org.recordline.console.pipeline;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the pipeline page shows at one moment, read from the four services' own metrics: records each stage has
 * applied by outcome (counters: the page charts their increase per minute), records sent to dead-letter topics, the
 * consumers' largest lag per service, and the quarantine's open entries.
 *
 * @param at          when it was read (epoch milliseconds)
 * @param processed   counter totals by stage and outcome, e.g. {@code validated}, {@code quarantined}
 * @param deadLetters records sent to a dead-letter topic, by service
 * @param lag         the consumers' largest lag, by service (records)
 * @param quarantine  open quarantine entries (the validation-service's gauge), -1 when not known
 * @param unreachable services whose metrics could not be read
 */
public record PipelineFigures(long at, Map<String, Double> processed, Map<String, Double> deadLetters,
                              Map<String, Double> lag, int quarantine, java.util.List<String> unreachable) {

    /** Records sent to dead-letter topics, all services together. */
    public long deadLetterTotal() {
        return Math.round(deadLetters.values().stream().mapToDouble(Double::doubleValue).sum());
    }

    /** The consumer counter every service's {@code BatchConsumer} keeps (Prometheus name). */
    static final String PROCESSED = "recordline_consumer_processed_total";
    /** Records a consumer gave up on and sent to the dead-letter topic. */
    static final String FAILED = "recordline_consumer_failed_total";
    /** The Kafka consumer's lag metrics (Micrometer's Kafka binder). */
    static final String LAG_PREFIX = "kafka_consumer_fetch_manager_records_lag";

    /** The validation-service's count of open quarantine entries. */
    static final String QUARANTINE_OPEN = "recordline_quarantine_open";

    /** The open quarantine entries in a service's metrics, -1 when it has none. */
    static int quarantine(PrometheusText metrics) {
        var samples = metrics.named(QUARANTINE_OPEN);
        return samples.isEmpty() ? -1 : (int) Math.round(samples.get(0).value());
    }

    /** The figures of one service's metrics, added into the maps given. */
    static void add(String service, PrometheusText metrics, Map<String, Double> processed,
                    Map<String, Double> deadLetters, Map<String, Double> lag) {
        for (PrometheusText.Sample s : metrics.named(PROCESSED)) {
            String key = stage(s.label("topic")) + ": " + s.label("outcome");
            processed.merge(key, s.value(), Double::sum);
        }
        deadLetters.merge(service, metrics.sum(FAILED, s -> true), Double::sum);
        lag.merge(service, metrics.maxOfPrefix(LAG_PREFIX), Math::max);
    }

    /** A topic's stage as people call it: {@code ehr.ingested.v1} is "ingested". */
    static String stage(String topic) {
        if (topic == null) {
            return "unknown";
        }
        String t = topic.startsWith("ehr.") ? topic.substring(4) : topic;
        int v = t.lastIndexOf(".v");
        return v > 0 ? t.substring(0, v) : t;
    }

    static Map<String, Double> empty() {
        return new LinkedHashMap<>();
    }
}
