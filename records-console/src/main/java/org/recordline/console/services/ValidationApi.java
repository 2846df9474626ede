package org.recordline.console.services;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The validation-service's quarantine desk, as the signed-in person. */
@RegisterRestClient(configKey = "validation")
@RegisterClientHeaders(SignedInToken.class)
@Path("/quarantine")
@Produces(MediaType.APPLICATION_JSON)
public interface ValidationApi {

    @GET
    Response queue(@QueryParam("status") String status, @QueryParam("source") String source,
                   @QueryParam("rule") String rule, @QueryParam("claimedBy") String claimedBy,
                   @QueryParam("page") int page, @QueryParam("size") int size);

    @GET
    @Path("/quality")
    Response quality(@QueryParam("days") int days);

    @GET
    @Path("/{id}")
    Response entry(@PathParam("id") String id);

    @GET
    @Path("/{id}/record")
    @Produces({"application/fhir+json", MediaType.APPLICATION_JSON})
    Response record(@PathParam("id") String id);

    @POST
    @Path("/{id}/claim")
    Response claim(@PathParam("id") String id);

    @DELETE
    @Path("/{id}/claim")
    Response release(@PathParam("id") String id);

    @POST
    @Path("/{id}/notes")
    @Consumes(MediaType.APPLICATION_JSON)
    Response note(@PathParam("id") String id, Map<String, String> body);

    @PUT
    @Path("/{id}/record")
    @Consumes(MediaType.APPLICATION_JSON)
    Response correct(@PathParam("id") String id, String fhirJson);

    @POST
    @Path("/{id}/dismiss")
    @Consumes(MediaType.APPLICATION_JSON)
    Response dismiss(@PathParam("id") String id, Map<String, String> body);
}
