package org.recordline.console.services;

import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/**
 * Puts the signed-in person's own access token on every call to a service, with the purpose of use: the services
 * decide by that person's roles and audit the read under that person's name. The console holds no token of its own.
 */
@ApplicationScoped
public class SignedInToken implements ClientHeadersFactory {

    /** HL7 PurposeOfUse: the records desk's work is healthcare operations. */
    public static final String PURPOSE = "HOPERAT";

    @Inject
    SecurityIdentity identity;

    @Override
    public MultivaluedMap<String, String> update(MultivaluedMap<String, String> incoming,
                                                 MultivaluedMap<String, String> outgoing) {
        MultivaluedMap<String, String> headers = new MultivaluedHashMap<>();
        AccessTokenCredential token = identity.getCredential(AccessTokenCredential.class);
        if (token != null) {
            headers.putSingle("Authorization", "Bearer " + token.getToken());
        }
        headers.putSingle("X-Purpose-Of-Use", PURPOSE);
        return headers;
    }
}
