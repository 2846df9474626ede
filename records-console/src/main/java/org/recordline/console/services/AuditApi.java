package org.recordline.console.services;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import org.eclipse.microprofile.rest.client.annotation.RegisterClientHeaders;
import org.eclipse.microprofile.rest.client.inject.RegisterRestClient;

/** The audit-service's queries, as the signed-in person (an auditor). */
@RegisterRestClient(configKey = "audit")
@RegisterClientHeaders(SignedInToken.class)
@Path("/audit")
@Produces(MediaType.APPLICATION_JSON)
public interface AuditApi {

    @GET
    @Path("/disclosures")
    Response disclosures(@QueryParam("patient") String patient);

    @GET
    @Path("/events")
    Response events(@QueryParam("patient") String patient, @QueryParam("actor") String actor,
                    @QueryParam("action") List<String> actions, @QueryParam("submission") String submission,
                    @QueryParam("limit") int limit);

    @GET
    @Path("/verify")
    Response verify();

    @GET
    @Path("/checkpoints/latest")
    Response latestCheckpoint();
}
