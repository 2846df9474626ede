package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link LocalStack} starts the records console, without starting one: what it is told on its command line, and
 * that an unbuilt console is refused before anything of the stack is touched.
 */
class LocalStackConsoleTest {

    @TempDir
    Path home;

    private StackSettings settings() {
        return new StackSettings(home, home.resolve(".recordline"), 19092, 19093, 15433, List.of(
                new StackSettings.ServiceSpec("ingestion-service", 18081, 19081),
                new StackSettings.ServiceSpec("validation-service", 18082, 19082),
                new StackSettings.ServiceSpec("index-service", 18083, 19083),
                new StackSettings.ServiceSpec("index-service", 18093, 19093, 2),
                new StackSettings.ServiceSpec("audit-service", 18084, 19084)),
                "192m", 12575, 18085, 19085, 18180);
    }

    @Test
    void theConsoleIsToldWhereToSignInAndWhereEachServiceIs() {
        List<String> props = LocalStack.consoleProperties(settings(), "http://127.0.0.1:18180");
        assertEquals(List.of(
                "-Dquarkus.oidc.auth-server-url=http://127.0.0.1:18180",
                "-Dquarkus.oidc.client-id=records-console",
                "-Dquarkus.rest-client.ingestion.url=http://127.0.0.1:18081",
                "-Drecordline.console.management.ingestion=http://127.0.0.1:19081",
                "-Dquarkus.rest-client.validation.url=http://127.0.0.1:18082",
                "-Drecordline.console.management.validation=http://127.0.0.1:19082",
                "-Dquarkus.rest-client.index.url=http://127.0.0.1:18083",
                "-Drecordline.console.management.index=http://127.0.0.1:19083",
                "-Dquarkus.rest-client.audit.url=http://127.0.0.1:18084",
                "-Drecordline.console.management.audit=http://127.0.0.1:19084"), props);
        assertFalse(String.join(" ", props).toLowerCase().contains("secret"), "no secret on the command line");
    }

    @Test
    void anUnbuiltConsoleIsRefusedBeforeAnythingStarts() throws Exception {
        for (String m : List.of("ingestion-service", "validation-service", "index-service", "audit-service")) {
            Path jar = home.resolve(m).resolve("target/quarkus-app/quarkus-run.jar");
            Files.createDirectories(jar.getParent());
            Files.createFile(jar);
        }
        StackSettings s = settings();
        try (LocalStack stack = new LocalStack(s).withConsole()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> stack.start(Duration.ofSeconds(5)));
            assertTrue(e.getMessage().contains(home.resolve("records-console/target/quarkus-app/quarkus-run.jar")
                    .toString()) && e.getMessage().contains("is missing"), e.getMessage());
            assertFalse(Files.exists(s.stateDir()), "nothing was created");
            assertEquals("http://127.0.0.1:18085/", stack.consoleUrl());
            assertEquals("http://127.0.0.1:18180", stack.loginUrl());
        }
    }
}
