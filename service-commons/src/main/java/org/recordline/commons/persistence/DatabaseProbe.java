package org.recordline.commons.persistence;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;

/**
 * Whether the database can be reached right now, by opening a fresh connection (bounded by the JDBC connect and
 * login timeouts). Asked only after a failure that no rule classified: a driver can fail in unexpected ways when its
 * server goes away (pgjdbc raises an {@code AssertionError} from a broken batch), and such a failure is an outage,
 * not a poison record or a bug.
 */
@ApplicationScoped
public class DatabaseProbe {

    private final AgroalDataSource dataSource;

    public DatabaseProbe(AgroalDataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** True if a new connection to the database can be opened and validated now. */
    public boolean reachable() {
        try {
            return dataSource.isHealthy(true);
        } catch (SQLException | RuntimeException e) {
            return false;
        }
    }
}
