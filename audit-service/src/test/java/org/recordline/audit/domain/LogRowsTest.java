package org.recordline.audit.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.time.Period;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.recordline.events.AuditEvent;

/** The pure parts of writing and reading the log's rows: COPY text, patient ids, months, the retention setting. */
class LogRowsTest {

    @Test
    void copyTextEscapesWhatCopyWouldReadAsStructure() {
        String row = new CopyText(64).number(7).text("a\tb\nc\\d\re").text(null).time(
                Instant.parse("2026-11-28T10:00:00.123456Z")).bytes(new byte[] {0x0a, (byte) 0xff})
                .textArray(List.of("x", "q\"uo\\te", "t\tab")).textArray(List.of()).end().toString();
        // known answer, written out by hand from PostgreSQL's COPY text format and array literal rules
        assertEquals("7\ta\\tb\\nc\\\\d\\re\t\\N\t2026-11-28T10:00:00.123456Z\t\\\\x0aff"
                + "\t{\"x\",\"q\\\\\"uo\\\\\\\\te\",\"t\\tab\"}\t{}\n", row);
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
