package org.recordline.testsupport;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * Quarkus test resource: one real Kafka broker, one real PostgreSQL server and one token issuer per test JVM,
 * shared by every test class of a module. The services' {@code %test} profile reads the settings it returns.
 */
public class RecordlineStackResource implements QuarkusTestResourceLifecycleManager {

    private static KafkaBroker broker;
    private static Database database;
    private static TokenIssuer tokens;
    private static java.nio.file.Path checkpointKey;

    /** Prefix of the settings that carry each database role's password; a service's {@code %test} profile picks its own. */
    public static final String PASSWORD_PREFIX = "recordline.test.db-password.";

    @Override
    public synchronized Map<String, String> start() {
        ensureStarted();
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "kafka.bootstrap.servers", broker.bootstrapServers(),
                "recordline.db.host", "127.0.0.1",
                "recordline.db.port", String.valueOf(database.port()),
                "quarkus.oidc.public-key", tokens.publicKeyBase64(),
                "quarkus.oidc.token.issuer", TokenIssuer.ISSUER,
                "quarkus.oidc.token.audience", TokenIssuer.AUDIENCE));
        DatabaseRoles.ALL.forEach(r -> settings.put(PASSWORD_PREFIX + r, database.credentials().password(r)));
        // one audit checkpoint key for the JVM, so that every start of the audit-service signs with the same key
        settings.put("recordline.audit.checkpoint.key-file", checkpointKey.toString());
        return settings;
    }

    private static synchronized void ensureStarted() {
        if (broker == null) {
            broker = KafkaBroker.startTemporary();
            broker.createRecordlineTopics();
            database = Database.startTemporary();
            tokens = TokenIssuer.generate();
            try {
                java.nio.file.Path keys = java.nio.file.Files.createTempDirectory("recordline-test-keys-");
                checkpointKey = AuditCheckpointKey.loadOrCreate(keys.resolve("keys"));
                // deleted at exit in the reverse order: the key, its folder, the temporary folder
                keys.toFile().deleteOnExit();
                keys.resolve("keys").toFile().deleteOnExit();
                checkpointKey.toFile().deleteOnExit();
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    broker.close();
                } finally {
                    database.close();
                }
            }, "recordline-test-stack-stop"));
        }
    }

    @Override
    public void stop() {
        // shared by all test classes of the JVM; stopped by the shutdown hook
    }

    /** The broker of this test JVM. */
    public static KafkaBroker broker() {
        ensureStarted();
        return broker;
    }

    /** The PostgreSQL server of this test JVM. */
    public static Database database() {
        ensureStarted();
        return database;
    }

    /** The audit checkpoint key file the audit-service under test signs with (private and public key, base64). */
    public static java.nio.file.Path checkpointKeyFile() {
        ensureStarted();
        return checkpointKey;
    }

    /** The token issuer whose public key the services under test trust. */
    public static TokenIssuer tokens() {
        ensureStarted();
        return tokens;
    }
}
