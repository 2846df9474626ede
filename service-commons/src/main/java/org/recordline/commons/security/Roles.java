package org.recordline.commons.security;

/** The roles a Recordline token can carry (claim {@code groups}, or {@code realm_access.roles} from Keycloak). */
public final class Roles {

    /** Upstream EHR systems that publish records. */
    public static final String EHR_PUBLISHER = "ehr-publisher";
    /** People who work the queues, review matches and retrieve records. */
    public static final String RECORDS_TECHNICIAN = "records-technician";
    /** People who read the audit log. */
    public static final String AUDITOR = "auditor";
    /** Operators of the platform. */
    public static final String ADMIN = "admin";

    private Roles() {
    }
}
