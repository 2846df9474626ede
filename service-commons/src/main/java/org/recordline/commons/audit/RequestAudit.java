package org.recordline.commons.audit;

import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import jakarta.enterprise.context.RequestScoped;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;
import org.recordline.commons.api.InvalidParameterException;
import org.recordline.events.AuditEvent;

/**
 * What every audit event of an HTTP request says besides the act: the caller's roles, on whose behalf, from which
 * address, why, and the correlation id. Read once per request from the request's headers (refused with a 400 naming
 * the header when malformed, before the resource runs) and the token; {@link AuditTrail} adds it to the events the
 * request emits. The correlation id is echoed in the response.
 *
 * <ul>
 *   <li>{@value #PURPOSE_HEADER}: the purpose of use, a code of HL7's PurposeOfUse value set ({@link #PURPOSES});
 *       default {@code recordline.audit.default-purpose} ({@value #DEFAULT_PURPOSE} unless a service sets
 *       another: the audit-service, whose readers review the log, {@code HCOMPL}).</li>
 *   <li>{@value #ON_BEHALF_OF_HEADER}: the person a system caller acts for, as the caller asserts it (up to 200
 *       printable characters); recorded, not verified.</li>
 *   <li>{@value #CORRELATION_HEADER}: up to 100 of {@code A-Z a-z 0-9 . _ : -}; one is made when absent.</li>
 * </ul>
 */
@RequestScoped
public class RequestAudit {

    public static final String PURPOSE_HEADER = "X-Purpose-Of-Use";
    public static final String ON_BEHALF_OF_HEADER = "X-On-Behalf-Of";
    public static final String CORRELATION_HEADER = "X-Correlation-Id";
    public static final String DEFAULT_PURPOSE = "TREAT";

    /**
     * The codes of HL7 v3 PurposeOfUse (terminology.hl7.org, v3-PurposeOfUse) a caller may give: treatment, payment,
     * operations, research, public health, legal, the patient's or family's request, and the rest of the value set's
     * leaf codes a records department meets.
     */
    public static final Set<String> PURPOSES = Set.of("TREAT", "ETREAT", "BTG", "CAREMGT", "CLINTRCH", "CLINTRL",
            "COC", "POPHLTH", "PUBHLTH", "DISASTER", "THREAT", "HPAYMT", "CLMATTCH", "COVAUTH", "COVERAGE",
            "ELIGDTRM", "ELIGVER", "ENROLLM", "REMITADV", "HOPERAT", "HACCRED", "HCOMPL", "HDIRECT", "HLEGAL",
            "HOUTCOMS", "HPRGRP", "HQUALIMP", "HSYSADMIN", "HMARKT", "HRESCH", "HTEST", "PATRQT", "FAMRQT",
            "PWATRNY", "SUPNWK", "PATADMIN", "PATSFTY", "PERFMSR", "RECORDMGT", "TRAIN", "FRAUD", "GOV", "DONAT");

    private static final Pattern CORRELATION = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    private static final Pattern PRINTABLE = Pattern.compile("[\\p{L}\\p{N}\\p{P}\\p{Zs}\\p{S}]{1,200}");

    /** The purpose of use when a request names none: a code of {@link #PURPOSES}. */
    @org.eclipse.microprofile.config.inject.ConfigProperty(name = "recordline.audit.default-purpose",
            defaultValue = DEFAULT_PURPOSE)
    String defaultPurpose;

    private String purpose;
    private String onBehalfOf;
    private String correlationId;
    private String clientAddress;
    private List<String> roles;
    private boolean read;

    /** Reads and checks the request's audit headers before the resource runs. */
    void read(ContainerRequestContext request, HttpServerRequest http, SecurityIdentity identity) {
        String p = request.getHeaderString(PURPOSE_HEADER);
        if (p != null && !PURPOSES.contains(p.strip())) {
            throw InvalidParameterException.header(PURPOSE_HEADER, p,
                    "a code of HL7's PurposeOfUse value set, e.g. TREAT, HOPERAT, PATRQT, PUBHLTH");
        }
        String c = request.getHeaderString(CORRELATION_HEADER);
        if (c != null && !CORRELATION.matcher(c).matches()) {
            throw InvalidParameterException.header(CORRELATION_HEADER, c,
                    "1 to 100 letters, digits, '.', '_', ':' or '-'");
        }
        String o = request.getHeaderString(ON_BEHALF_OF_HEADER);
        if (o != null && !PRINTABLE.matcher(o).matches()) {
            throw InvalidParameterException.header(ON_BEHALF_OF_HEADER, o, "1 to 200 printable characters");
        }
        if (p == null && !PURPOSES.contains(defaultPurpose)) {
            throw new IllegalStateException("recordline.audit.default-purpose must be a code of HL7's PurposeOfUse"
                    + " value set, not " + defaultPurpose);
        }
        purpose = p == null ? defaultPurpose : p.strip();
        correlationId = c != null ? c : UUID.randomUUID().toString();
        // log lines of this request say which one it was (the trace id is Quarkus' own MDC entry)
        org.jboss.logging.MDC.put(org.recordline.commons.tracing.Traces.MDC_CORRELATION, correlationId);
        onBehalfOf = o;
        SocketAddress remote = http.remoteAddress();
        clientAddress = remote == null ? null : remote.hostAddress();
        roles = identity == null || identity.isAnonymous() ? List.of() : identity.getRoles().stream().sorted().toList();
        read = true;
    }

    /** Echoes the correlation id, so a caller can find its request's events. */
    void echo(ContainerResponseContext response) {
        org.jboss.logging.MDC.remove(org.recordline.commons.tracing.Traces.MDC_CORRELATION);
        if (read) {
            response.getHeaders().putSingle(CORRELATION_HEADER, correlationId);
        }
    }

    /** The REST filters that fill {@link RequestAudit} for each request. */
    public static class Filters {

        private final RequestAudit audit;
        private final SecurityIdentity identity;

        public Filters(RequestAudit audit, SecurityIdentity identity) {
            this.audit = audit;
            this.identity = identity;
        }

        @ServerRequestFilter
        public void read(ContainerRequestContext request, HttpServerRequest http) {
            audit.read(request, http, identity);
        }

        @ServerResponseFilter
        public void echo(ContainerResponseContext response) {
            audit.echo(response);
        }
    }

    /** Whether this request's headers were read (false outside REST resources). */
    public boolean isRead() {
        return read;
    }

    /** The purpose of use: the header's code, or the service's default ({@code recordline.audit.default-purpose}). */
    public String purpose() {
        return purpose;
    }

    public String correlationId() {
        return correlationId;
    }

    /** The request's part of an audit event's context. */
    public AuditEvent.Context context() {
        return new AuditEvent.Context(roles.isEmpty() ? null : roles, onBehalfOf, clientAddress, correlationId, null,
                null, null, null, null);
    }
}
