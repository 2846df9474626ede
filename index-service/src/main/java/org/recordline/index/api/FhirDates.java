package org.recordline.index.api;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * A FHIR {@code date} parameter ({@code yyyy}, {@code yyyy-mm} or {@code yyyy-mm-dd}) as the period of instants it
 * covers, in UTC (as the filing reads a clinical date without an offset). Pure.
 */
final class FhirDates {

    private FhirDates() {
    }

    /** The first instant of the period {@code date} names. */
    static Instant firstInstant(String date) {
        return start(date).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** The first instant after the period {@code date} names (an inclusive end as an exclusive bound). */
    static Instant afterLastInstant(String date) {
        LocalDate start = start(date);
        LocalDate after = switch (date.length()) {
            case 4 -> start.plusYears(1);
            case 7 -> start.plusMonths(1);
            default -> start.plusDays(1);
        };
        return after.atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    private static LocalDate start(String date) {
        try {
            if (date.matches("[0-9]{4}")) {
                return LocalDate.of(Integer.parseInt(date), 1, 1);
            }
            if (date.matches("[0-9]{4}-[0-9]{2}")) {
                return LocalDate.of(Integer.parseInt(date.substring(0, 4)), Integer.parseInt(date.substring(5)), 1);
            }
            if (date.matches("[0-9]{4}-[0-9]{2}-[0-9]{2}")) {
                return LocalDate.parse(date);
            }
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("not a FHIR date: " + date, e);
        }
        throw new IllegalArgumentException("not a FHIR date");
    }
}
