package org.recordline.index.domain;

import io.agroal.api.AgroalDataSource;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.runtime.StartupEvent;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.index.domain.matching.Blocking;
import org.recordline.index.domain.matching.Demographics;
import org.recordline.index.domain.matching.PersonMatcher;

/**
 * Keeps the stored blocking keys at the version of the rules in force ({@link Blocking#VERSION}): when the database's
 * keys are older, every source record's keys are rebuilt from its stored demographics, a chunk per transaction, before
 * the consumers start (this observer runs ahead of the messaging start-up, priority 1000). One replica rebuilds while
 * the others wait on the same advisory lock, then find the version current.
 */
@ApplicationScoped
public class BlockingKeyMaintenance {

    private static final Logger LOG = Logger.getLogger(BlockingKeyMaintenance.class);
    private static final long LOCK = 8152;
    static final int CHUNK = 2000;

    private final AgroalDataSource dataSource;
    private final PersonMatcher matcher;

    public BlockingKeyMaintenance(AgroalDataSource dataSource, PersonMatcher matcher) {
        this.dataSource = dataSource;
        this.matcher = matcher;
    }

    void onStart(@Observes @Priority(500) StartupEvent event) {
        rebuildIfOutdated();
    }

    /** Rebuilds the stored keys when they are older than the rules; returns how many source records were re-keyed. */
    public long rebuildIfOutdated() {
        try (Connection lock = dataSource.getConnection()) {
            try (PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_lock(?)")) {
                ps.setLong(1, LOCK);
                ps.executeQuery().close();
            }
            try {
                int stored = storedVersion(lock);
                if (stored == Blocking.VERSION) {
                    return 0;
                }
                if (stored > Blocking.VERSION) {
                    throw new IllegalStateException("the stored blocking keys are version " + stored
                            + ", newer than this service's " + Blocking.VERSION + ": run the newer release");
                }
                LOG.infof("blocking keys are version %d, the rules version %d: rebuilding", stored, Blocking.VERSION);
                long done = 0;
                long after = 0;
                while (true) {
                    Map<Long, Set<String>> chunk = chunk(lock, after);
                    if (chunk.isEmpty()) {
                        break;
                    }
                    QuarkusTransaction.requiringNew().run(() -> matcher.storeBlockingKeys(chunk, chunk.keySet()));
                    after = chunk.keySet().stream().mapToLong(Long::longValue).max().orElseThrow();
                    done += chunk.size();
                    if (done % (CHUNK * 50) == 0) {
                        LOG.infof("blocking keys rebuilt for %d source records", done);
                    }
                }
                try (PreparedStatement ps = lock.prepareStatement(
                        "UPDATE blocking_rules SET version = ?, rebuilt_at = now()")) {
                    ps.setInt(1, Blocking.VERSION);
                    ps.executeUpdate();
                }
                LOG.infof("blocking keys rebuilt for %d source records, now version %d", done, Blocking.VERSION);
                return done;
            } finally {
                try (PreparedStatement ps = lock.prepareStatement("SELECT pg_advisory_unlock(?)")) {
                    ps.setLong(1, LOCK);
                    ps.executeQuery().close();
                }
            }
        } catch (SQLException | IOException e) {
            throw new DataAccessException("rebuilding the blocking keys failed", e);
        }
    }

    private static int storedVersion(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM blocking_rules");
             ResultSet rs = ps.executeQuery()) {
            if (!rs.next()) {
                throw new IllegalStateException("blocking_rules holds no version (migration V9 not applied)");
            }
            return rs.getInt(1);
        }
    }

    /** The next chunk's stored keys by source record id, ids above {@code after}. */
    private static Map<Long, Set<String>> chunk(Connection c, long after) throws SQLException, IOException {
        Map<Long, Set<String>> out = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, demographics FROM source_record WHERE id > ?"
                + " AND demographics IS NOT NULL ORDER BY id LIMIT ?")) {
            ps.setLong(1, after);
            ps.setInt(2, CHUNK);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getLong(1), Blocking.of(Demographics.fromJson(rs.getString(2))).stored());
                }
            }
        }
        return out;
    }
}
