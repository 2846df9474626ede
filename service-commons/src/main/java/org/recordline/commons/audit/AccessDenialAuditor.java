package org.recordline.commons.audit;

import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.spi.runtime.AbstractSecurityEvent;
import io.quarkus.security.spi.runtime.AuthenticationFailureEvent;
import io.quarkus.security.spi.runtime.AuthorizationFailureEvent;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.ObservesAsync;
import org.jboss.logging.Logger;
import org.recordline.commons.security.Principals;

/**
 * Makes every refused request (no token, a bad token, the wrong role) an {@code access.denied} audit event, with the
 * method and path but nothing from the request body. Where the event goes is the {@link AccessDenialSink}'s business.
 */
@ApplicationScoped
public class AccessDenialAuditor {

    private static final Logger LOG = Logger.getLogger(AccessDenialAuditor.class);

    private final AccessDenialSink sink;

    public AccessDenialAuditor(AccessDenialSink sink) {
        this.sink = sink;
    }

    void onAuthenticationFailure(@ObservesAsync AuthenticationFailureEvent event) {
        record(event, "authentication failed");
    }

    void onAuthorizationFailure(@ObservesAsync AuthorizationFailureEvent event) {
        record(event, "not authorised");
    }

    private void record(AbstractSecurityEvent event, String reason) {
        SecurityIdentity identity = event.getSecurityIdentity();
        try {
            sink.denied(Principals.actor(identity), reason + " " + request(event));
        } catch (RuntimeException e) {
            LOG.warnf("access denial could not be audited: %s", e.getClass().getSimpleName());
        }
    }

    /** {@code METHOD /path} of the refused request, from the routing context the event carries. */
    static String request(AbstractSecurityEvent event) {
        if (event.getEventProperties() != null) {
            for (Object v : event.getEventProperties().values()) {
                if (v instanceof RoutingContext rc) {
                    String path = rc.normalizedPath();
                    return rc.request().method().name() + " " + (path.length() > 200 ? path.substring(0, 200) : path);
                }
            }
        }
        return "";
    }
}
