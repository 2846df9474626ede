package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Heap sizes per service: the validation-service never gets less than it needs for the FHIR definitions, nor the
 * audit-service for its rate.
 */
class StackSettingsTest {

    private static StackSettings with(String heap) {
        return StackSettings.fromEnvironment(Path.of("/tmp/x"), heap == null ? Map.of()
                : Map.of("RECORDLINE_SERVICE_HEAP", heap));
    }

    private static String heapOf(StackSettings s, String name) {
        return s.heapFor(s.services().stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow());
    }

    @Test
    void validationAndAuditGetAtLeastTheirOwnHeaps() {
        StackSettings defaults = with(null);
        assertEquals("192m", heapOf(defaults, "index-service"));
        assertEquals("448m", heapOf(defaults, "validation-service"));
        assertEquals("1g", heapOf(with("1g"), "validation-service"));
        assertEquals("128m", heapOf(with("128m"), "index-service"));
        assertEquals("320m", heapOf(defaults, "audit-service"));
        assertEquals("320m", heapOf(with("128m"), "audit-service"));
        assertEquals("512m", heapOf(with("512m"), "audit-service"));
        assertEquals("448m", heapOf(with("200000k"), "validation-service"));
    }

    @Test
    void sizesInMegabytes() {
        assertEquals(192, StackSettings.megabytes("192m"));
        assertEquals(2048, StackSettings.megabytes("2G"));
        assertEquals(1, StackSettings.megabytes("1048576"));
        assertEquals(Long.MAX_VALUE, StackSettings.megabytes("lots"));
    }
}
