package org.recordline.console.pages;

import io.quarkus.qute.Template;
import io.quarkus.qute.TemplateInstance;
import io.quarkus.security.Authenticated;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestForm;
import org.recordline.console.fhir.FhirLocations;
import org.recordline.console.services.ValidationApi;

/**
 * The quarantine desk: the validation-service's work queue. Claim, annotate, correct in the editor (each finding's
 * location marked), resubmit, dismiss with a reason; and quality by source. Every read of a record is the
 * validation-service's own audited read, under the technician's name.
 */
@Path("/quarantine")
@Authenticated
public class QuarantinePage {

    /** The outcomes a redirect may name (never free text: nothing but ids and these words in URLs). */
    static final Map<String, String> DONE = Map.of(
            "claimed", "You hold the claim on this record.",
            "released", "You released your claim.",
            "noted", "Your note was added.",
            "dismissed", "The record was dismissed.");

    private static final Set<String> STATUSES = Set.of("open", "resolved", "dismissed");

    @Inject
    Pages pages;
    @Inject
    @RestClient
    ValidationApi validation;
    @Inject
    Template quarantine;
    @Inject
    Template quarantineEntry;
    @Inject
    Template quality;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance queue(@QueryParam("status") String status, @QueryParam("source") String source,
                                  @QueryParam("rule") String rule, @QueryParam("mine") boolean mine) {
        pages.requireDesk();
        String s = status == null || !STATUSES.contains(status) ? "open" : status;
        Answer a = pages.call(() -> validation.queue(s, blankToNull(source), blankToNull(rule), mine ? "me" : null,
                0, 100));
        return pages.page(quarantine, "quarantine").data("status", s).data("source", source).data("rule", rule)
                .data("mine", mine).data("entries", a.ok() ? a.body() : List.of())
                .data("problem", a.ok() ? null : a.reason());
    }

    @GET
    @Path("/quality")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance quality(@QueryParam("days") Integer days) {
        pages.requireDesk();
        int d = days == null || days < 1 || days > 366 ? 30 : days;
        Answer a = pages.call(() -> validation.quality(d));
        return pages.page(quality, "quarantine").data("days", d).data("sources", a.ok() ? a.body() : List.of())
                .data("json", a.ok() ? a.raw() : "[]").data("problem", a.ok() ? null : a.reason());
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance entry(@PathParam("id") String id, @QueryParam("done") String done) {
        return entryPage(id, done == null ? null : DONE.get(done), null, null);
    }

    @POST
    @Path("/{id}/claim")
    public Response claim(@PathParam("id") String id) {
        return act(id, "claimed", () -> validation.claim(id));
    }

    @POST
    @Path("/{id}/release")
    public Response release(@PathParam("id") String id) {
        return act(id, "released", () -> validation.release(id));
    }

    @POST
    @Path("/{id}/notes")
    public Response note(@PathParam("id") String id, @RestForm String text) {
        return act(id, "noted", () -> validation.note(id, Map.of("text", text == null ? "" : text)));
    }

    @POST
    @Path("/{id}/dismiss")
    public Response dismiss(@PathParam("id") String id, @RestForm String reason) {
        return act(id, "dismissed", () -> validation.dismiss(id, Map.of("reason", reason == null ? "" : reason)));
    }

    /** Resubmits the corrected record: reviewed again at once; the page shows the outcome and, if any, new findings. */
    @POST
    @Path("/{id}/record")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance correct(@PathParam("id") String id, @RestForm String record) {
        Pages.requireId(id, "a submission id");
        Answer a = pages.call(() -> validation.correct(id, record == null ? "" : record));
        if (!a.ok()) {
            // keep what the technician typed, with the service's reason
            return entryPage(id, null, a.reason(), record);
        }
        Object status = a.body() instanceof Map<?, ?> m ? m.get("status") : null;
        String message = "RESOLVED".equals(status)
                ? "The corrected record passed review and went on to the index."
                : "The corrected record was reviewed again and still has findings: it stays in the quarantine.";
        return entryPage(id, message, null, null);
    }

    private TemplateInstance entryPage(String id, String message, String problem, String typed) {
        pages.requireDesk();
        Pages.requireId(id, "a submission id");
        Answer entry = pages.call(() -> validation.entry(id));
        if (!entry.ok()) {
            return pages.page(quarantineEntry, "quarantine").data("id", id).data("entry", null)
                    .data("problem", entry.reason()).data("message", null);
        }
        Map<?, ?> detail = (Map<?, ?>) entry.body();
        Map<?, ?> head = (Map<?, ?>) detail.get("entry");
        Answer record = pages.call(() -> validation.record(id));
        String text = null;
        FhirLocations where = null;
        int lines = 0;
        if (record.ok() && record.raw() != null) {
            try {
                where = FhirLocations.of(typed != null ? typed : record.raw());
            } catch (IllegalArgumentException notJson) {
                where = FhirLocations.of(record.raw());
            }
            text = typed != null ? typed : where.text();
            lines = typed != null ? (int) typed.chars().filter(c -> c == '\n').count() + 1 : where.lineCount();
        }
        List<Map<String, Object>> findings = new ArrayList<>();
        if (head.get("issues") instanceof List<?> issues) {
            for (Object o : issues) {
                if (o instanceof Map<?, ?> issue) {
                    Map<String, Object> f = new LinkedHashMap<>();
                    issue.forEach((k, v) -> f.put(String.valueOf(k), v));
                    Object expr = issue.get("expression");
                    f.put("line", where == null ? 0 : where.line(expr == null ? null : expr.toString()));
                    findings.add(f);
                }
            }
        }
        List<Integer> marked = findings.stream().filter(f -> isBlocking(f.get("severity")))
                .map(f -> (Integer) f.get("line")).distinct().toList();
        String me = pages.viewer().name();
        return pages.page(quarantineEntry, "quarantine").data("id", id).data("entry", head).data("detail", detail)
                .data("record", text).data("lines", lines).data("marked", marked).data("findings", findings)
                .data("mine", me.equals(head.get("claimedBy"))).data("open", "OPEN".equals(head.get("status")))
                .data("message", message).data("problem", problem != null ? problem
                        : record.ok() ? null : record.reason());
    }

    private static boolean isBlocking(Object severity) {
        return "error".equals(severity) || "fatal".equals(severity);
    }

    private Response act(String id, String done, java.util.function.Supplier<Response> call) {
        Pages.requireId(id, "a submission id");
        return pages.act(call, "/quarantine/" + id + "?done=" + done);
    }


    static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.strip();
    }
}
