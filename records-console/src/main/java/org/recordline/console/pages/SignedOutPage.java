package org.recordline.console.pages;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import jakarta.annotation.security.PermitAll;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Where signing out ends: a page of its own that needs no sign-in. */
@Path("/signed-out")
@PermitAll
public class SignedOutPage {

    @Inject
    Template signedOut;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance page() {
        return signedOut.data("viewer", null).data("nav", "");
    }
}
