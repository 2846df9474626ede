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
 * process) and the four packaged services as separate JVMs; the local sign-in ({@link LocalLogin}, in this JVM) and,
 * when asked ({@link #withConsole()}), the records console as a fifth JVM. Used by {@code ./recordline up}, the
 * benchmark and the system test.
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
    private LocalAccounts accounts;
    private LocalLogin login;
    private boolean console;
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

    /**
     * Starts the records console too, after the four services are ready, signing in through the local sign-in;
     * before {@link #start}. Its jar must be built ({@code records-console/target/quarkus-app/quarkus-run.jar}).
     */
    public LocalStack withConsole() {
        console = true;
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

    /**
     * Starts broker, database, the local sign-in and services (and the console, {@link #withConsole()}), and waits
     * until every service reports ready.
     */
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
        List<StackSettings.ServiceSpec> jvms = new ArrayList<>(settings.services());
        if (console) {
            jvms.add(settings.console());
        }
        for (StackSettings.ServiceSpec s : jvms) {
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
        accounts = LocalAccounts.loadOrCreate(settings.stateDir().resolve("keys"));
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
        synchronized (this) {
            ensureOpen();
            // the records console's OpenID Connect provider, on loopback only
            login = LocalLogin.start(settings.loginPort(), settings.consolePort(), tokens, accounts);
        }
        for (StackSettings.ServiceSpec s : settings.services()) {
            synchronized (this) {
                ensureOpen();
                processes.put(s.id(), launch(s));
                writePids();
            }
        }
        awaitReady(readyTimeout);
        if (console) {
            // the console calls the services: started once they answer
            StackSettings.ServiceSpec c = settings.console();
            synchronized (this) {
                ensureOpen();
                processes.put(c.id(), launch(c));
                writePids();
            }
            awaitReady(readyTimeout, List.of(c));
        }
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
     * Service JVMs (and the console) of a launcher that was killed (kill -9) still hold their ports: stop them first,
     * all at once (their broker died with the launcher, so a graceful stop may hang on it: SIGKILL after 10 s).
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
                "-Dquarkus.management.port=" + s.managementPort()));
        boolean isConsole = s.name().equals(StackSettings.CONSOLE);
        if (isConsole) {
            cmd.addAll(consoleProperties(settings, login.url()));
        } else {
            cmd.addAll(List.of(
                    "-Dkafka.bootstrap.servers=" + broker.bootstrapServers(),
                    "-Drecordline.db.host=127.0.0.1",
                    "-Drecordline.db.port=" + database.port(),
                    "-Dquarkus.oidc.public-key=" + tokens.publicKeyBase64()));
        }
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
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("RECORDLINE_DB_"));
        // glibc gives every thread that allocates its own malloc arena (64 MB of address space, megabytes of RSS
        // each); the JVM allocates little natively, so two arenas are plenty
        env.putIfAbsent("MALLOC_ARENA_MAX", "2");
        if (isConsole) {
            // its client secret through the environment, like the database passwords; no database for it
            env.put("QUARKUS_OIDC_CREDENTIALS_SECRET", accounts.clientSecret());
            return start(pb, s);
        }
        // each service gets its own role's password, through the environment (not the command line, which anyone
        // on the machine can read)
        DatabaseRoles.SchemaAccess access = DatabaseRoles.of(s.name());
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
        return start(pb, s);
    }

    /**
     * The records console's own system properties: it signs in through the local sign-in at {@code loginUrl} as
     * client {@link LocalLogin#CLIENT_ID}, and calls the services' APIs ({@code quarkus.rest-client.<name>.url}) and
     * management ports ({@code recordline.console.management.<name>}), {@code <name>} being {@code ingestion},
     * {@code validation}, {@code index}, {@code audit} (their first instances). Its client secret is not among them:
     * it goes through the environment.
     */
    static List<String> consoleProperties(StackSettings settings, String loginUrl) {
        List<String> props = new ArrayList<>(List.of(
                "-Dquarkus.oidc.auth-server-url=" + loginUrl,
                "-Dquarkus.oidc.client-id=" + LocalLogin.CLIENT_ID));
        for (StackSettings.ServiceSpec service : settings.services()) {
            if (service.instance() == 1) {
                String key = service.name().replace("-service", "");
                props.add("-Dquarkus.rest-client." + key + ".url=http://127.0.0.1:" + service.port());
                props.add("-Drecordline.console.management." + key + "=http://127.0.0.1:"
                        + service.managementPort());
            }
        }
        return props;
    }

    private static Process start(ProcessBuilder pb, StackSettings.ServiceSpec s) {
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

    /** Process ids of the service JVMs (and the console's), by instance name. */
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

    /** The local sign-in (OpenID Connect provider of the records console), once started. */
    public LocalLogin login() {
        return login;
    }

    /** The local sign-in's address, {@code http://127.0.0.1:<port>} (no trailing slash; its issuer is another). */
    public String loginUrl() {
        return "http://127.0.0.1:" + settings.loginPort();
    }

    /** The local accounts and the console's client secret, once started. */
    public LocalAccounts accounts() {
        return accounts;
    }

    /** The records console's address, {@code http://127.0.0.1:<port>/} (running only {@link #withConsole()}). */
    public String consoleUrl() {
        return "http://127.0.0.1:" + settings.consolePort() + "/";
    }

    /** Where the local accounts' passwords are kept (owner-only). */
    public Path accountsFile() {
        return settings.stateDir().resolve("keys").resolve(LocalAccounts.FILE_NAME);
    }

    /** Where the database passwords of this stack are kept (owner-only). */
    public Path credentialsFile() {
        return settings.stateDir().resolve("keys").resolve("database.properties");
    }

    /**
     * Stops the services and the console (SIGTERM, then SIGKILL after 15 s), then the sign-in, the broker, then the
     * database; safe to call while {@link #start} runs on another thread, and more than once.
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
        if (login != null) {
            login.close();
            login = null;
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
