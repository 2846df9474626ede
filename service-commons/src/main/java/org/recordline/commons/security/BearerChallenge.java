package org.recordline.commons.security;

import ca.uhn.fhir.context.FhirContext;
import io.quarkus.oidc.runtime.OidcAuthenticationMechanism;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpCredentialTransport;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import java.util.Set;
import org.recordline.commons.api.ErrorResponses;

/**
 * The bearer-token mechanism with a body on its 401: Quarkus' OIDC mechanism does all the work, but its challenge
 * ends the response empty, and every 401 (no token, a bad token, an expired one) is sent by the challenge, before any
 * exception mapper could run. This alternative replaces it in the list of mechanisms, delegates everything, and
 * writes the challenge itself: {@code WWW-Authenticate: Bearer} with an OperationOutcome on FHIR paths and problem
 * details elsewhere. Security events (and so the audit of the refusal) fire before the challenge, unchanged.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class BearerChallenge implements HttpAuthenticationMechanism {

    /** What a 401 says when a token was presented and refused. */
    public static final String REFUSED_TOKEN = "the bearer token is not valid (signature, issuer, audience or expiry)";

    private final OidcAuthenticationMechanism delegate;
    private final FhirContext fhir;

    public BearerChallenge(OidcAuthenticationMechanism delegate, FhirContext fhir) {
        this.delegate = delegate;
        this.fhir = fhir;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext ctx, IdentityProviderManager identities) {
        return delegate.authenticate(ctx, identities);
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext ctx) {
        return delegate.getChallenge(ctx);
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return delegate.getCredentialTypes();
    }

    @Override
    public Uni<HttpCredentialTransport> getCredentialTransport(RoutingContext ctx) {
        return delegate.getCredentialTransport(ctx);
    }

    @Override
    public int getPriority() {
        return delegate.getPriority();
    }

    @Override
    public Uni<Boolean> sendChallenge(RoutingContext ctx) {
        return delegate.getChallenge(ctx).map(challenge -> {
            if (ctx.response().ended()) {
                return true;
            }
            int status = challenge == null ? 401 : challenge.status;
            if (challenge != null) {
                challenge.getHeaders().forEach((name, value) -> ctx.response().headers().set(name, value));
            }
            // Quarkus records the failure on the context before the challenge when a token was presented and refused
            boolean refusedToken = HttpSecurityUtils.getAuthenticationFailureFromEvent(ctx) != null;
            ErrorResponses.end(fhir, ctx, status, "Unauthorized", refusedToken ? REFUSED_TOKEN
                    : "a bearer token is required");
            return true; // ended here: the callers neither end nor fail it again
        });
    }
}
