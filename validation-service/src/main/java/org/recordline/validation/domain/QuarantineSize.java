package org.recordline.validation.domain;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.TimeUnit;
import org.recordline.validation.persistence.QuarantineStore;

/**
 * The quarantine's size as a metric, {@code recordline_quarantine_open}: the open entries, counted when metrics are
 * read, at most once every {@link #MAX_AGE_SECONDS} seconds however many read them (Prometheus, the records console's
 * pipeline page). A count, no patient data: reading it is no read of a record, unlike the queue itself, which is
 * audited. {@code NaN} while the database cannot be reached.
 */
@Startup
@ApplicationScoped
public class QuarantineSize {

    static final long MAX_AGE_SECONDS = 5;

    private final QuarantineStore store;
    private long value = -1;
    private long readAt;

    public QuarantineSize(QuarantineStore store, MeterRegistry registry) {
        this.store = store;
        Gauge.builder("recordline.quarantine.open", this, QuarantineSize::current)
                .description("open entries in the quarantine (the records desk's work queue)").register(registry);
    }

    synchronized double current() {
        long now = System.nanoTime();
        if (value < 0 || now - readAt > TimeUnit.SECONDS.toNanos(MAX_AGE_SECONDS)) {
            try {
                value = store.countOpen();
                readAt = now;
            } catch (RuntimeException unreachable) {
                value = -1;
                return Double.NaN;
            }
        }
        return value;
    }
}
