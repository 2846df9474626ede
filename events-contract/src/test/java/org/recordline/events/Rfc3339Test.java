package org.recordline.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Rfc3339Test {

    /** Worked out independently (Python's datetime) for the epoch seconds. */
    @Test
    void knownAnswers() {
        Map<String, Instant> vectors = Map.of(
                "1970-01-01T00:00:00Z", Instant.ofEpochSecond(0),
                "1969-12-31T23:59:59Z", Instant.ofEpochSecond(-1),
                "2000-02-29T12:34:56.500Z", Instant.ofEpochSecond(951_827_696, 500_000_000),
                "1583-01-01T00:00:00.000001Z", Instant.ofEpochSecond(-12_212_553_600L, 1_000),
                "9999-12-31T23:59:59.999999999Z", Instant.ofEpochSecond(253_402_300_799L, 999_999_999));
        vectors.forEach((text, instant) -> {
            assertEquals(instant, Rfc3339.parse(text), text);
            assertEquals(instant, Rfc3339.parseCommon(text), text);
            assertEquals(text, Rfc3339.format(instant), text);
        });
        // fractions of other lengths are read; written in groups of three digits, as Instant.toString() does
        assertEquals(Instant.ofEpochSecond(951_827_696, 120_000_000), Rfc3339.parse("2000-02-29T12:34:56.12Z"));
        assertEquals("2000-02-29T12:34:56.120Z", Rfc3339.format(Rfc3339.parse("2000-02-29T12:34:56.12Z")));
        assertEquals("2000-02-29T12:34:56.123400Z", Rfc3339.format(Rfc3339.parse("2000-02-29T12:34:56.1234Z")));
        assertEquals("2000-02-29T12:34:56.123456780Z", Rfc3339.format(Rfc3339.parse("2000-02-29T12:34:56.12345678Z")));
    }

    /** The same strings as Instant.toString() and the same instants as Instant.parse(), over the whole range. */
    @Test
    void agreesWithTheJdkOnRandomInstants() {
        SplittableRandom random = new SplittableRandom(20261128);
        long min = Instant.parse("0001-01-01T00:00:00Z").getEpochSecond();
        long max = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
        for (int i = 0; i < 200_000; i++) {
            long secs = random.nextLong(min, max + 1);
            int nanos = switch (i % 4) {
                case 0 -> 0;
                case 1 -> random.nextInt(1000) * 1_000_000;
                case 2 -> random.nextInt(1_000_000) * 1000;
                default -> random.nextInt(1_000_000_000);
            };
            Instant t = Instant.ofEpochSecond(secs, nanos);
            String jdk = t.toString();
            assertEquals(jdk, Rfc3339.format(t));
            assertEquals(jdk, Rfc3339.appendTo(new StringBuilder(), t).toString());
            assertEquals(t, Rfc3339.parse(jdk));
            assertEquals(t, Rfc3339.parseCommon(jdk), jdk);
        }
    }

    /** Outside the common shape the JDK decides: the same value, or the same refusal. */
    @Test
    void leavesEverythingElseToTheJdk() {
        for (String s : new String[] {"2026-02-29T00:00:00Z", "2024-02-30T00:00:00Z", "2026-04-31T00:00:00Z",
                "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z", "2026-01-00T00:00:00Z", "2026-01-01T24:00:00Z",
                "2026-01-01T00:60:00Z", "2026-01-01T00:00:60Z", "2026-12-31T23:59:60Z", "2026-01-01t00:00:00z",
                "2026-01-01T00:00:00+01:00", "2026-01-01T00:00:00.Z", "2026-01-01T00:00:00.1234567890Z",
                "+10000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "2026-01-01T00:00:00",
                "2026-1-01T00:00:00Z", "2026-01-01T0a:00:00Z", "2026-01-01T-1:00:00Z", "2026-01-01 00:00:00Z",
                "2026-01-01T00:00:00.-1Z", "", "Z"}) {
            Object jdk;
            try {
                jdk = Instant.parse(s);
            } catch (DateTimeParseException e) {
                jdk = e.getClass();
            }
            Object ours;
            try {
                ours = Rfc3339.parse(s);
            } catch (DateTimeParseException e) {
                ours = e.getClass();
            }
            assertEquals(jdk, ours, s);
        }
        assertNull(Rfc3339.parseCommon("2026-02-29T00:00:00Z"));
        assertNull(Rfc3339.parseCommon("2026-01-01T00:00:00+01:00"));
        assertInstanceOf(DateTimeParseException.class,
                assertThrows(RuntimeException.class, () -> Rfc3339.parse("2026-02-29T00:00:00Z")));
    }

    /** Outside years 1 to 9999 the JDK writes: the same strings. */
    @Test
    void formatsExtremeYearsAsTheJdk() {
        for (Instant t : new Instant[] {Instant.MIN, Instant.MAX, Instant.parse("+10000-01-01T00:00:00Z"),
                Instant.parse("0000-12-31T23:59:59.5Z"), Instant.parse("-0001-06-01T00:00:00Z")}) {
            assertEquals(t.toString(), Rfc3339.format(t));
        }
    }

    /** Events write and read timestamps as JavaTimeModule alone did. */
    @Test
    void theEventCodecReadsAndWritesAsJavaTimeModule() throws Exception {
        ObjectMapper plain = new ObjectMapper().registerModule(new JavaTimeModule())
                .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);
        record Stamp(Instant at) {
        }
        for (String json : new String[] {"{\"at\":\"2026-11-28T18:39:06.123456Z\"}",
                "{\"at\":\"2026-11-28T19:39:06+01:00\"}", "{\"at\":\"2026-11-28t18:39:06z\"}", "{\"at\":1764355146}",
                "{\"at\":1764355146.5}", "{\"at\":null}"}) {
            Stamp expected = plain.readValue(json, Stamp.class);
            Stamp actual = EventCodec.mapper().readValue(json, Stamp.class);
            assertEquals(expected, actual, json);
            if (expected.at() != null) {
                assertEquals(plain.writeValueAsString(expected), new String(EventCodec.encode(actual),
                        java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        assertThrows(Exception.class, () -> EventCodec.mapper().readValue("{\"at\":\"2026-02-29T00:00:00Z\"}",
                Stamp.class));
        assertThrows(Exception.class, () -> plain.readValue("{\"at\":\"2026-02-29T00:00:00Z\"}", Stamp.class));
    }
}
