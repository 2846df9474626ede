package org.recordline.console.pages;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.recordline.console.services.AuditApi;

/**
 * Audit, for auditors: a patient's accounting of disclosures, who looked at whose records, and whether the log
 * verifies, with its latest signed checkpoint.
 */
@Path("/audit")
@Authenticated
public class AuditPage {

    /** The audit actions that are reads of patient data (as the services name them). */
    static final List<String> READS = List.of("record.read");

    @Inject
    Pages pages;
    @Inject
    @RestClient
    AuditApi audit;
    @Inject
    Template auditLog;
    @Inject
    Template disclosures;
    @Inject
    Template accessLog;

    /** The log's verification status and its latest checkpoint. */
    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance status() {
        pages.requireAudit();
        Answer verify = pages.call(() -> audit.verify());
        Answer checkpoint = pages.call(() -> audit.latestCheckpoint());
        return pages.page(auditLog, "audit").data("verify", verify.ok() ? verify.body() : null)
                .data("verifyProblem", verify.ok() ? null : verify.reason())
                .data("checkpoint", checkpoint.ok() ? checkpoint.body() : null);
    }

    /** A patient's accounting of disclosures (enterprise person id, or source-system|local-id). */
    @GET
    @Path("/disclosures")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance disclosures(@QueryParam("patient") String patient) {
        pages.requireAudit();
        String p = QuarantinePage.blankToNull(patient);
        TemplateInstance page = pages.page(disclosures, "audit").data("patient", p).data("accounting", null)
                .data("problem", null);
        if (p == null) {
            return page;
        }
        Answer a = pages.call(() -> audit.disclosures(p));
        return page.data("accounting", a.ok() ? a.body() : null).data("problem", a.ok() ? null : a.reason());
    }

    /** Who looked at whose records: the reads of patient data, by actor, patient or both. */
    @GET
    @Path("/access")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance access(@QueryParam("actor") String actor, @QueryParam("patient") String patient) {
        pages.requireAudit();
        String a = QuarantinePage.blankToNull(actor);
        String p = QuarantinePage.blankToNull(patient);
        TemplateInstance page = pages.page(accessLog, "audit").data("actor", a).data("patient", p)
                .data("events", null).data("problem", null);
        if (a == null && p == null) {
            return page;
        }
        Answer answer = pages.call(() -> audit.events(p, a, READS, null, 200));
        return page.data("events", answer.ok() ? answer.body() : null)
                .data("problem", answer.ok() ? null : answer.reason());
    }
}
