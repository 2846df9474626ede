package org.recordline.ingestion.api;

import ca.uhn.fhir.context.FhirContext;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import java.util.Date;
import java.util.TreeSet;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.CapabilityStatement.CapabilityStatementKind;
import org.hl7.fhir.r4.model.CapabilityStatement.RestfulCapabilityMode;
import org.hl7.fhir.r4.model.CapabilityStatement.SystemRestfulInteraction;
import org.hl7.fhir.r4.model.CapabilityStatement.TypeRestfulInteraction;
import org.hl7.fhir.r4.model.Enumerations.FHIRVersion;
import org.hl7.fhir.r4.model.Enumerations.PublicationStatus;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.commons.security.Roles;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.extensions.Extension;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * {@code GET /fhir/metadata}: the CapabilityStatement of the intake's FHIR endpoint, which FHIR clients read before
 * their first call (HAPI's generic client does). It says what the intake does: create and update of every R4 resource
 * type, conditional create and update by identifier, transaction and batch, JSON and XML, bearer tokens. No patient
 * data.
 */
@Path("/fhir/metadata")
@Tag(name = "FHIR intake")
public class CapabilityResource {

    private final String statement;

    public CapabilityResource(FhirContext fhir) {
        this.statement = fhir.newJsonParser().encodeResourceToString(build(fhir));
    }

    @GET
    @RolesAllowed({Roles.EHR_PUBLISHER, Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
    @Produces({OperationOutcomes.FHIR_JSON, "application/json"})
    @Operation(operationId = "metadata", summary = "The CapabilityStatement of the FHIR intake",
            description = "Create and update of every R4 resource type, conditional create and update by identifier, "
                    + "transaction and batch, JSON and XML, bearer tokens. Built at start-up: no database, no broker.",
            extensions = @Extension(name = org.recordline.commons.api.openapi.SharedContractFilter.NO_BACKEND, value = "true"))
    @APIResponse(responseCode = "200", description = "The CapabilityStatement (FHIR JSON).", content = {
            @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT,
                    description = "a FHIR R4 CapabilityStatement")),
            @Content(mediaType = "application/json", schema = @Schema(type = SchemaType.OBJECT,
                    description = "a FHIR R4 CapabilityStatement"))})
    public String metadata() {
        return statement;
    }

    static CapabilityStatement build(FhirContext fhir) {
        CapabilityStatement cs = new CapabilityStatement();
        cs.setStatus(PublicationStatus.ACTIVE).setDate(new Date()).setKind(CapabilityStatementKind.INSTANCE)
                .setFhirVersion(FHIRVersion._4_0_1).setPublisher("Recordline");
        cs.getSoftware().setName("Recordline ingestion-service");
        cs.getImplementation().setDescription("Recordline intake: records are received, checked, filed under a person"
                + " and published; answers are asynchronous (Prefer: respond-async, status at Content-Location)");
        cs.addFormat("application/fhir+json").addFormat("application/fhir+xml");
        CapabilityStatement.CapabilityStatementRestComponent rest = cs.addRest().setMode(RestfulCapabilityMode.SERVER);
        rest.getSecurity().setDescription("OAuth 2.0 bearer tokens; role ehr-publisher to submit")
                .addService().addCoding().setSystem("http://terminology.hl7.org/CodeSystem/restful-security-service")
                .setCode("OAuth");
        rest.addInteraction().setCode(SystemRestfulInteraction.TRANSACTION)
                .setDocumentation("all or nothing; urn:uuid and Type?identifier=system|value references resolved");
        rest.addInteraction().setCode(SystemRestfulInteraction.BATCH).setDocumentation("an outcome per entry");
        for (String type : new TreeSet<>(fhir.getResourceTypes())) {
            CapabilityStatement.CapabilityStatementRestResourceComponent r = rest.addResource().setType(type);
            r.addInteraction().setCode(TypeRestfulInteraction.CREATE);
            r.addInteraction().setCode(TypeRestfulInteraction.UPDATE);
            r.setConditionalCreate(true).setConditionalUpdate(true).setUpdateCreate(true);
        }
        return cs;
    }
}
