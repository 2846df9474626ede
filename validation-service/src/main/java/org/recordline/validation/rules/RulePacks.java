package org.recordline.validation.rules;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The rule packs in force: the built-in {@code recordline-core}, those in the configured folder
 * ({@code recordline.validation.rule-packs.dir}, every {@code *.yaml}), and those an administrator loaded, which
 * live in table {@code rule_pack} and replace a pack of the same id. {@link #current()} looks for newly loaded packs
 * with one indexed query, so every instance of the service uses a new pack from its next batch, without a restart.
 */
@ApplicationScoped
public class RulePacks {

    private static final Logger LOG = Logger.getLogger(RulePacks.class);
    static final String BUILT_IN = "rule-packs/recordline-core.yaml";

    private final AgroalDataSource db;
    private final RuleEngine engine;
    private final Map<String, RulePack> base;
    private volatile long seenSeq = -1;
    private volatile List<RulePack> current;

    public RulePacks(AgroalDataSource db, RuleEngine engine,
                     @ConfigProperty(name = "recordline.validation.rule-packs.dir") Optional<String> dir) {
        this.db = db;
        this.engine = engine;
        this.base = new LinkedHashMap<>();
        RulePack core = RulePack.parse(builtIn());
        engine.compile(core);
        base.put(core.pack(), core);
        dir.map(Path::of).ifPresent(this::loadFolder);
        this.current = List.copyOf(base.values());
    }

    /** The engine that applies the packs. */
    public RuleEngine engine() {
        return engine;
    }

    /** The packs in force, refreshed from the database when an administrator loaded one since the last call. */
    public List<RulePack> current() {
        try (Connection c = db.getConnection();
             PreparedStatement s = c.prepareStatement("SELECT coalesce(max(seq), 0) FROM rule_pack");
             ResultSet rs = s.executeQuery()) {
            rs.next();
            long seq = rs.getLong(1);
            if (seq != seenSeq) {
                reload(c, seq);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rule packs could not be read", e);
        }
        return current;
    }

    /**
     * Checks and stores a pack an administrator loads; it is in force for every instance from their next batch.
     *
     * @return the pack as stored
     * @throws RulePackException the pack is not usable, or this id and version were loaded before
     */
    public RulePack load(String yaml, String loadedBy) {
        RulePack pack = RulePack.parse(yaml);
        engine.compile(pack);
        try (Connection c = db.getConnection();
             PreparedStatement lock = c.prepareStatement("LOCK TABLE rule_pack IN SHARE ROW EXCLUSIVE MODE");
             PreparedStatement s = c.prepareStatement("INSERT INTO rule_pack (pack_id, version, yaml, loaded_at, "
                     + "loaded_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (pack_id, version) DO NOTHING")) {
            // loads one at a time, so sequence numbers commit in order and an instance that has seen one has seen
            // every lower one (a gap left by an uncommitted insert would otherwise be skipped for good)
            lock.execute();
            s.setString(1, pack.pack());
            s.setString(2, pack.version());
            s.setString(3, yaml);
            s.setTimestamp(4, Timestamp.from(Instant.now()));
            s.setString(5, loadedBy);
            if (s.executeUpdate() == 0) {
                throw new RulePackException(List.of("pack " + pack.label() + " was loaded before; give the new "
                        + "rules a new version"));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("rule pack could not be stored", e);
        }
        return pack;
    }

    private synchronized void reload(Connection c, long seq) throws SQLException {
        Map<String, RulePack> packs = new LinkedHashMap<>(base);
        try (PreparedStatement s = c.prepareStatement("SELECT DISTINCT ON (pack_id) pack_id, yaml FROM rule_pack "
                + "ORDER BY pack_id, seq DESC");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                try {
                    RulePack p = RulePack.parse(rs.getString(2));
                    engine.compile(p);
                    packs.put(p.pack(), p);
                } catch (RulePackException e) {
                    LOG.errorf("stored rule pack %s is no longer usable and is skipped: %s", rs.getString(1),
                            e.getMessage());
                }
            }
        }
        current = List.copyOf(packs.values());
        seenSeq = seq;
        LOG.infof("rule packs in force: %s", String.join(", ", current.stream().map(RulePack::label).toList()));
    }

    private void loadFolder(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("recordline.validation.rule-packs.dir is not a folder: " + dir);
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted().toList()) {
                RulePack p = RulePack.parse(Files.readString(f, StandardCharsets.UTF_8));
                engine.compile(p);
                base.put(p.pack(), p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The built-in pack's text. */
    public static String builtIn() {
        try (InputStream in = RulePacks.class.getClassLoader().getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException(BUILT_IN + " is missing from the class path");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Labels of packs, for logs and answers. */
    public static List<String> labels(Collection<RulePack> packs) {
        List<String> out = new ArrayList<>();
        packs.forEach(p -> out.add(p.label()));
        return out;
    }
}
