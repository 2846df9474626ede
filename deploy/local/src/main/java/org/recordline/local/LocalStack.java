package org.recordline.local;

import java.io.IOException;
import java.io.UncheckedIOException;
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
import org.recordline.testsupport.Database;
import org.recordline.testsupport.KafkaBroker;
import org.recordline.testsupport.TokenIssuer;

/**
 * The whole platform on one machine: one real Kafka broker (in this JVM), one real PostgreSQL server (a child
 * process) and the four packaged services as separate JVMs. Used by {@code ./recordline up} and the system test.
 */
public final class LocalStack implements AutoCloseable {

    private final StackSettings settings;
    private final Map<String, Process> processes = new LinkedHashMap<>();
    private Database database;
    private KafkaBroker broker;
    private TokenIssuer tokens;

    public LocalStack(StackSettings settings) {
        this.settings = settings;
    }

    /** Deletes the stack's data (broker log, database, service logs); keeps the signing key. */
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
        try {
            Files.createDirectories(settings.stateDir().resolve("logs"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (StackSettings.ServiceSpec s : settings.services()) {
            Path jar = runJar(s);
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException(jar + " is missing: build first (mvn -DskipTests install)");
            }
        }
        stopLeftoverServices();
        tokens = TokenIssuer.loadOrCreate(settings.stateDir().resolve("keys"));
        broker = KafkaBroker.start(settings.stateDir().resolve("kafka"), settings.kafkaPort(),
                settings.controllerPort());
        database = Database.start(settings.stateDir().resolve("postgres"), settings.dbPort());
        broker.createRecordlineTopics();
        for (StackSettings.ServiceSpec s : settings.services()) {
            processes.put(s.name(), launch(s));
        }
        writePids();
        awaitReady(readyTimeout);
    }

    private Path pidFile() {
        return settings.stateDir().resolve("services.pids");
    }

    private void writePids() {
        StringBuilder b = new StringBuilder();
        processes.values().forEach(p -> b.append(p.pid()).append('\n'));
        try {
            Files.writeString(pidFile(), b);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Service JVMs of a launcher that was killed (kill -9) still hold their ports: stop them first. */
    private void stopLeftoverServices() {
        if (!Files.exists(pidFile())) {
            return;
        }
        try {
            for (String line : Files.readAllLines(pidFile())) {
                if (line.isBlank()) {
                    continue;
                }
                ProcessHandle.of(Long.parseLong(line.trim())).ifPresent(h -> {
                    String args = String.join(" ", h.info().arguments().orElse(new String[0]));
                    if (args.contains(settings.home().toString()) && args.contains("quarkus-run.jar")) {
                        h.destroy();
                        try {
                            h.onExit().get(20, TimeUnit.SECONDS);
                        } catch (Exception e) {
                            h.destroyForcibly();
                        }
                    }
                });
            }
            Files.deleteIfExists(pidFile());
        } catch (IOException | NumberFormatException e) {
            // an unreadable pid file: nothing we can safely stop
        }
    }

    private Path runJar(StackSettings.ServiceSpec s) {
        return settings.home().resolve(s.name()).resolve("target/quarkus-app/quarkus-run.jar");
    }

    private Process launch(StackSettings.ServiceSpec s) {
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx" + settings.serviceHeap(), "-XX:+UseSerialGC",
                "-XX:+ExitOnOutOfMemoryError",
                "-Dquarkus.http.port=" + s.port(),
                "-Dquarkus.management.port=" + s.managementPort(),
                "-Dkafka.bootstrap.servers=" + broker.bootstrapServers(),
                "-Drecordline.db.host=127.0.0.1",
                "-Drecordline.db.port=" + database.port(),
                "-Dquarkus.oidc.public-key=" + tokens.publicKeyBase64(),
                "-jar", runJar(s).toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(settings.stateDir().resolve("logs").resolve(s.name() + ".log").toFile());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + s.name(), e);
        }
    }

    private void awaitReady(Duration timeout) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + timeout.toNanos();
        for (StackSettings.ServiceSpec s : settings.services()) {
            URI ready = URI.create("http://127.0.0.1:" + s.managementPort() + "/q/health/ready");
            while (true) {
                Process p = processes.get(s.name());
                if (!p.isAlive()) {
                    throw new IllegalStateException(s.name() + " exited with code " + p.exitValue() + "; see "
                            + logOf(s.name()));
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
                    throw new IllegalStateException("interrupted while waiting for " + s.name());
                }
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(s.name() + " not ready after " + timeout.toSeconds() + " s; see "
                            + logOf(s.name()));
                }
                try {
                    Thread.sleep(250);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + s.name());
                }
            }
        }
    }

    /** The log file of a service. */
    public Path logOf(String service) {
        return settings.stateDir().resolve("logs").resolve(service + ".log");
    }

    /** Process ids of the service JVMs, by service name. */
    public Map<String, Long> pids() {
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

    /** Stops the services (SIGTERM, then SIGKILL after 15 s), then the broker, then the database. */
    @Override
    public void close() {
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
