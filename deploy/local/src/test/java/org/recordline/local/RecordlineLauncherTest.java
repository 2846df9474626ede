package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.recordline.local.bench.PipelineBenchmark;

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
        assertEquals(2, run("bench", "--rate", "5001").code());
        assertEquals(2, run("bench", "--rate-seconds", "0").code());
        assertEquals(2, run("bench", "--bundle-clients", "65").code());
        assertEquals(2, run("bench", "--bundles", "-1").code());
        assertEquals(2, run("bench", "--rate", "5000", "--rate-seconds", "600").code(), "too many to track");
    }

    @Test
    void auditVerifyChecksItsArgumentsAndNeedsATrustedKeyBeforeReadingAnything() throws Exception {
        assertEquals(2, run("audit").code());
        assertTrue(run("audit", "check").err().contains("audit takes one subcommand: verify"));
        Run option = run("audit", "verify", "--chekpoint", "cp.json");
        assertEquals(2, option.code());
        assertTrue(option.err().contains("unknown option '--chekpoint' for audit verify"), option.err());
        assertEquals(2, run("audit", "verify", "--checkpoint").code(), "an option without its value");
        // a fresh state folder holds no checkpoint key: nothing to trust, so nothing is verified
        Run noKey = run("audit", "verify");
        assertEquals(2, noKey.code());
        assertTrue(noKey.err().contains("no trusted key"), noKey.err());
    }

    @Test
    void benchOptionsHaveDefaultsAndTheirRanges() {
        assertEquals(new PipelineBenchmark.Options(400, 16, 200, 15, 8, 40, null),
                PipelineBenchmark.Options.parse(List.of()));
        assertEquals(new PipelineBenchmark.Options(10, 2, 0, 1, 64, 0, "index-service"), PipelineBenchmark.Options.parse(List.of(
                "--patients", "10", "--clients", "2", "--rate", "0", "--rate-seconds", "1", "--bundle-clients", "64",
                "--bundles", "0", "--kill", "index-service")), "0 skips the fixed-rate and the bundle phase");
        assertEquals(new PipelineBenchmark.Options(20_000, 32, 5_000, 20, 1, 2_000, null),
                PipelineBenchmark.Options.parse(List.of("--patients", "20000", "--clients", "32", "--rate", "5000",
                        "--rate-seconds", "20", "--bundle-clients", "1", "--bundles", "2000")));
        for (List<String> wrong : List.of(List.of("--patients", "0"), List.of("--clients", "33"),
                List.of("--rate", "-1"), List.of("--rate-seconds", "601"), List.of("--bundle-clients", "0"),
                List.of("--bundles", "2001"), List.of("--rate"), List.of("--bundles", "many"), List.of("--skip"), List.of("--kill"),
                List.of("--kill", "kafka"))) {
            assertThrows(IllegalArgumentException.class, () -> PipelineBenchmark.Options.parse(wrong),
                    String.join(" ", wrong));
        }
    }

    @Test
    void aValidTokenCommandSucceedsWithTheTokenOnStandardOutput() throws Exception {
        Run r = run("token", "--role", "auditor", "--user", "audrey", "--ttl", "1");
        assertEquals(0, r.code(), r.err());
        assertEquals(3, r.out().trim().split("\\.").length, "a JWS has three parts: " + r.out());
    }

    @Test
    void matchModelEstimateChecksItsOptionsAndSaysWhenTheIndexIsNotRunning() throws Exception {
        Run none = run("match-model");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("match-model takes the subcommand estimate"), none.err());
        Run bad = run("match-model", "estimate", "--records", "many");
        assertEquals(2, bad.code());
        assertTrue(bad.err().contains("--records takes a whole number"), bad.err());
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort(); // closed again: nothing listens there
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Path home = Files.createTempDirectory("recordline-launcher-test");
        int code = RecordlineLauncher.run(new String[] {"match-model", "estimate"}, home,
                Map.of("RECORDLINE_STATE_DIR", home.resolve("state").toString(), "RECORDLINE_INDEX_PORT",
                        String.valueOf(port)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        assertEquals(2, code);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("not reachable on port " + port),
                err.toString(StandardCharsets.UTF_8));
    }
}
