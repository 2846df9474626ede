package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Heap sizes per service: the validation-service never gets less than it needs for the FHIR definitions, nor the
 * audit-service for its rate. The ports of the records console and the local sign-in, and their variables.
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

    @Test
    void theConsoleAndTheSignInHaveTheirOwnPortsAndVariables() {
        StackSettings defaults = with(null);
        assertEquals(8085, defaults.consolePort());
        assertEquals(9085, defaults.consoleManagementPort());
        assertEquals(8180, defaults.loginPort());
        assertEquals(new StackSettings.ServiceSpec("records-console", 8085, 9085), defaults.console());
        // not one of the services: those get database roles, benchmarks and a second instance
        assertFalse(defaults.services().stream().anyMatch(s -> s.name().equals("records-console")));
        var ports = defaults.portsByVariable();
        assertEquals(8085, ports.get("RECORDLINE_CONSOLE_PORT"));
        assertEquals(9085, ports.get("RECORDLINE_CONSOLE_MANAGEMENT_PORT"));
        assertEquals(8180, ports.get("RECORDLINE_LOGIN_PORT"));
        assertEquals(ports.size(), new java.util.HashSet<>(ports.values()).size(), "no port twice: " + ports);

        StackSettings moved = StackSettings.fromEnvironment(Path.of("/tmp/x"), Map.of("RECORDLINE_CONSOLE_PORT",
                "18085", "RECORDLINE_CONSOLE_MANAGEMENT_PORT", "19085", "RECORDLINE_LOGIN_PORT", "18180"));
        assertEquals(18085, moved.consolePort());
        assertEquals(19085, moved.consoleManagementPort());
        assertEquals(18180, moved.loginPort());
        assertEquals(18180, moved.portsByVariable().get("RECORDLINE_LOGIN_PORT"));
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> StackSettings
                .fromEnvironment(Path.of("/tmp/x"), Map.of("RECORDLINE_LOGIN_PORT", "70000")));
        assertTrue(bad.getMessage().contains("RECORDLINE_LOGIN_PORT"), bad.getMessage());
    }

    @Test
    void stacksOnFreePortsGetFreePortsForTheConsoleAndTheSignInToo() {
        StackSettings s = new StackSettings(Path.of("/tmp/x"), Path.of("/tmp/x/state"), 1, 2, 3,
                java.util.List.of(new StackSettings.ServiceSpec("ingestion-service", 4, 5)), "192m");
        for (int port : new int[]{s.mllpPort(), s.consolePort(), s.consoleManagementPort(), s.loginPort()}) {
            assertTrue(port > 1024 && port != 8085 && port != 9085 && port != 8180 && port != 2575,
                    "a free port, not a default: " + port);
        }
        assertTrue(s.portsByVariable().keySet().containsAll(java.util.List.of("RECORDLINE_CONSOLE_PORT",
                "RECORDLINE_CONSOLE_MANAGEMENT_PORT", "RECORDLINE_LOGIN_PORT")));
    }
}
