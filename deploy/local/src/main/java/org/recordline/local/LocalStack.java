package org.recordline.local;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.recordline.testsupport.AuditCheckpointKey;
import org.recordline.testsupport.Database;
import org.recordline.testsupport.DatabaseCredentials;
import org.recordline.testsupport.DatabaseRoles;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.TokenIssuer;

/**
 * The whole platform on one machine: one real Kafka broker (in this JVM), one real PostgreSQL server (a child
 * process) and the four packaged services as separate JVMs. Used by {@code ./recordline up}, the benchmark and the
 * system test.
 *
 * <p>It never uses a server it did not start: before anything is touched, every port the stack needs is checked, and
 * a port held by anything but this checkout's own leftovers (stopped first) is an error naming the port and the
 * variable that moves it. {@link #close()} may run at any moment, also while {@link #start} is still starting
 * things (a signal during start-up), and stops whatever was started.
 */
public final class LocalStack implements AutoCloseable {

    private final StackSettings settings;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private Database database;
    private KafkaBroker broker;
    private TokenIssuer tokens;
    private DatabaseCredentials credentials;
    private boolean closed;

    public LocalStack(StackSettings settings) {
        this.settings = settings;
    }

    private final List<String> serviceOptions = new java.util.ArrayList<>();

    /**
     * JVM options every service is started with, besides the stack's own (for example where to export traces:
     * {@code -Dquarkus.otel.exporter.otlp.traces.endpoint=...}); before {@link #start}.
     */
    public LocalStack withServiceOptions(List<String> options) {
        serviceOptions.addAll(options);
        return this;
    }

    /** Deletes the stack's data (broker log, database, service logs); keeps the keys and passwords. */
    public static void wipeData(Path stateDir) {
        for (String sub : List.of("kafka", "postgres", "logs")) {
            deleteTree(stateDir.resolve(sub));
        }
    }

    /** Deletes a whole state folder (temporary stacks of the system test and the benchmark). */
    public static void deleteState(Path stateDir) {
        deleteTree(stateDir);
    }

    /** Starts broker, database and services, and waits until every service reports ready. */
    public void start(Duration readyTimeout) {
        start(readyTimeout, false);
    }

    /**
     * Stops this checkout's leftovers, checks every port, then (with {@code fresh}) deletes the old data, starts
     * broker, database and services, and waits until every service reports ready.
     *
     * @throws IllegalStateException if a port is taken by something else (nothing has been touched then), a service
     *                               is not built, or does not become ready
     */
    public void start(Duration readyTimeout, boolean fresh) {
        for (StackSettings.ServiceSpec s : settings.services()) {
            Path jar = runJar(s);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: build first (mvn -DskipTests install)");
            }
        }
        stopLeftoverServices();
        Database.stopLeftover(settings.stateDir().resolve("postgres"));
        requireFreePorts();
        if (fresh) {
            wipeData(settings.stateDir());
        }
        try {
            Files.createDirectories(settings.stateDir().resolve("logs"));
            Files.createDirectories(settings.stateDir().resolve("imports"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        tokens = TokenIssuer.loadOrCreate(settings.stateDir().resolve("keys"));
        credentials = DatabaseCredentials.loadOrCreate(settings.stateDir().resolve("keys").resolve("database.properties"));
        synchronized (this) {
            ensureOpen();
            broker = KafkaBroker.start(settings.stateDir().resolve("kafka"), settings.kafkaPort(),
                    settings.controllerPort());
        }
        synchronized (this) {
            ensureOpen();
            database = Database.start(settings.stateDir().resolve("postgres"), settings.dbPort(), credentials);
        }
        broker.createRecordlineTopics();
        for (StackSettings.ServiceSpec s : settings.services()) {
            synchronized (this) {
                ensureOpen();
                processes.put(s.id(), launch(s));
                writePids();
            }
        }
        awaitReady(readyTimeout);
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("stopped while starting");
        }
    }

    /**
     * Every port must be free: nothing listens on it (a connection is refused) and it can be bound. What holds one
     * now is not ours, since this checkout's leftovers were stopped before.
     */
    private void requireFreePorts() {
        List<String> taken = new ArrayList<>();
        settings.portsByVariable().forEach((variable, port) -> {
            if (inUse(port)) {
                taken.add("port " + port + " (" + variable + ")");
            }
        });
        if (!taken.isEmpty()) {
            throw new IllegalStateException(String.join(", ", taken) + (taken.size() == 1 ? " is" : " are")
                    + " in use by another process, not by a leftover of this checkout; stop it, or move Recordline "
                    + "with the variable named. Nothing was started or changed");
        }
    }

    /** Whether something listens on {@code port} (on loopback, or on any address). */
    static boolean inUse(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 300);
            return true;
        } catch (IOException refused) {
            // nothing answers on loopback; can it be bound on every address?
        }
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(port));
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    private Path pidFile() {
        return settings.stateDir().resolve("services.pids");
    }

    private void writePids() {
        StringBuilder b = new StringBuilder();
        processes.values().forEach(p -> b.append(p.pid()).append('\n'));
        try {
            Files.createDirectories(settings.stateDir());
            Files.writeString(pidFile(), b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Service JVMs of a launcher that was killed (kill -9) still hold their ports: stop them first, all at once
     * (their broker died with the launcher, so a graceful stop may hang on it: SIGKILL after 10 s).
     */
    private void stopLeftoverServices() {
        if (!Files.exists(pidFile())) {
            return;
        }
        List<ProcessHandle> leftovers = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(pidFile())) {
                if (line.isBlank()) {
                    continue;
                }
                ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(h -> {
                    String args = String.join(" ", h.info().arguments().orElse(new String[0]));
                    if (args.contains(settings.home().toString()) && args.contains("quarkus-run.jar")) {
                        leftovers.add(h);
                    }
                });
            }
        } catch (IOException | NumberFormatException e) {
            return; // an unreadable pid file: nothing we can safely stop
        }
        leftovers.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        for (ProcessHandle h : leftovers) {
            try {
                h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
        for (ProcessHandle h : leftovers) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("a leftover service JVM (pid " + h.pid() + ") of this checkout "
                        + "does not stop");
            }
        }
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            // rewritten at the next start anyway
        }
    }

    private Path runJar(StackSettings.ServiceSpec s) {
        return settings.home().resolve(s.name()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private Process launch(StackSettings.ServiceSpec s) {
        return launch(s, false);
    }

    private Process launch(StackSettings.ServiceSpec s, boolean appendLog) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + settings.heapFor(s), "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError", "-Xss512k"));
        if (!s.name().equals("audit-service")) {
            // seven processes share a laptop's cores: the C1 compiler alone costs a fraction of the CPU and code
            // cache that C2 takes while warming up, and measured faster end to end here (docs/benchmarks.md). The
            // audit-service keeps C2: it hashes every entry, and only C2 uses the CPU's SHA instructions
            cmd.addAll(List.of("-XX:TieredStopAtLevel=1", "-XX:ReservedCodeCacheSize=48m"));
        }
        cmd.addAll(List.of(
                "-Dquarkus.http.port=" + s.port(),
                "-Dquarkus.management.port=" + s.managementPort(),
                "-Dkafka.bootstrap.servers=" + broker.bootstrapServers(),
                "-Drecordline.db.host=127.0.0.1",
                "-Drecordline.db.port=" + database.port(),
                "-Dquarkus.oidc.public-key=" + tokens.publicKeyBase64()));
        if (s.name().equals("ingestion-service")) {
            // HL7 v2 over MLLP on loopback, from one registered facility; further instances on a port of their own
            cmd.addAll(List.of("-Drecordline.ingestion.mllp.host=127.0.0.1",
                    "-Drecordline.ingestion.mllp.port=" + (s.instance() == 1 ? settings.mllpPort() : 0),
                    "-Drecordline.ingestion.mllp.senders." + StackSettings.LOCAL_MLLP_FACILITY + "="
                            + StackSettings.LOCAL_MLLP_SOURCE,
                    // the inbound topic's local sender, filed as the local EHR
                    "-Drecordline.ingestion.inbound.sources.\"" + StackSettings.LOCAL_INBOUND_SOURCE + "\"="
                            + StackSettings.LOCAL_MLLP_SOURCE,
                    // $import manifests may name files under the state folder's imports/
                    "-Drecordline.ingestion.import.directory=" + settings.stateDir().resolve("imports")));
        }
        cmd.addAll(serviceOptions);
        // extra JVM options for every service, e.g. a JFR recording: RECORDLINE_SERVICE_JVM_OPTIONS
        String extra = System.getenv("RECORDLINE_SERVICE_JVM_OPTIONS");
        if (extra != null && !extra.isBlank()) {
            cmd.addAll(List.of(extra.trim().split("\\s+")));
        }
        cmd.addAll(List.of("-jar", runJar(s).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(appendLog
                        ? ProcessBuilder.Redirect.appendTo(settings.stateDir().resolve("logs").resolve(s.id() + ".log")
                        .toFile())
                        : ProcessBuilder.Redirect.to(settings.stateDir().resolve("logs").resolve(s.id() + ".log")
                        .toFile()));
        // each service gets its own role's password, through the environment (not the command line, which anyone
        // on the machine can read)
        DatabaseRoles.SchemaAccess access = DatabaseRoles.of(s.name());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("RECORDLINE_DB_"));
        // glibc gives every thread that allocates its own malloc arena (64 MB of address space, megabytes of RSS
        // each); the JVM allocates little natively, so two arenas are plenty
        env.putIfAbsent("MALLOC_ARENA_MAX", "2");
        env.put("RECORDLINE_DB_USER", access.runtime());
        env.put("RECORDLINE_DB_PASSWORD", credentials.password(access.runtime()));
        if (!access.owner().equals(access.runtime())) {
            env.put("RECORDLINE_DB_MIGRATION_USER", access.owner());
            env.put("RECORDLINE_DB_MIGRATION_PASSWORD", credentials.password(access.owner()));
        }
        if ("audit-service".equals(s.name())) {
            // the key that signs the audit log's checkpoints, kept with the stack's other keys (owner-only)
            env.put("RECORDLINE_AUDIT_CHECKPOINT_KEY_FILE",
                    AuditCheckpointKey.loadOrCreate(settings.stateDir().resolve("keys")).toString());
        }
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + s.name(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        awaitReady(timeout, settings.services());
    }

    private void awaitReady(Duration timeout, List<StackSettings.ServiceSpec> services) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (StackSettings.ServiceSpec s : services) {
            URI ready = URI.create("http://127.0.0.1:" + s.managementPort() + "/q/health/ready");
            while (true) {
                Process p;
                synchronized (this) {
                    ensureOpen();
                    p = processes.get(s.id());
                }
                if (!p.isAlive()) {
                    throw new IllegalStateException(s.id() + " exited with code " + p.exitValue() + "; see "
                            + logOf(s.id()));
                }
                try {
                    HttpResponse<Void> r = http.send(HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(3))
                            .GET().build(), HttpResponse.BodyHandlers.discarding());
                    if (r.statusCode() == 200) {
                        break;
                    }
                } catch (IOException e) {
                    // not listening yet
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + s.id());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(s.id() + " not ready after " + timeout.toSeconds() + " s; see "
                            + logOf(s.id()));
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + s.id());
                }
            }
        }
    }

    /** Kills one service instance at once (SIGKILL), as a crash would; for fault tests. */
    public synchronized void kill(String instanceId) {
        Process p = processes.get(instanceId);
        if (p == null) {
            throw new IllegalArgumentException("no instance " + instanceId);
        }
        p.destroyForcibly();
        try {
            p.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts a killed service instance again and waits until it is ready. */
    public void restart(String instanceId, Duration readyTimeout) {
        StackSettings.ServiceSpec spec = settings.services().stream().filter(s -> s.id().equals(instanceId))
                .findFirst().orElseThrow(() -> new IllegalArgumentException("no instance " + instanceId));
        synchronized (this) {
            ensureOpen();
            processes.put(instanceId, launch(spec, true));
            writePids();
        }
        awaitReady(readyTimeout, List.of(spec));
    }

    /** The log file of a service. */
    public Path logOf(String service) {
        return settings.stateDir().resolve("logs").resolve(service + ".log");
    }

    /** Process ids of the service JVMs, by service name. */
    public synchronized Map<String, Long> pids() {
        Map<String, Long> m = new LinkedHashMap<>();
        processes.forEach((k, v) -> m.put(k, v.pid()));
        return m;
    }

    public KafkaBroker broker() {
        return broker;
    }

    public Database database() {
        return database;
    }

    public TokenIssuer tokens() {
        return tokens;
    }

    public StackSettings settings() {
        return settings;
    }

    /** Where the database passwords of this stack are kept (owner-only). */
    public Path credentialsFile() {
        return settings.stateDir().resolve("keys").resolve("database.properties");
    }

    /**
     * Stops the services (SIGTERM, then SIGKILL after 15 s), then the broker, then the database; safe to call while
     * {@link #start} runs on another thread, and more than once.
     */
    @Override
    public synchronized void close() {
        closed = true;
        processes.values().forEach(Process::destroy);
        for (Process p : processes.values()) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        processes.clear();
        try {
            Files.deleteIfExists(pidFile());
        } catch (IOException e) {
            // the next start checks the pids it names anyway
        }
        if (broker != null) {
            broker.close();
            broker = null;
        }
        if (database != null) {
            database.close();
            database = null;
        }
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
