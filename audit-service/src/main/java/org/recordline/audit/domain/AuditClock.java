package org.recordline.audit.domain;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;

/**
 * The time appends record and retention counts from: the system clock. A bean so that tests of monthly partitions
 * and retention can stand at another date (the database's own {@code now()} still bounds what retention may remove).
 */
@ApplicationScoped
public class AuditClock {

    /** Now. */
    public Instant now() {
        return Instant.now();
    }
}
