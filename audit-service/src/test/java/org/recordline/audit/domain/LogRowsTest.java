package org.recordline.audit.domain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.Period;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recordline.events.AuditEvent;

/** The pure parts of writing and reading the log's rows: binary COPY rows, patient ids, months, the retention setting. */
class LogRowsTest {

    @Test
    void binaryCopyRowsAreWhatPostgresReads() {
        byte[] data = CopyBinary.withHeader(16).row(8).number(7).text(null)
                .time(Instant.parse("2000-01-01T00:00:01.000002Z")).time(Instant.parse("1999-12-31T23:59:59Z"))
                .bytes(new byte[] {0x0a, (byte) 0xff}).text("\u00e9").textArray(List.of("ab")).textArray(List.of())
                .trailer().toByteArray();
        // known answer, written out by hand from PostgreSQL's binary COPY format (int8send, timestamptz_send in
        // microseconds from 2000, byteasend, textsend, array_send)
        assertEquals("5047434f50590aff0d0a00" + "00000000" + "00000000"
                + "0008"
                + "00000008" + "0000000000000007"
                + "ffffffff"
                + "00000008" + "00000000000f4242"
                + "00000008" + "fffffffffff0bdc0"
                + "00000002" + "0aff"
                + "00000002" + "c3a9"
                + "0000001a" + "00000001" + "00000000" + "00000019" + "00000001" + "00000001" + "00000002" + "6162"
                + "0000000c" + "00000000" + "00000000" + "00000019"
                + "ffff", java.util.HexFormat.of().formatHex(data));
    }

    /**
     * Rows written with their places left open and then placed are, byte for byte, the rows of the same entries
     * written whole, and each hash is {@link AuditChain#hash(byte[], long, AuditEvent)} of its entry (which the
     * known-answer vectors of {@code AuditChainTest} pin down): for 3,000 generated entries in chunks, with and
     * without contexts, nulls, non-ASCII text, and rows left out as duplicates.
     */
    @Test
    void preparedRowsAreTheEntriesRowsAndHashes() {
        java.util.Random random = new java.util.Random(9);
        byte[] prev = AuditChain.GENESIS;
        long seq = 0;
        Instant recordedAt = Instant.parse("2026-11-28T21:00:00.123456Z");
        for (int chunk = 0; chunk < 30; chunk++) {
            int n = 1 + random.nextInt(200);
            PreparedRows rows = new PreparedRows(random.nextInt(4) == 0 ? 1 : n);
            boolean[] kept = new boolean[n];
            int keptCount = 0;
            CopyBinary expected = CopyBinary.withHeader(16);
            for (int i = 0; i < n; i++) {
                AuditEvent e = generated(random);
                rows.add(e);
                kept[i] = random.nextInt(10) != 0;
                if (!kept[i]) {
                    continue;
                }
                keptCount++;
                seq++;
                byte[] hash = rows.place(i, seq, recordedAt, prev);
                assertArrayEquals(AuditChain.hash(prev, seq, e), hash, "entry " + seq);
                expected.row(16).number(seq).time(recordedAt).bytes(prev).bytes(hash).text(e.eventId())
                        .time(e.occurredAt()).text(e.service()).text(e.action()).text(e.outcome()).text(e.actor())
                        .text(e.submissionId()).text(e.patientRef()).text(e.purpose()).text(e.detail())
                        .text(AuditChain.contextText(e.context())).textArray(PatientIds.of(e.patientRef(),
                                e.context()));
                prev = hash;
            }
            if (keptCount == 0) {
                continue;
            }
            assertEquals(java.util.HexFormat.of().formatHex(expected.trailer().toByteArray()),
                    java.util.HexFormat.of().formatHex(rows.copyData(kept, keptCount).toByteArray()),
                    "chunk " + chunk);
        }
    }

    private static AuditEvent generated(java.util.Random random) {
        AuditEvent.Context context = random.nextInt(3) == 0 ? null : new AuditEvent.Context(
                random.nextBoolean() ? List.of(text(random, false)) : null, text(random, true), text(random, true),
                text(random, true), text(random, true), text(random, true),
                random.nextBoolean() ? List.of(text(random, false), text(random, false)) : null,
                random.nextBoolean() ? List.of(text(random, false)) : List.of(), random.nextInt(5) == 0 ? true : null);
        Instant at = Instant.ofEpochSecond(1_700_000_000L + random.nextInt(100_000_000), random.nextInt(1_000_000) * 1000L);
        return new AuditEvent(java.util.UUID.randomUUID().toString(), at, text(random, false), text(random, false),
                "success", text(random, false), text(random, true), text(random, true), text(random, true),
                text(random, true), context);
    }

    /** Short text: mostly ASCII, sometimes with é, ü or a character outside the BMP; sometimes null or empty. */
    private static String text(java.util.Random random, boolean nullable) {
        if (nullable && random.nextInt(5) == 0) {
            return null;
        }
        String[] pieces = {"a", "Z", "7", "|", "-", "\"", "\u00e9", "\u00fc", "\ud83d\ude00", " "};
        StringBuilder b = new StringBuilder();
        int length = random.nextInt(12);
        boolean ascii = random.nextBoolean();
        for (int i = 0; i < length; i++) {
            b.append(pieces[random.nextInt(ascii ? 6 : pieces.length)]);
        }
        return b.toString();
    }

    @Test
    void patientIdsFollowTheDatabaseFunctionsOrderWithoutNulls() {
        AuditEvent.Context ctx = new AuditEvent.Context(List.of("auditor"), null, null, null, "person-1", "person-0",
                List.of("ehr-a|1", "ehr-b|2"), List.of("Patient/1"), null);
        assertEquals(List.of("ehr-a|1", "person-1", "person-0", "ehr-a|1", "ehr-b|2"), PatientIds.of("ehr-a|1", ctx));
        assertEquals(List.of(), PatientIds.of(null, (AuditEvent.Context) null));
        // from stored text, whoever wrote it: what PostgreSQL's ->> gives (numbers as their text, JSON null as none)
        assertEquals(List.of("p", "person-1", "12", "ehr-a|1"), PatientIds.of("p",
                "{\"personId\":\"person-1\",\"previousPersonId\":12,\"sourceIds\":[\"ehr-a|1\",null]}"));
        assertEquals(List.of("p"), PatientIds.of("p", "{\"personId\":null}"));
        assertThrows(IllegalArgumentException.class, () -> PatientIds.of("p", "[1]"));
        assertThrows(IllegalArgumentException.class, () -> PatientIds.of("p", "{not json"));
    }

    /** The streamed reading of a stored context gives what the JSON tree gives, or leaves the case to it. */
    @Test
    void patientIdsFromStoredTextAgreeWithTheTree() {
        List<String> contexts = new java.util.ArrayList<>(List.of("{}", "{\"personId\":\"p-1\"}",
                "{\"personId\":\"a\",\"personId\":\"b\"}", "{\"sourceIds\":[\"x\"],\"sourceIds\":[\"y\",null]}",
                "{\"sourceIds\":\"x\"}", "{\"sourceIds\":[1,\"x\"]}", "{\"sourceIds\":[[\"x\"]]}",
                "{\"personId\":{\"a\":[1,2]}}", "{\"personId\":true,\"previousPersonId\":1.50}",
                "{\"roles\":[\"a\",{\"personId\":\"inner\"}],\"personId\":\"outer\"}",
                "{\"personId\":\"\\u00e9\\\"q\"} trailing", "{\"sourceIds\":[\"a\"],\"sourceIds\":7}",
                "{\"previousPersonId\":null,\"personId\":null,\"sourceIds\":null}"));
        java.util.SplittableRandom random = new java.util.SplittableRandom(9);
        String[] values = {"\"v\"", "null", "1", "[\"s\",null]", "[]", "{}", "\"\"", "[\"t\",2]"};
        String[] keys = {"personId", "previousPersonId", "sourceIds", "roles", "clientAddress"};
        for (int i = 0; i < 2000; i++) {
            StringBuilder b = new StringBuilder("{");
            int n = random.nextInt(6);
            for (int k = 0; k < n; k++) {
                b.append(k > 0 ? "," : "").append('"').append(keys[random.nextInt(keys.length)]).append("\":")
                        .append(values[random.nextInt(values.length)]);
            }
            contexts.add(b.append('}').toString());
        }
        for (String context : contexts) {
            assertEquals(PatientIds.ofTree("ref", context), PatientIds.of("ref", context), context);
        }
        for (String refused : new String[] {"[1]", "{not json", "\"text\"", "{\"a\":}"}) {
            assertThrows(IllegalArgumentException.class, () -> PatientIds.of("p", refused), refused);
        }
    }

    @Test
    void monthsAreUtcCalendarMonths() {
        Instant m = Months.start(Instant.parse("2024-02-29T23:59:59Z"));
        assertEquals(Instant.parse("2024-02-01T00:00:00Z"), m);
        assertEquals(Instant.parse("2024-03-01T00:00:00Z"), Months.next(m));
        assertEquals(Instant.parse("2024-01-01T00:00:00Z"), Months.previous(m));
        assertEquals(Instant.parse("2023-12-01T00:00:00Z"), Months.previous(Months.start(Instant.parse(
                "2024-01-01T00:00:00Z"))));
    }

    @Test
    void theRetentionSettingIsAPositivePeriodOrOff() {
        assertEquals(Period.ofYears(6), AuditRetention.parse("P6Y"));
        assertEquals(Period.ofMonths(18), AuditRetention.parse(" P18M "));
        assertNull(AuditRetention.parse("off"));
        assertThrows(IllegalArgumentException.class, () -> AuditRetention.parse("6 years"));
        assertThrows(IllegalArgumentException.class, () -> AuditRetention.parse("P0D"));
        assertThrows(IllegalArgumentException.class, () -> AuditRetention.parse("-P1Y"));
    }
}
