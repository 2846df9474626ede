package org.recordline.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.Database;
import org.recordline.testsupport.KafkaBroker;

/**
 * {@code ./recordline up} as a user runs it, in its own process: it refuses a port that another server holds without
 * touching anything, a SIGTERM stops every process of the stack (the records console and the local sign-in's port
 * included), and after a SIGKILL the next {@code up} of the same checkout stops what the killed one left behind.
 * Needs the records console built ({@code records-console/target/quarkus-app}), as {@code up} does.
 */
class LauncherLifecycleIT {

    private static final Path HOME = Path.of(System.getProperty("recordline.home", "../..")).toAbsolutePath()
            .normalize();

    private final List<Process> launchers = new ArrayList<>();
    private final List<AutoCloseable> foreign = new ArrayList<>();

    @AfterEach
    void stopEverything() throws Exception {
        for (Process p : launchers) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (AutoCloseable c : foreign) {
            c.close();
        }
    }

    /** Ports for a stack, by the variable that sets each. */
    private static Map<String, String> freshPorts() {
        Map<String, String> env = new LinkedHashMap<>();
        for (String v : List.of("RECORDLINE_KAFKA_PORT", "RECORDLINE_KAFKA_CONTROLLER_PORT", "RECORDLINE_DB_PORT",
                "RECORDLINE_INGESTION_PORT", "RECORDLINE_INGESTION_MANAGEMENT_PORT", "RECORDLINE_VALIDATION_PORT",
                "RECORDLINE_VALIDATION_MANAGEMENT_PORT", "RECORDLINE_INDEX_PORT", "RECORDLINE_INDEX_MANAGEMENT_PORT",
                "RECORDLINE_AUDIT_PORT", "RECORDLINE_AUDIT_MANAGEMENT_PORT", "RECORDLINE_MLLP_PORT",
                "RECORDLINE_CONSOLE_PORT", "RECORDLINE_CONSOLE_MANAGEMENT_PORT", "RECORDLINE_LOGIN_PORT")) {
            env.put(v, String.valueOf(KafkaBroker.freePort()));
        }
        return env;
    }

    /** Starts {@code ./recordline up ...} as the script does (same main class and class path). */
    private Process launch(Path state, Map<String, String> ports, Path log, String... args) throws IOException {
        String classpath = HOME.resolve("deploy/local/target/classes") + java.io.File.pathSeparator
                + Files.readString(HOME.resolve("deploy/local/target/launcher-classpath.txt")).trim();
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Xmx512m", "-XX:+UseSerialGC", "-Drecordline.home=" + HOME, "-cp", classpath,
                "org.recordline.local.RecordlineLauncher", "up"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("RECORDLINE_"));
        env.putAll(ports);
        env.put("RECORDLINE_STATE_DIR", state.toString());
        Process p = pb.start();
        launchers.add(p);
        return p;
    }

    private static String read(Path log) {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static void awaitReady(Process launcher, Path log) {
        await().atMost(Duration.ofSeconds(300)).pollInterval(Duration.ofMillis(500)).until(() -> {
            if (!launcher.isAlive()) {
                throw new AssertionError("the launcher exited with " + launcher.exitValue() + ":\n" + read(log));
            }
            return read(log).contains("Recordline is ready");
        });
    }

    private static List<Long> servicePids(Path state) throws IOException {
        List<Long> pids = new ArrayList<>();
        for (String line : Files.readAllLines(state.resolve("services.pids"))) {
            if (!line.isBlank()) {
                pids.add(Long.parseLong(line.trim()));
            }
        }
        assertEquals(5, pids.size(), "four service JVMs and the records console");
        return pids;
    }

    private static long postmasterPid(Path state) throws IOException {
        return Long.parseLong(Files.readAllLines(state.resolve("postgres/postmaster.pid")).get(0).trim());
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void aPortHeldByAnotherPostgresIsAClearErrorAndNothingIsTouched() throws Exception {
        Path state = Files.createTempDirectory("recordline-lifecycle-port-");
        Files.createDirectories(state.resolve("postgres"));
        Files.writeString(state.resolve("postgres/keep-me"), "data of this checkout");
        // another checkout's PostgreSQL, still running on the port this stack wants
        Database other = Database.startTemporary();
        foreign.add(other);
        Map<String, String> ports = freshPorts();
        ports.put("RECORDLINE_DB_PORT", String.valueOf(other.port()));
        Path log = state.resolveSibling(state.getFileName() + ".log");

        Process launcher = launch(state, ports, log, "--fresh");
        assertTrue(launcher.waitFor(120, TimeUnit.SECONDS), "the launcher gives up by itself");
        String out = read(log);
        assertEquals(2, launcher.exitValue(), out);
        assertTrue(out.contains("port " + other.port() + " (RECORDLINE_DB_PORT)"), out);
        assertTrue(out.contains("in use by another process"), out);
        assertFalse(out.contains("fresh start"), out);
        assertTrue(Files.exists(state.resolve("postgres/keep-me")), "--fresh removed nothing");
        assertFalse(Files.exists(state.resolve("services.pids")), "no service was started");
        for (String v : List.of("RECORDLINE_KAFKA_PORT", "RECORDLINE_INGESTION_PORT")) {
            assertFalse(LocalStack.inUse(Integer.parseInt(ports.get(v))), v + " was never opened");
        }
        // the other server is untouched
        try (var c = other.connect(); var st = c.createStatement(); var rs = st.executeQuery("SELECT 1")) {
            assertTrue(rs.next());
        }
    }

    @Test
    void afterSigkillTheNextUpCleansUpAndSigtermStopsEveryProcessOfTheStack() throws Exception {
        Path state = Files.createTempDirectory("recordline-lifecycle-");
        Map<String, String> ports = freshPorts();
        Path log1 = state.resolveSibling(state.getFileName() + "-1.log");
        Process first = launch(state, ports, log1);
        awaitReady(first, log1);
        List<Long> firstServices = servicePids(state);
        long firstPostmaster = postmasterPid(state);

        first.destroyForcibly(); // kill -9: no shutdown hook runs
        assertTrue(first.waitFor(30, TimeUnit.SECONDS));
        // what a killed launcher leaves behind: its service JVMs and its PostgreSQL
        assertTrue(firstServices.stream().allMatch(LauncherLifecycleIT::alive), "service JVMs outlive a SIGKILL");
        assertTrue(alive(firstPostmaster), "PostgreSQL outlives a SIGKILL");

        Path log2 = state.resolveSibling(state.getFileName() + "-2.log");
        Process second = launch(state, ports, log2);
        awaitReady(second, log2);
        for (long pid : firstServices) {
            assertFalse(alive(pid), "leftover service JVM " + pid + " was stopped by the next up");
        }
        assertFalse(alive(firstPostmaster), "the leftover PostgreSQL was stopped by the next up");
        List<Long> services = servicePids(state);
        long postmaster = postmasterPid(state);
        List<ProcessHandle> descendants = second.descendants().toList();
        assertTrue(descendants.size() >= 5, "the service JVMs and the console are the launcher's children");

        second.destroy(); // kill -TERM
        assertTrue(second.waitFor(90, TimeUnit.SECONDS), "the launcher stops within 90 s");
        assertTrue(read(log2).contains("stopped."), read(log2));
        for (long pid : services) {
            assertFalse(alive(pid), "service JVM " + pid + " outlived the launcher");
        }
        assertFalse(alive(postmaster), "PostgreSQL outlived the launcher");
        for (ProcessHandle h : descendants) {
            assertFalse(h.isAlive(), "process " + h.pid() + " " + h.info().command().orElse("") + " outlived it");
        }
        Map<String, String> stillListening = new HashMap<>();
        ports.forEach((variable, port) -> {
            if (LocalStack.inUse(Integer.parseInt(port))) {
                stillListening.put(variable, port);
            }
        });
        assertEquals(Map.of(), stillListening, "nothing listens on the stack's ports any more");
    }
}
