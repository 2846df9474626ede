/**
 * The HTTP API of the index-service: REST resources, their DTOs and the OpenAPI definition of the HTTP contract
 * (served on the management port at {@code /q/openapi}, committed as {@code docs/openapi/index-service.yaml}).
 */
@OpenAPIDefinition(
        info = @Info(title = "Recordline index-service", version = "1",
                description = "The master patient index: persons with their golden records and history, the review "
                        + "queue of possible matches, link / unlink / merge / unmerge, FHIR Patient search, "
                        + "identifier cross-reference ($ihe-pix) and a person's chart ($everything), and the match "
                        + "model. Every operation needs a bearer token with one of the roles it lists; errors are a "
                        + "FHIR OperationOutcome on /fhir paths and RFC 9457 problem details elsewhere. Reads of "
                        + "patient data and every change are audited."),
        tags = {
                @Tag(name = "Persons", description = "Enterprise persons, their golden records, charts and history"),
                @Tag(name = "Person changes", description = "Link, unlink, merge and unmerge by a records technician"),
                @Tag(name = "Possible matches", description = "The review queue of uncertain matches"),
                @Tag(name = "FHIR Patient", description = "FHIR R4 search, $ihe-pix and $everything"),
                @Tag(name = "Match model", description = "The probabilistic match model in force")})
package org.recordline.index.api;

import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
