package org.recordline.audit.domain;

import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;

/** The log's months: UTC calendar months, the span of one partition of {@code audit_entry}. */
final class Months {

    private Months() {
    }

    /** The start of the month {@code at} falls in. */
    static Instant start(Instant at) {
        return YearMonth.from(at.atOffset(ZoneOffset.UTC)).atDay(1).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** The start of the month before the one starting at {@code monthStart}. */
    static Instant previous(Instant monthStart) {
        return monthStart.atOffset(ZoneOffset.UTC).minusMonths(1).toInstant();
    }

    /** The start of the month after the one starting at {@code monthStart}. */
    static Instant next(Instant monthStart) {
        return monthStart.atOffset(ZoneOffset.UTC).plusMonths(1).toInstant();
    }
}
