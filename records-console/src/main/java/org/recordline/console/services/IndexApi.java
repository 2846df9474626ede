package org.recordline.console.services;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The index-service's review queue, persons and charts, as the signed-in person. */
@RegisterRestClient(configKey = "index")
@RegisterClientHeaders(SignedInToken.class)
@Produces(MediaType.APPLICATION_JSON)
public interface IndexApi {

    @GET
    @Path("/possible-matches")
    Response possibleMatches(@QueryParam("status") String status, @QueryParam("page") int page,
                             @QueryParam("size") int size);

    @POST
    @Path("/possible-matches/{id}/accept")
    @Consumes(MediaType.APPLICATION_JSON)
    Response accept(@PathParam("id") long id, Map<String, String> reason);

    @POST
    @Path("/possible-matches/{id}/reject")
    @Consumes(MediaType.APPLICATION_JSON)
    Response reject(@PathParam("id") long id, Map<String, String> reason);

    @GET
    @Path("/persons/{id}")
    Response person(@PathParam("id") String id);

    @GET
    @Path("/persons/{id}/history")
    Response history(@PathParam("id") String id);

    @Produces({"application/fhir+json", MediaType.APPLICATION_JSON})
    @GET
    @Path("/persons/{id}/chart/history")
    Response versions(@PathParam("id") String id, @QueryParam("source") String source,
                      @QueryParam("type") String type, @QueryParam("id") String resourceId);

    @Produces({"application/fhir+json", MediaType.APPLICATION_JSON})
    @GET
    @Path("/fhir/Patient/{id}/$everything")
    Response everything(@PathParam("id") String id);

    @Produces({"application/fhir+json", MediaType.APPLICATION_JSON})
    @GET
    @Path("/fhir/Patient")
    Response search(@QueryParam("identifier") String identifier, @QueryParam("family") String family,
                    @QueryParam("given") String given, @QueryParam("birthdate") String birthDate);

    @POST
    @Path("/persons/{id}/link")
    @Consumes(MediaType.APPLICATION_JSON)
    Response link(@PathParam("id") String id, Map<String, String> body);

    @POST
    @Path("/persons/{id}/unlink")
    @Consumes(MediaType.APPLICATION_JSON)
    Response unlink(@PathParam("id") String id, Map<String, String> body);

    @POST
    @Path("/persons/{id}/merge")
    @Consumes(MediaType.APPLICATION_JSON)
    Response merge(@PathParam("id") String id, Map<String, String> body);

    @POST
    @Path("/persons/{id}/unmerge")
    @Consumes(MediaType.APPLICATION_JSON)
    Response unmerge(@PathParam("id") String id, Map<String, String> body);
}
