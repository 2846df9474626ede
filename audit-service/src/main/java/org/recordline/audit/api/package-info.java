/**
 * The HTTP API of the audit-service: REST resources, their DTOs and the OpenAPI definition of the HTTP contract
 * (served on the management port at {@code /q/openapi}, committed as {@code docs/openapi/audit-service.yaml}).
 */
@OpenAPIDefinition(
        info = @Info(title = "Recordline audit-service", version = "1",
                description = "The append-only, hash-chained audit log: queries (JSON, or FHIR BALP AuditEvents), the "
                        + "accounting of disclosures of a patient's records, signed Merkle checkpoints, inclusion and "
                        + "consistency proofs, and verification. Every operation needs a bearer token with one of the "
                        + "roles it lists; errors are RFC 9457 problem details. Reading the log is itself audited."),
        tags = {
                @Tag(name = "Audit log", description = "Queries and the accounting of disclosures"),
                @Tag(name = "Checkpoints and proofs", description = "Signed Merkle checkpoints, proofs, verification")})
package org.recordline.audit.api;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
