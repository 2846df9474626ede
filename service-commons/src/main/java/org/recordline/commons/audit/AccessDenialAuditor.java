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
 * method and path but nothing from the request body; repeats of one caller's refusal for one reason within a window
 * are one more event with their count ({@link DenialWindows}), so a flood cannot grow the log without bound. Where the
 * events go is the {@link AccessDenialSink}'s business.
 */
@ApplicationScoped
public class AccessDenialAuditor {

    private static final Logger LOG = Logger.getLogger(AccessDenialAuditor.class);

    private final AccessDenialSink sink;
    private final DenialWindows windows;

    public AccessDenialAuditor(AccessDenialSink sink,
                               @org.eclipse.microprofile.config.inject.ConfigProperty(
                                       name = "recordline.audit.denials.max-callers", defaultValue = "1000")
                               int maxCallers) {
        this.sink = sink;
        this.windows = new DenialWindows(maxCallers);
    }

    /**
     * Closes the window of refusals: one event for each caller and reason that was refused again in it, with the
     * count ({@code recordline.audit.denials.window}, default a minute).
     */
    @io.quarkus.scheduler.Scheduled(identity = "access-denial-window",
            every = "${recordline.audit.denials.window:60s}",
            concurrentExecution = io.quarkus.scheduler.Scheduled.ConcurrentExecution.SKIP)
    void closeWindow() {
        for (DenialWindows.Denial d : windows.close()) {
            emit(d);
        }
    }

    /** Counted repeats are not lost when the service stops: the open window is closed first. */
    void onStop(@jakarta.enterprise.event.Observes io.quarkus.runtime.ShutdownEvent event) {
        closeWindow();
    }

    private void emit(DenialWindows.Denial d) {
        try {
            sink.denied(d.actor(), DenialWindows.detail(d));
        } catch (RuntimeException e) {
            LOG.warnf("access denial could not be audited: %s", e.getClass().getSimpleName());
        }
    }

    /**
     * A refusal outside HTTP (an MLLP message from a sender not registered): one {@code access.denied} event, and its
     * repeats counted in the window, like a refused request.
     *
     * @param actor  who was refused (as the transport names it)
     * @param reason why
     * @param what   what was asked, without any of its content (e.g. {@code MLLP ADT^A01})
     */
    public void refused(String actor, String reason, String what) {
        DenialWindows.Denial first = windows.refused(actor, reason, what, java.time.Instant.now());
        if (first != null) {
            emit(first);
        }
    }

    void onAuthenticationFailure(@ObservesAsync AuthenticationFailureEvent event) {
        record(event, "authentication failed");
    }

    void onAuthorizationFailure(@ObservesAsync AuthorizationFailureEvent event) {
        record(event, "not authorised");
    }

    private void record(AbstractSecurityEvent event, String reason) {
        SecurityIdentity identity = event.getSecurityIdentity();
        // the first refusal of a caller for a reason in a window now; its repeats as one event when it closes
        DenialWindows.Denial first = windows.refused(Principals.actor(identity), reason, request(event),
                java.time.Instant.now());
        if (first != null) {
            emit(first);
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
