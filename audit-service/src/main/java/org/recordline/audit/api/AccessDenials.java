package org.recordline.audit.api;

import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;
import org.recordline.audit.domain.AuditLog;
import org.recordline.commons.audit.AccessDenialSink;
import org.recordline.events.AuditActions;
import org.recordline.events.AuditEvent;

/** Refused requests to the audit-service go straight into its own log (its outbox carries only checkpoints). */
@ApplicationScoped
public class AccessDenials implements AccessDenialSink {

    private final AuditLog log;

    public AccessDenials(AuditLog log) {
        this.log = log;
    }

    @Override
    public void denied(String actor, String detail) {
        log.append(new AuditEvent(UUID.randomUUID().toString(), Instant.now(), "audit-service",
                AuditActions.ACCESS_DENIED, AuditActions.DENIED, actor, null, null, "access", detail));
    }
}
