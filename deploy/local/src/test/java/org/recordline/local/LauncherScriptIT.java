package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code ./recordline} script itself passes the launcher's exit codes on. */
class LauncherScriptIT {

    private static final Path HOME = Path.of(System.getProperty("recordline.home", "../..")).toAbsolutePath()
            .normalize();

    private record Result(int code, String out, String err) {
    }

    private static Result script(String... args) throws Exception {
        String[] cmd = new String[args.length + 2];
        cmd[0] = "bash";
        cmd[1] = HOME.resolve("recordline").toString();
        System.arraycopy(args, 0, cmd, 2, args.length);
        Process p = new ProcessBuilder(cmd).directory(HOME.toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Result(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void anUnknownCommandExits2WithTheUsageOnStandardErrorAndHelpExits0() throws Exception {
        Result wrong = script("frobnicate");
        assertEquals(2, wrong.code(), wrong.err());
        assertEquals("", wrong.out());
        assertTrue(wrong.err().contains("unknown command 'frobnicate'") && wrong.err().contains("usage:"), wrong.err());
        Result help = script("--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.out().contains("usage: ./recordline up"), help.out());
    }
}
