package org.recordline.console.pages;

import io.quarkus.security.identity.SecurityIdentity;

/**
 * The signed-in person as the pages see them: the name shown in the header and which parts of the console their
 * roles open (the services decide again on every call).
 */
public record Viewer(String name, boolean technician, boolean auditor, boolean admin) {

    public static final String TECHNICIAN = "records-technician";
    public static final String AUDITOR = "auditor";
    public static final String ADMIN = "admin";

    public static Viewer of(SecurityIdentity identity) {
        return new Viewer(identity.getPrincipal().getName(), identity.hasRole(TECHNICIAN), identity.hasRole(AUDITOR),
                identity.hasRole(ADMIN));
    }

    /** Quarantine, possible duplicates and charts. */
    public boolean desk() {
        return technician || admin;
    }

    /** The audit pages. */
    public boolean audit() {
        return auditor || admin;
    }

    /** The pipeline page (no patient data). */
    public boolean pipeline() {
        return desk() || audit();
    }
}
