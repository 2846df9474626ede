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
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestForm;
import org.recordline.console.services.IndexApi;

/**
 * A person's chart: the golden record with where each value came from, the records of every source by type and date
 * (with their versions), and the history of links, unlinks, merges and unmerges, with those four actions.
 */
@Path("/persons")
@Authenticated
public class PersonPage {

    static final Map<String, String> DONE = Map.of(
            "accepted", "The possible match was accepted: the record is filed under this person.",
            "linked", "The source record was moved to this person.",
            "unlinked", "The source record was moved out of its person: this is the new person it is filed under.",
            "merged", "The other person's records were merged into this person.",
            "unmerged", "The latest merge was undone.");

    @Inject
    Pages pages;
    @Inject
    @RestClient
    IndexApi index;
    @Inject
    Template persons;
    @Inject
    Template person;
    @Inject
    Template versions;

    /** The search form. */
    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance searchForm() {
        pages.requireDesk();
        return pages.page(persons, "persons").data("found", null).data("problem", null);
    }

    /**
     * Find a person by identifier ({@code system|value}) or by family name, given name and birth date: a POST, so
     * that names never appear in an address (history, logs, referrers).
     */
    @POST
    @Path("/search")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance search(@RestForm String identifier, @RestForm String family, @RestForm String given,
                                   @RestForm String birthdate) {
        pages.requireDesk();
        TemplateInstance page = pages.page(persons, "persons").data("found", null).data("problem", null)
                .data("identifier", identifier).data("family", family).data("given", given)
                .data("birthdate", birthdate);
        String i = QuarantinePage.blankToNull(identifier);
        String f = QuarantinePage.blankToNull(family);
        if (i == null && f == null) {
            return page.data("problem", "Give an identifier, or a family name.");
        }
        Answer a = pages.call(() -> index.search(i, f, QuarantinePage.blankToNull(given),
                QuarantinePage.blankToNull(birthdate)));
        if (!a.ok()) {
            return page.data("problem", a.reason());
        }
        List<Map<String, Object>> found = new ArrayList<>();
        if (a.body() instanceof Map<?, ?> bundle && bundle.get("entry") instanceof List<?> entries) {
            for (Object e : entries) {
                if (e instanceof Map<?, ?> entry && entry.get("resource") instanceof Map<?, ?> patient) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("id", patient.get("id"));
                    row.put("name", FhirText.name(patient.get("name")));
                    row.put("birthDate", patient.get("birthDate"));
                    found.add(row);
                }
            }
        }
        return page.data("found", found);
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance chart(@PathParam("id") String id, @QueryParam("done") String done) {
        pages.requireDesk();
        Pages.requireId(id, "a person id");
        Answer p = pages.call(() -> index.person(id));
        if (!p.ok()) {
            throw new Refused(p.status() == 404 ? 404 : 400, p.reason());
        }
        Answer history = pages.call(() -> index.history(id));
        Answer everything = pages.call(() -> index.everything(id));
        List<Map<String, Object>> resources = new ArrayList<>();
        if (everything.ok() && everything.body() instanceof Map<?, ?> bundle
                && bundle.get("entry") instanceof List<?> entries) {
            for (Object e : entries) {
                if (e instanceof Map<?, ?> entry && entry.get("resource") instanceof Map<?, ?> r) {
                    resources.add(FhirText.summary(r));
                }
            }
        }
        resources.sort(Comparator.comparing((Map<String, Object> r) -> String.valueOf(r.get("type")))
                .thenComparing(r -> String.valueOf(r.get("date")), Comparator.reverseOrder()));
        Map<?, ?> view = (Map<?, ?>) p.body();
        return pages.page(person, "persons").data("id", id).data("person", view)
                .data("golden", FhirText.goldenRows(view.get("golden"), view.get("provenance")))
                .data("resources", resources).data("history", history.ok() ? history.body() : List.of())
                .data("message", done == null ? null : DONE.get(done));
    }

    /** Every version of one filed resource. */
    @GET
    @Path("/{id}/versions")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance versions(@PathParam("id") String id, @QueryParam("source") String source,
                                     @QueryParam("type") String type, @QueryParam("rid") String resourceId) {
        pages.requireDesk();
        Pages.requireId(id, "a person id");
        Answer a = pages.call(() -> index.versions(id, source, type, resourceId));
        return pages.page(versions, "persons").data("id", id).data("type", type).data("rid", resourceId)
                .data("answer", a.ok() ? a.body() : null).data("problem", a.ok() ? null : a.reason());
    }

    @POST
    @Path("/{id}/link")
    public Response link(@PathParam("id") String id, @RestForm String sourceRecordKey, @RestForm String reason) {
        return act(id, "linked", () -> index.link(id, Map.of("sourceRecordKey", nz(sourceRecordKey), "reason",
                nz(reason))));
    }

    @POST
    @Path("/{id}/unlink")
    public Response unlink(@PathParam("id") String id, @RestForm String sourceRecordKey, @RestForm String reason) {
        Pages.requireId(id, "a person id");
        // the record goes to a new person: the browser follows it there
        return pages.act(() -> index.unlink(id, Map.of("sourceRecordKey", nz(sourceRecordKey), "reason", nz(reason))),
                answer -> {
                    Object to = answer.body() instanceof Map<?, ?> m ? m.get("toPersonId") : null;
                    String person = to == null ? id : to.toString();
                    Pages.requireId(person, "a person id");
                    return "/persons/" + person + "?done=unlinked";
                });
    }

    @POST
    @Path("/{id}/merge")
    public Response merge(@PathParam("id") String id, @RestForm String from, @RestForm String reason) {
        return act(id, "merged", () -> index.merge(id, Map.of("from", nz(from), "reason", nz(reason))));
    }

    @POST
    @Path("/{id}/unmerge")
    public Response unmerge(@PathParam("id") String id, @RestForm String from, @RestForm String reason) {
        return act(id, "unmerged", () -> index.unmerge(id, Map.of("from", nz(from), "reason", nz(reason))));
    }

    private Response act(String id, String done, java.util.function.Supplier<Response> call) {
        Pages.requireId(id, "a person id");
        return pages.act(call, "/persons/" + id + "?done=" + done);
    }

    private static String nz(String s) {
        return s == null ? "" : s.strip();
    }

}
