package org.recordline.audit.api;

import io.quarkus.security.spi.runtime.AbstractSecurityEvent;
import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.quarkus.security.spi.runtime.AuthorizationFailureEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import java.time.Instant;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.recordline.audit.domain.AuditLog;
import org.recordline.commons.audit.AccessDenialAuditor;
import org.recordline.commons.security.Principals;
import org.recordline.events.AuditActions;
import org.recordline.events.AuditEvent;

/** Refused requests to the audit-service go straight into its own log (it has no outbox). */
@ApplicationScoped
public class AccessDenials {

    private static final Logger LOG = Logger.getLogger(AccessDenials.class);

    private final AuditLog log;

    public AccessDenials(AuditLog log) {
        this.log = log;
    }

    void onAuthenticationFailure(@ObservesAsync AuthenticationFailureEvent event) {
        record(event, "authentication failed");
    }

    void onAuthorizationFailure(@ObservesAsync AuthorizationFailureEvent event) {
        record(event, "not authorised");
    }

    private void record(AbstractSecurityEvent event, String reason) {
        try {
            log.append(new AuditEvent(UUID.randomUUID().toString(), Instant.now(), "audit-service",
                    AuditActions.ACCESS_DENIED, AuditActions.DENIED, Principals.actor(event.getSecurityIdentity()),
                    null, null, "access", reason + " " + AccessDenialAuditor.request(event)));
        } catch (RuntimeException e) {
            LOG.warnf("access denial could not be audited: %s", e.getClass().getSimpleName());
        }
    }
}
