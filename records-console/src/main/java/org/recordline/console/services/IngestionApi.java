package org.recordline.console.services;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The ingestion-service's API, as the signed-in person. */
@RegisterRestClient(configKey = "ingestion")
@RegisterClientHeaders(SignedInToken.class)
@Produces(MediaType.APPLICATION_JSON)
public interface IngestionApi {

    @GET
    @Path("/submissions/{id}")
    Response submission(@PathParam("id") String id);
}
