package org.recordline.commons.audit;

import io.quarkus.arc.DefaultBean;
import io.quarkus.narayana.jta.QuarkusTransaction;
import jakarta.enterprise.context.ApplicationScoped;
import org.recordline.events.AuditActions;

/** Default sink: the denial is an audit event in the service's outbox, in a transaction of its own. */
@DefaultBean
@ApplicationScoped
public class OutboxDenialSink implements AccessDenialSink {

    private final AuditTrail audit;

    public OutboxDenialSink(AuditTrail audit) {
        this.audit = audit;
    }

    @Override
    public void denied(String actor, String detail) {
        QuarkusTransaction.requiringNew().run(() -> audit.record(AuditActions.ACCESS_DENIED, AuditActions.DENIED,
                actor, null, null, "access", detail));
    }
}
