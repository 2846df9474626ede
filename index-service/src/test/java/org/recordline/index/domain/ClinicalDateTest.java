package org.recordline.index.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ClinicalDateTest {

    private static Instant of(String json) throws Exception {
        return ClinicalDate.of(new ObjectMapper().readTree(json));
    }

    @Test
    void readsTheFirstClinicalDateElementInItsOrder() throws Exception {
        assertEquals(Instant.parse("2019-05-03T08:15:00Z"), of("{\"resourceType\":\"Observation\","
                + "\"effectiveDateTime\":\"2019-05-03T10:15:00+02:00\",\"issued\":\"2020-01-01T00:00:00Z\"}"));
        assertEquals(Instant.parse("2011-02-01T00:00:00Z"), of("{\"resourceType\":\"Encounter\","
                + "\"period\":{\"start\":\"2011-02\",\"end\":\"2011-03\"}}"));
        assertEquals(Instant.parse("2003-01-01T00:00:00Z"), of("{\"resourceType\":\"Condition\","
                + "\"onsetDateTime\":\"2003\",\"recordedDate\":\"2004-06-01\"}"));
        assertEquals(Instant.parse("2018-07-09T00:00:00Z"), of("{\"resourceType\":\"Immunization\","
                + "\"occurrenceDateTime\":\"2018-07-09\"}"));
        assertEquals(Instant.parse("2021-12-31T23:59:59.123Z"), of("{\"resourceType\":\"DiagnosticReport\","
                + "\"issued\":\"2021-12-31T23:59:59.123Z\"}"));
        assertEquals(Instant.parse("2016-03-04T05:06:07Z"), of("{\"resourceType\":\"Claim\","
                + "\"billablePeriod\":{\"start\":\"2016-03-04T05:06:07\"}}"));
    }

    @Test
    void noDateOrAnUnreadableOneIsNull() throws Exception {
        assertNull(of("{\"resourceType\":\"Patient\",\"birthDate\":\"1970-01-01\"}"));
        assertNull(of("{\"resourceType\":\"Observation\",\"effectiveDateTime\":\"yesterday\"}"));
        assertNull(of("{\"resourceType\":\"Observation\",\"effectiveDateTime\":\"2019-13\"}"));
        assertNull(of("{\"resourceType\":\"Observation\",\"effectiveDateTime\":{\"not\":\"text\"}}"));
        assertEquals(Instant.parse("2019-02-01T00:00:00Z"),
                of("{\"resourceType\":\"Observation\",\"effectiveDateTime\":\"garbage-date\","
                        + "\"issued\":\"2019-02-01\"}"));
    }
}
