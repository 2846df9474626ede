package org.recordline.console.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FhirTextTest {

    @Test
    void namesDatesAndWhat() {
        assertEquals("Peter James Chalmers",
                FhirText.name(List.of(Map.of("family", "Chalmers", "given", List.of("Peter", "James")))));
        assertEquals("Dr. Who", FhirText.name(List.of(Map.of("text", "Dr. Who", "family", "X"))));
        assertEquals("", FhirText.name(null));
        Map<String, Object> obs = Map.of("resourceType", "Observation", "id", "o1",
                "effectiveDateTime", "2020-01-02T03:04:05Z",
                "code", Map.of("coding", List.of(Map.of("code", "8302-2", "display", "Body height"))),
                "meta", Map.of("versionId", "2", "source", "general-hospital|pat-1"));
        assertEquals(Map.of("type", "Observation", "id", "o1", "date", "2020-01-02T03:04:05Z",
                "what", "Body height", "version", "2", "source", "general-hospital|pat-1"), FhirText.summary(obs));
        assertEquals("2019-05-01", FhirText.date(Map.of("period", Map.of("start", "2019-05-01"))));
    }

    @Test
    void goldenValuesInWords() {
        assertEquals("99 Oak Avenue, 7350 Shelbyville", FhirText.value("address",
                List.of(Map.of("line", List.of("99 Oak Avenue"), "city", "Shelbyville", "postalCode", "7350"))));
        assertEquals("urn:oid:1.2.3|E-1; urn:oid:1.2.4|W-2", FhirText.value("identifier",
                List.of(Map.of("system", "urn:oid:1.2.3", "value", "E-1"), Map.of("system", "urn:oid:1.2.4", "value", "W-2"))));
        assertEquals("phone: 555-0100", FhirText.value("telecom", List.of(Map.of("system", "phone", "value", "555-0100"))));
        assertEquals("1960-07-23", FhirText.value("birthDate", "1960-07-23"));
        assertEquals("Jonathan Pemberton", FhirText.value("name",
                List.of(Map.of("family", "Pemberton", "given", List.of("Jonathan")))));
    }

    @Test
    void instantsInWords() {
        assertEquals("2026-01-15 09:30:01 UTC", JsonExtensions.when("2026-01-15T09:30:01.123456Z"));
        assertEquals("2026-01-15", JsonExtensions.when("2026-01-15"));
        assertEquals(null, JsonExtensions.when(null));
        assertEquals("87.3%", JsonExtensions.percent(0.8734));
        assertEquals("ehr-west%7Cw-1", JsonExtensions.queryParam("ehr-west|w-1"));
        assertEquals("a+b%26c", JsonExtensions.queryParam("a b&c"));
        assertEquals("0.0", JsonExtensions.oneDecimal(0.0020541));
        assertEquals("—", JsonExtensions.oneDecimal(null));
    }

    @Test
    void goldenRowsNameTheirSource() {
        var rows = FhirText.goldenRows(Map.of("resourceType", "Patient", "id", "x", "gender", "female",
                "birthDate", "1970-01-01"), Map.of("gender", "a|1"));
        assertEquals(2, rows.size());
        var gender = rows.stream().filter(r -> r.get("field").equals("gender")).findFirst().orElseThrow();
        assertEquals("a|1", gender.get("source"));
        var birth = rows.stream().filter(r -> r.get("field").equals("birthDate")).findFirst().orElseThrow();
        assertEquals("—", birth.get("source"));
    }
}
