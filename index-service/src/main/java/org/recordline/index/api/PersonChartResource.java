package org.recordline.index.api;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import org.recordline.commons.api.ProblemDetail;
import org.recordline.commons.fhir.OperationOutcomes;
import org.recordline.commons.security.Principals;
import org.recordline.commons.security.Roles;
import org.recordline.index.domain.PersonChart;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.ExampleObject;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The version history of one resource of a person's chart: {@code GET /persons/{id}/chart/history?source=&type=&id=}
 * answers a FHIR {@code history} Bundle with every version, newest first (the chart itself is
 * {@code GET /fhir/Patient/{id}/$everything}). A resource is named by its source record, type and logical id, since
 * two sources may use one id. An audited read; errors are problem details.
 */
@Path("/persons/{id}/chart")
@Tag(name = "Persons")
@RolesAllowed({Roles.RECORDS_TECHNICIAN, Roles.ADMIN})
public class PersonChartResource {

    private final SecurityIdentity identity;
    private final PersonChart chart;

    public PersonChartResource(SecurityIdentity identity, PersonChart chart) {
        this.identity = identity;
        this.chart = chart;
    }

    @GET
    @Path("/history")
    @Produces(OperationOutcomes.FHIR_JSON)
    @Operation(operationId = "getFiledResourceHistory", summary = "Every version of one filed resource",
            description = "A history Bundle of the resource filed under the person from one source record. An audited read.")
    @APIResponse(responseCode = "200", description = "A FHIR history Bundle.",
            content = @Content(mediaType = "application/fhir+json", schema = @Schema(type = SchemaType.OBJECT, description = "a FHIR R4 Bundle (history)")))
    @APIResponse(responseCode = "400", description = "source (a source record key), type and id (the resource's) are required, within their lengths.")
    @APIResponse(responseCode = "404", description = "No such person, or no such resource filed under them.")
    public Response history(@Parameter(description = "the enterprise person id") @PathParam("id") String id,
                            @Parameter(description = "the source record key, source-system|local-id") @QueryParam("source") String source,
                            @Parameter(description = "the resource type") @QueryParam("type") String type,
                            @Parameter(description = "the resource id") @QueryParam("id") String resourceId) {
        if (blank(source, 300) || blank(type, 64) || blank(resourceId, 200)) {
            return problem(400, "Bad Request", "source (a source record key), type and id (the resource's) are"
                    + " required", id);
        }
        PersonChart.History history = chart.history(id, source, type, resourceId, Principals.actor(identity));
        if (history == null) {
            return problem(404, "Not Found", "no such person, or no such resource filed under them", id);
        }
        return Response.ok(ChartBundles.text(ChartBundles.history(history))).build();
    }

    private static boolean blank(String v, int max) {
        return v == null || v.isBlank() || v.length() > max;
    }

    private static Response problem(int status, String title, String detail, String id) {
        return Response.status(status).type(ProblemDetail.MEDIA_TYPE).entity(ProblemDetail.of(status, title, detail,
                "/persons/" + (id.length() > 36 ? id.substring(0, 36) : id) + "/chart/history")).build();
    }
}
