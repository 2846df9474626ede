package org.recordline.audit.domain;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Keeps the audit log for {@code recordline.audit.retention} (an ISO-8601 period, default {@code P6Y}; {@code off}
 * keeps it for ever): every month (UTC) that ended longer ago than that is removed, oldest first, a whole partition at
 * a time, after the log up to that month's last entry has verified; a signed retention anchor keeps the rest
 * verifiable ({@link AuditLog#removeMonth}). The database refuses to remove a month younger than its own floor
 * ({@code audit_settings.retention_floor}, six years unless the schema's owner lowers it), whatever this is set to.
 * Checked every {@code recordline.audit.retention.check} (default 6 hours), which also makes next month's partition
 * ahead of time.
 */
@ApplicationScoped
public class AuditRetention {

    private static final Logger LOG = Logger.getLogger(AuditRetention.class);

    private final AuditLog log;
    private final CheckpointSigner signer;
    private final AuditClock clock;
    private final Period retention;

    public AuditRetention(AuditLog log, CheckpointSigner signer, AuditClock clock,
                          @ConfigProperty(name = "recordline.audit.retention", defaultValue = "P6Y") String retention) {
        this.log = log;
        this.signer = signer;
        this.clock = clock;
        this.retention = parse(retention);
    }

    /** The retention period from its setting; null for {@code off}. */
    static Period parse(String setting) {
        String s = setting.trim();
        if (s.equalsIgnoreCase("off")) {
            return null;
        }
        try {
            Period p = Period.parse(s);
            if (p.isNegative() || p.isZero()) {
                throw new IllegalArgumentException("recordline.audit.retention must be a positive period or off, not "
                        + setting);
            }
            return p;
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("recordline.audit.retention must be an ISO-8601 period (P6Y, P18M) or"
                    + " off, not " + setting, e);
        }
    }

    @io.quarkus.scheduler.Scheduled(identity = "audit-retention",
            every = "${recordline.audit.retention.check:6h}", delayed = "${recordline.audit.retention.delay:1m}",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            log.ensurePartitionsAhead();
        } catch (RuntimeException e) {
            LOG.warnf("the audit log's next partition could not be made now: %s", e.getMessage());
        }
        try {
            apply();
        } catch (RuntimeException e) {
            LOG.errorf("audit retention stopped: %s", e.getMessage());
        }
    }

    /**
     * Removes every month that ended before now minus the retention period, oldest first; stops at the first that
     * cannot be (the log does not verify up to it, or the database refuses).
     *
     * @return the months removed (their starts)
     */
    public List<Instant> apply() {
        List<Instant> removed = new ArrayList<>();
        if (retention == null) {
            return removed;
        }
        Instant cutoff = clock.now().atOffset(ZoneOffset.UTC).minus(retention).toInstant();
        for (Instant month : log.months()) {
            if (Months.next(month).isAfter(cutoff)) {
                break;
            }
            long[] range = log.monthRange(month);
            if (range != null) {
                // nothing is removed from a log that does not verify up to it: an anchor would vouch for it
                LogVerifier.Result r = log.verify(signer.publicKey(), range[0], range[1]);
                if (!r.ok()) {
                    throw new IllegalStateException("the audit log does not verify, so month " + month
                            + " is kept: " + r.fault());
                }
            }
            long last = log.removeMonth(month);
            LOG.infof("audit retention removed the month from %s%s", month,
                    last > 0 ? " (entries up to " + last + ", anchored)" : " (no entries)");
            removed.add(month);
        }
        return removed;
    }
}
