package org.recordline.testsupport;

import java.util.List;

/**
 * The login roles of the Recordline database and the schema each may reach. Each service logs in with its own role,
 * which owns its own schema and nothing else; the audit-service's run-time role does not even own its schema (so it
 * cannot disable the audit log's triggers): a separate owner role runs its migrations. The superuser only bootstraps.
 */
public final class DatabaseRoles {

    /**
     * A schema and who may reach it.
     *
     * @param service the service (module) that owns it
     * @param schema  the schema
     * @param owner   the role that owns the schema and runs its migrations
     * @param runtime the role the service runs as (the owner, except for the audit log)
     */
    public record SchemaAccess(String service, String schema, String owner, String runtime) {
    }

    public static final String INGESTION = "recordline_ingestion";
    public static final String VALIDATION = "recordline_validation";
    public static final String INDEX = "recordline_index";
    public static final String AUDIT = "recordline_audit";
    public static final String AUDIT_OWNER = "recordline_audit_owner";

    /** Every schema, in start order of the services. */
    public static final List<SchemaAccess> SCHEMAS = List.of(
            new SchemaAccess("ingestion-service", "ingestion", INGESTION, INGESTION),
            new SchemaAccess("validation-service", "validation", VALIDATION, VALIDATION),
            new SchemaAccess("index-service", "mpi", INDEX, INDEX),
            new SchemaAccess("audit-service", "audit", AUDIT_OWNER, AUDIT));

    /** Every login role other than the superuser. */
    public static final List<String> ALL = List.of(INGESTION, VALIDATION, INDEX, AUDIT, AUDIT_OWNER);

    private DatabaseRoles() {
    }

    /** The schema access of a service (by module name). */
    public static SchemaAccess of(String service) {
        return SCHEMAS.stream().filter(s -> s.service().equals(service)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no schema for " + service));
    }
}
