package org.recordline.local;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.recordline.testsupport.Database;

/**
 * The second line of defence behind the launcher's port check: a PostgreSQL started on a data directory must be the
 * server that answers. Here another server holds the port and even accepts the same superuser password (the worst
 * case: zonky's start "succeeds" against it), and the start is refused, naming both data directories.
 */
class DatabaseOwnServerTest {

    @Test
    void aServerThatAnswersFromAnotherDataDirectoryIsRefused() throws Exception {
        try (Database other = Database.startTemporary()) {
            Path mine = Files.createTempDirectory("recordline-own-pg-");
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> Database.start(mine, other.port(), other.credentials()).close());
            assertTrue(e.getMessage().contains("served by another PostgreSQL server")
                    && e.getMessage().contains(other.dataDirectory().toString())
                    && e.getMessage().contains(mine.toString()), e.getMessage());
            // the other server was not stopped or changed
            try (var c = other.connect(); var st = c.createStatement(); var rs = st.executeQuery("SELECT 1")) {
                assertTrue(rs.next());
            }
        }
    }
}
