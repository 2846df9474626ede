package org.recordline.index.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class FhirDatesTest {

    @Test
    void aDateCoversItsWholeYearMonthOrDay() {
        assertEquals(Instant.parse("2015-01-01T00:00:00Z"), FhirDates.firstInstant("2015"));
        assertEquals(Instant.parse("2016-01-01T00:00:00Z"), FhirDates.afterLastInstant("2015"));
        assertEquals(Instant.parse("2016-02-01T00:00:00Z"), FhirDates.firstInstant("2016-02"));
        assertEquals(Instant.parse("2016-03-01T00:00:00Z"), FhirDates.afterLastInstant("2016-02"));
        assertEquals(Instant.parse("2016-02-29T00:00:00Z"), FhirDates.firstInstant("2016-02-29"));
        assertEquals(Instant.parse("2016-03-01T00:00:00Z"), FhirDates.afterLastInstant("2016-02-29"));
        assertEquals(Instant.parse("2017-01-01T00:00:00Z"), FhirDates.afterLastInstant("2016-12-31"));
    }

    @Test
    void anythingElseIsRefused() {
        for (String bad : new String[] {"", "15", "2015-1", "2015-13", "2015-02-30", "2015-02-01T10:00:00Z",
                "yesterday", "2015/02/01"}) {
            assertThrows(IllegalArgumentException.class, () -> FhirDates.firstInstant(bad), bad);
            assertThrows(IllegalArgumentException.class, () -> FhirDates.afterLastInstant(bad), bad);
        }
    }
}
