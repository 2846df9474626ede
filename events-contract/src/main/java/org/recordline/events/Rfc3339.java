package org.recordline.events;

import java.time.Instant;
import java.time.LocalDate;

/**
 * RFC 3339 timestamps in UTC, read and written without {@link java.time.format.DateTimeFormatter}, which builds a map
 * of fields for every value and was a sixth of the audit-service's time per appended entry (issue 9). The results are
 * exactly {@link Instant#parse(CharSequence)} and {@link Instant#toString()}: the common shape
 * ({@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z}, years 1 to 9999) is handled here, anything else (an offset, lower case, a
 * leap second, a year beyond four digits, an invalid date) is handed to them, so what they accept and refuse is what
 * this accepts and refuses.
 */
public final class Rfc3339 {

    private static final long SECONDS_PER_DAY = 86_400;
    /** 0001-01-01T00:00:00Z and the first second after 9999-12-31T23:59:59Z. */
    private static final long FIRST = LocalDate.of(1, 1, 1).toEpochDay() * SECONDS_PER_DAY;
    private static final long END = LocalDate.of(10_000, 1, 1).toEpochDay() * SECONDS_PER_DAY;

    private Rfc3339() {
    }

    /** The same as {@link Instant#parse(CharSequence)}, faster for the common shape. */
    public static Instant parse(CharSequence s) {
        Instant fast = parseCommon(s);
        return fast != null ? fast : Instant.parse(s);
    }

    /** The same as {@link Instant#toString()}, faster for years 1 to 9999. */
    public static String format(Instant t) {
        long secs = t.getEpochSecond();
        if (secs < FIRST || secs >= END) {
            return t.toString();
        }
        StringBuilder out = new StringBuilder(30);
        appendTo(out, secs, t.getNano());
        return out.toString();
    }

    /** Appends {@link #format(Instant)} of {@code t} to {@code out}. */
    public static StringBuilder appendTo(StringBuilder out, Instant t) {
        long secs = t.getEpochSecond();
        if (secs < FIRST || secs >= END) {
            return out.append(t);
        }
        appendTo(out, secs, t.getNano());
        return out;
    }

    private static void appendTo(StringBuilder out, long secs, int nanos) {
        long day = Math.floorDiv(secs, SECONDS_PER_DAY);
        int second = (int) Math.floorMod(secs, SECONDS_PER_DAY);
        LocalDate date = LocalDate.ofEpochDay(day);
        digits(out, date.getYear(), 4).append('-');
        digits(out, date.getMonthValue(), 2).append('-');
        digits(out, date.getDayOfMonth(), 2).append('T');
        digits(out, second / 3600, 2).append(':');
        digits(out, second / 60 % 60, 2).append(':');
        digits(out, second % 60, 2);
        // as ISO_INSTANT prints a fraction: none, or as many groups of three digits as it needs
        if (nanos != 0) {
            out.append('.');
            if (nanos % 1_000_000 == 0) {
                digits(out, nanos / 1_000_000, 3);
            } else if (nanos % 1000 == 0) {
                digits(out, nanos / 1000, 6);
            } else {
                digits(out, nanos, 9);
            }
        }
        out.append('Z');
    }

    private static StringBuilder digits(StringBuilder out, int v, int width) {
        for (int p = pow10(width - 1); p > 0; p /= 10) {
            out.append((char) ('0' + v / p % 10));
        }
        return out;
    }

    private static int pow10(int n) {
        int p = 1;
        for (int i = 0; i < n; i++) {
            p *= 10;
        }
        return p;
    }

    /** The instant of {@code s} when it has the common shape and a valid date and time; null otherwise. */
    static Instant parseCommon(CharSequence s) {
        int n = s.length();
        if (n < 20 || n > 30 || s.charAt(4) != '-' || s.charAt(7) != '-' || s.charAt(10) != 'T'
                || s.charAt(13) != ':' || s.charAt(16) != ':' || s.charAt(n - 1) != 'Z') {
            return null;
        }
        int year = number(s, 0, 4);
        int month = number(s, 5, 2);
        int day = number(s, 8, 2);
        int hour = number(s, 11, 2);
        int minute = number(s, 14, 2);
        int second = number(s, 17, 2);
        if (year < 1 || month < 1 || month > 12 || day < 1 || day > 31 || hour < 0 || hour > 23 || minute < 0
                || minute > 59 || second < 0 || second > 59) {
            return null; // negative (not digits) or out of range: the JDK says what is wrong
        }
        int nanos = 0;
        if (n > 20) {
            int digits = n - 21;
            if (s.charAt(19) != '.' || digits < 1 || digits > 9) {
                return null;
            }
            nanos = number(s, 20, digits);
            if (nanos < 0) {
                return null;
            }
            for (int i = digits; i < 9; i++) {
                nanos *= 10;
            }
        } else if (s.charAt(19) != 'Z') {
            return null;
        }
        if (day > 28 && day > LocalDate.of(year, month, 1).lengthOfMonth()) {
            return null;
        }
        long epochDay = LocalDate.of(year, month, day).toEpochDay();
        return Instant.ofEpochSecond(epochDay * SECONDS_PER_DAY + hour * 3600L + minute * 60L + second, nanos);
    }

    /** The decimal number of {@code len} ASCII digits at {@code from}, or -1 when one is not a digit. */
    private static int number(CharSequence s, int from, int len) {
        int v = 0;
        for (int i = from; i < from + len; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
