package org.recordline.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.utils.Time;
import org.recordline.events.Topics;

/**
 * A real Apache Kafka broker (KRaft, combined broker and controller, one node) running inside this JVM. Used by the
 * tests and by the local launcher; its log directory may persist between runs.
 */
public final class KafkaBroker implements AutoCloseable {

    private final Path logDir;
    private boolean temporary;
    private final int port;
    private final int controllerPort;
    private KafkaRaftServer server;

    private KafkaBroker(Path logDir, int port, int controllerPort) {
        this.logDir = logDir;
        this.port = port;
        this.controllerPort = controllerPort;
    }

    /** With {@link #startTemporaryWithTls()}: the TLS listener's port and the keys of both sides; else null. */
    private Integer tlsPort;
    private TlsKeys tls;

    /**
     * Starts a broker on free ports with a fresh temporary log directory and, besides its plain listener (for its own
     * use and for setting it up), a TLS listener that requires a client certificate, as a Strimzi TLS listener with
     * {@code authentication: tls} does: {@link #tlsBootstrapServers()}, {@link #tlsClientProperties(boolean)}.
     */
    public static KafkaBroker startTemporaryWithTls() {
        try {
            Path dir = Files.createTempDirectory("recordline-kafka-tls-");
            KafkaBroker b = new KafkaBroker(dir, freePort(), freePort());
            b.temporary = true;
            b.tlsPort = freePort();
            b.tls = TlsKeys.generate(Files.createTempDirectory("recordline-kafka-keys-"));
            b.startServer();
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code host:port} of the TLS listener. */
    public String tlsBootstrapServers() {
        if (tlsPort == null) {
            throw new IllegalStateException("this broker has no TLS listener");
        }
        return "127.0.0.1:" + tlsPort;
    }

    /**
     * Client settings for the TLS listener, without the {@code kafka.} prefix: trusting the broker's certificate,
     * and presenting the client's certificate when {@code withCertificate}.
     */
    public Map<String, String> tlsClientProperties(boolean withCertificate) {
        Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("security.protocol", "SSL");
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", tls.dir().resolve("client-trust.p12").toString());
        p.put("ssl.truststore.password", TlsKeys.PASSWORD);
        if (withCertificate) {
            p.put("ssl.keystore.type", "PKCS12");
            p.put("ssl.keystore.location", tls.dir().resolve("client.p12").toString());
            p.put("ssl.keystore.password", TlsKeys.PASSWORD);
        }
        return p;
    }

    /**
     * Self-signed keys made with the JDK's keytool: the broker's (for 127.0.0.1) and a client's, each side trusting
     * the other's certificate, in PKCS#12 stores.
     */
    private record TlsKeys(Path dir) {

        static final String PASSWORD = "recordline-test";

        static TlsKeys generate(Path dir) throws IOException {
            dir.toFile().deleteOnExit();
            keytool(dir, "-genkeypair", "-alias", "broker", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                    "CN=localhost", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype",
                    "PKCS12", "-keystore", "broker.p12", "-storepass", PASSWORD, "-keypass", PASSWORD);
            keytool(dir, "-genkeypair", "-alias", "client", "-keyalg", "EC", "-groupname", "secp256r1", "-dname",
                    "CN=recordline-test-client", "-validity", "2", "-storetype", "PKCS12", "-keystore", "client.p12",
                    "-storepass", PASSWORD, "-keypass", PASSWORD);
            keytool(dir, "-exportcert", "-alias", "broker", "-keystore", "broker.p12", "-storepass", PASSWORD,
                    "-file", "broker.crt");
            keytool(dir, "-exportcert", "-alias", "client", "-keystore", "client.p12", "-storepass", PASSWORD,
                    "-file", "client.crt");
            keytool(dir, "-importcert", "-noprompt", "-alias", "broker", "-file", "broker.crt", "-storetype",
                    "PKCS12", "-keystore", "client-trust.p12", "-storepass", PASSWORD);
            keytool(dir, "-importcert", "-noprompt", "-alias", "client", "-file", "client.crt", "-storetype",
                    "PKCS12", "-keystore", "broker-trust.p12", "-storepass", PASSWORD);
            try (var files = Files.list(dir)) {
                files.forEach(f -> f.toFile().deleteOnExit());
            }
            return new TlsKeys(dir);
        }

        private static void keytool(Path dir, String... args) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
            try {
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) {
                    throw new IOException("keytool " + args[0] + " failed: " + out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    /** Starts a broker on free ports with a fresh temporary log directory. */
    public static KafkaBroker startTemporary() {
        try {
            Path dir = Files.createTempDirectory("recordline-kafka-");
            KafkaBroker b = new KafkaBroker(dir, freePort(), freePort());
            b.temporary = true;
            b.startServer();
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts a broker with its log in {@code logDir}, formatting the directory the first time.
     *
     * @param port           client (PLAINTEXT) port
     * @param controllerPort KRaft controller port
     */
    public static KafkaBroker start(Path logDir, int port, int controllerPort) {
        KafkaBroker b = new KafkaBroker(logDir, port, controllerPort);
        b.startServer();
        return b;
    }

    private void startServer() {
        try {
            Files.createDirectories(logDir);
            Properties p = serverProperties();
            if (!Files.exists(logDir.resolve("meta.properties"))) {
                Path cfg = logDir.resolveSibling(logDir.getFileName() + "-format.properties");
                try (OutputStream out = Files.newOutputStream(cfg)) {
                    p.store(out, "recordline kafka format");
                }
                ByteArrayOutputStream buf = new ByteArrayOutputStream();
                int rc = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(),
                        "-c", cfg.toString(), "--ignore-formatted"}, new PrintStream(buf, true, StandardCharsets.UTF_8));
                Files.deleteIfExists(cfg);
                if (rc != 0) {
                    throw new IllegalStateException("kafka storage format failed: " + buf);
                }
            }
            server = new KafkaRaftServer(KafkaConfig.fromProps(p, false), Time.SYSTEM);
            server.startup();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Properties serverProperties() {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", "1");
        p.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
        if (tlsPort == null) {
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        } else {
            p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort
                    + ",TLS://127.0.0.1:" + tlsPort);
            p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port + ",TLS://127.0.0.1:" + tlsPort);
            p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,TLS:SSL");
            p.put("listener.name.tls.ssl.keystore.type", "PKCS12");
            p.put("listener.name.tls.ssl.keystore.location", tls.dir().resolve("broker.p12").toString());
            p.put("listener.name.tls.ssl.keystore.password", TlsKeys.PASSWORD);
            p.put("listener.name.tls.ssl.key.password", TlsKeys.PASSWORD);
            p.put("listener.name.tls.ssl.truststore.type", "PKCS12");
            p.put("listener.name.tls.ssl.truststore.location", tls.dir().resolve("broker-trust.p12").toString());
            p.put("listener.name.tls.ssl.truststore.password", TlsKeys.PASSWORD);
            p.put("listener.name.tls.ssl.client.auth", "required");
        }
        p.put("controller.listener.names", "CONTROLLER");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("log.dirs", logDir.toAbsolutePath().toString());
        p.put("num.partitions", String.valueOf(Topics.DEFAULT_PARTITIONS));
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        p.put("default.replication.factor", "1");
        p.put("min.insync.replicas", "1");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("unclean.leader.election.enable", "false");
        // large patient bundles: see Topics.MAX_MESSAGE_BYTES
        p.put("message.max.bytes", String.valueOf(Topics.MAX_MESSAGE_BYTES));
        p.put("replica.fetch.max.bytes", String.valueOf(Topics.MAX_MESSAGE_BYTES));
        p.put("log.segment.bytes", String.valueOf(64 * 1024 * 1024));
        return p;
    }

    /** {@code host:port} for clients. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    /** Creates every Recordline topic (and its dead-letter topic) if it does not exist yet. */
    public void createRecordlineTopics() {
        createTopics(Topics.all(), Topics.DEFAULT_PARTITIONS);
    }

    /** Creates topics with a replication factor of 1 and Recordline's message size limit. */
    public void createTopics(List<String> names, int partitions) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()))) {
            Set<String> existing = admin.listTopics().names().get();
            List<NewTopic> topics = new ArrayList<>();
            for (String n : names) {
                if (!existing.contains(n)) {
                    topics.add(new NewTopic(n, partitions, (short) 1).configs(Map.of(
                            "max.message.bytes", String.valueOf(Topics.MAX_MESSAGE_BYTES),
                            "retention.ms", String.valueOf(Topics.RETENTION.toMillis()))));
                }
            }
            if (!topics.isEmpty()) {
                admin.createTopics(topics).all().get();
            }
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw new IllegalStateException("topic creation failed", e.getCause());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Stops the broker and waits for it to finish; a temporary broker's log directory is deleted. */
    @Override
    public void close() {
        stop();
        if (temporary) {
            try (var walk = Files.walk(logDir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: it is a temporary directory
            }
        }
    }

    /** Stops the broker, keeping its log (see {@link #restart()}). */
    public void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Stops and starts the broker again on the same ports and log directory (fault injection). */
    public void restart() {
        stop();
        startServer();
    }

    /** A TCP port nobody listens on right now. */
    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
