package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The launcher's exit codes and where its usage goes: a script must be able to tell a mistake from success. */
class RecordlineLauncherTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path home = Files.createTempDirectory("recordline-launcher-test");
        int code = RecordlineLauncher.run(args, home, Map.of("RECORDLINE_STATE_DIR", home.resolve("state").toString()),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void helpPrintsTheUsageOnStandardOutputAndSucceeds() throws Exception {
        for (String help : new String[] {"help", "--help", "-h"}) {
            Run r = run(help);
            assertEquals(0, r.code(), help);
            assertTrue(r.out().startsWith("usage: ./recordline up"), r.out());
            assertEquals("", r.err());
        }
    }

    @Test
    void anUnknownCommandOrNoneIsAUsageErrorOnStandardErrorWithExitCode2() throws Exception {
        for (String[] args : new String[][] {{"frobnicate"}, {}, {"UP"}}) {
            Run r = run(args);
            assertEquals(2, r.code(), String.join(" ", args));
            assertEquals("", r.out());
            assertTrue(r.err().startsWith("recordline: ") && r.err().contains("usage: ./recordline up"), r.err());
        }
        assertTrue(run("frobnicate").err().contains("unknown command 'frobnicate'"));
    }

    @Test
    void aMisspeltOrUnknownOptionIsAUsageErrorBeforeAnythingStarts() throws Exception {
        Run up = run("up", "--frsh");
        assertEquals(2, up.code());
        assertTrue(up.err().contains("unknown option '--frsh' for up") && up.err().contains("usage:"), up.err());
        Run token = run("token", "--rol", "auditor");
        assertEquals(2, token.code());
        assertTrue(token.err().contains("unknown option '--rol'"), token.err());
        assertEquals(2, run("token", "--role").code(), "an option without its value");
        assertEquals(2, run("token", "--role", "auditor", "--ttl", "soon").code());
        assertEquals(2, run("token", "--role", "superuser").code());
        assertEquals(2, run("bench", "--patient", "10").code());
        assertEquals(2, run("bench", "--patients", "ten").code());
        assertEquals(2, run("bench", "--clients").code());
    }

    @Test
    void aValidTokenCommandSucceedsWithTheTokenOnStandardOutput() throws Exception {
        Run r = run("token", "--role", "auditor", "--user", "audrey", "--ttl", "1");
        assertEquals(0, r.code(), r.err());
        assertEquals(3, r.out().trim().split("\\.").length, "a JWS has three parts: " + r.out());
    }
}
