/**
 * The HTTP API of the ingestion-service: REST resources, their DTOs and the OpenAPI definition of the HTTP contract
 * (served on the management port at {@code /q/openapi}, committed as {@code docs/openapi/ingestion-service.yaml}).
 */
@OpenAPIDefinition(
        info = @Info(title = "Recordline ingestion-service", version = "1",
                description = "The entry point of Recordline: FHIR R4 resources and Bundles (JSON or XML), bulk "
                        + "NDJSON ($import) and HL7 v2 messages from upstream EHR systems, and where each submission "
                        + "stands. Every operation needs a bearer token with one of the roles it lists; errors are a "
                        + "FHIR OperationOutcome on /fhir paths and RFC 9457 problem details elsewhere."),
        tags = {
                @Tag(name = "FHIR intake", description = "Submissions of FHIR R4 resources and Bundles"),
                @Tag(name = "Bulk import", description = "FHIR bulk NDJSON ($import) and the asynchronous status"),
                @Tag(name = "HL7 v2", description = "HL7 v2 ADT messages over HTTP (ER7)"),
                @Tag(name = "Submissions", description = "Where a submission stands")})
package org.recordline.ingestion.api;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
