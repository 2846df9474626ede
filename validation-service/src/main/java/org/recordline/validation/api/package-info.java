/**
 * The HTTP API of the validation-service: REST resources, their DTOs and the OpenAPI definition of the HTTP contract
 * (served on the management port at {@code /q/openapi}, committed as {@code docs/openapi/validation-service.yaml}).
 */
@OpenAPIDefinition(
        info = @Info(title = "Recordline validation-service", version = "1",
                description = "The quarantine desk of the records technicians (the work queue of records validation "
                        + "held back, claims, notes, corrections and dismissals, quality by source) and the rule packs "
                        + "in force. Every operation needs a bearer token with one of the roles it lists; errors are "
                        + "RFC 9457 problem details. Every act is audited, a refused one too."),
        tags = {
                @Tag(name = "Quarantine", description = "The work queue of held-back records"),
                @Tag(name = "Rule packs", description = "The validation rules in force")})
package org.recordline.validation.api;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
