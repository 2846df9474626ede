package org.recordline.console.pages;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DuplicatesPageTest {

    @Test
    void demographicsKeysOfComparedFields() {
        assertEquals("birthDate", DuplicatesPage.demographicsKey("birth-date"));
        assertEquals("nationalId", DuplicatesPage.demographicsKey("national-id"));
        assertEquals("mrns", DuplicatesPage.demographicsKey("mrn"));
        assertEquals("given", DuplicatesPage.demographicsKey("given"));
    }

    @Test
    void oneRowPerComparedFieldWithBothValues() {
        Map<String, Object> item = Map.of(
                "incoming", Map.of("given", "Jon", "birthDate", "1980-02-01", "mrns", List.of("123", "456")),
                "candidate", Map.of("given", "John", "birthDate", "1980-01-02"),
                "explanation", Map.of("fields", List.of(
                        Map.of("field", "given", "level", "similar", "weight", 3.2),
                        Map.of("field", "birth-date", "level", "day-month-transposed", "weight", -0.5),
                        Map.of("field", "mrn", "level", "missing", "weight", 0))));
        var rows = DuplicatesPage.rows(item);
        assertEquals(3, rows.size());
        assertEquals(Map.of("field", "given", "incoming", "Jon", "candidate", "John", "level", "similar",
                "weight", 3.2, "agrees", true), rows.get(0));
        assertEquals("1980-02-01", rows.get(1).get("incoming"));
        assertEquals(false, rows.get(1).get("agrees"));
        assertEquals("123, 456", rows.get(2).get("incoming"));
        assertEquals("—", rows.get(2).get("candidate"));
    }
}
