package org.recordline.commons.security;

import io.quarkus.security.identity.SecurityIdentity;

/** Names the caller for audit events: the token's principal, never anything from the request body. */
public final class Principals {

    private Principals() {
    }

    /** The caller's principal name, or {@code anonymous}. */
    public static String actor(SecurityIdentity identity) {
        if (identity == null || identity.isAnonymous() || identity.getPrincipal() == null) {
            return "anonymous";
        }
        return identity.getPrincipal().getName();
    }
}
