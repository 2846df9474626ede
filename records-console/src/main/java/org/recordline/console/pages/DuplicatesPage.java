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
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.rest.client.inject.RestClient;
import org.jboss.resteasy.reactive.RestForm;
import org.recordline.console.services.IndexApi;

/**
 * Possible duplicates: the index's review queue. Two records side by side with each field's comparison level and
 * weight, the score and the thresholds; accept (the record is filed under the candidate person) or reject.
 */
@Path("/duplicates")
@Authenticated
public class DuplicatesPage {

    private static final Set<String> STATUSES = Set.of("open", "accepted", "rejected");

    @Inject
    Pages pages;
    @Inject
    @RestClient
    IndexApi index;
    @Inject
    Template duplicates;
    @Inject
    Template duplicate;

    @GET
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance queue(@QueryParam("status") String status) {
        pages.requireDesk();
        String s = status == null || !STATUSES.contains(status) ? "open" : status;
        Answer a = pages.call(() -> index.possibleMatches(s, 0, 100));
        return pages.page(duplicates, "duplicates").data("status", s).data("items", a.ok() ? a.body() : List.of())
                .data("problem", a.ok() ? null : a.reason());
    }

    @GET
    @Path("/{id}")
    @Produces(MediaType.TEXT_HTML)
    public TemplateInstance item(@PathParam("id") long id, @QueryParam("status") String status) {
        pages.requireDesk();
        String s = status == null || !STATUSES.contains(status) ? "open" : status;
        // the queue has no single-item read: the item is found on its page of the queue (an audited read)
        Answer a = pages.call(() -> index.possibleMatches(s, 0, 200));
        Map<?, ?> item = null;
        if (a.ok() && a.body() instanceof List<?> items) {
            for (Object o : items) {
                if (o instanceof Map<?, ?> m && m.get("id") instanceof Number n && n.longValue() == id) {
                    item = m;
                }
            }
        }
        if (item == null) {
            throw new Refused(404, "No " + s + " possible match " + id + ".");
        }
        return pages.page(duplicate, "duplicates").data("item", item).data("rows", rows(item)).data("status", s);
    }

    @POST
    @Path("/{id}/accept")
    public Response accept(@PathParam("id") long id, @RestForm String reason) {
        return decide(id, true, reason);
    }

    @POST
    @Path("/{id}/reject")
    public Response reject(@PathParam("id") long id, @RestForm String reason) {
        return decide(id, false, reason);
    }

    private Response decide(long id, boolean accept, String reason) {
        pages.requireDesk();
        Map<String, String> body = Map.of("reason", reason == null ? "" : reason);
        Answer a = pages.call(() -> accept ? index.accept(id, body) : index.reject(id, body));
        if (!a.ok()) {
            throw new Refused(a.status() == 404 ? 404 : 409, a.reason());
        }
        String person = a.body() instanceof Map<?, ?> m && m.get("candidatePersonId") != null ? m.get("candidatePersonId").toString()
                : null;
        return Response.seeOther(URI.create(accept && person != null && person.matches("[0-9a-fA-F-]{1,64}")
                ? "/persons/" + person + "?done=accepted" : "/duplicates?status=" + (accept ? "accepted" : "rejected")))
                .build();
    }

    /**
     * One row per compared field: its name, the incoming record's value, the candidate's, the comparison level and
     * the weight it added to the score.
     */
    static List<Map<String, Object>> rows(Map<?, ?> item) {
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<?, ?> incoming = item.get("incoming") instanceof Map<?, ?> m ? m : Map.of();
        Map<?, ?> candidate = item.get("candidate") instanceof Map<?, ?> m ? m : Map.of();
        Object fields = item.get("explanation") instanceof Map<?, ?> e ? e.get("fields") : null;
        if (fields instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof Map<?, ?> f) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    String name = String.valueOf(f.get("field"));
                    row.put("field", name);
                    String key = demographicsKey(name);
                    row.put("incoming", shown(incoming.get(key)));
                    row.put("candidate", shown(candidate.get(key)));
                    row.put("level", f.get("level"));
                    Object w = f.get("weight");
                    row.put("weight", w);
                    row.put("agrees", w instanceof Number n && n.doubleValue() > 0);
                    rows.add(row);
                }
            }
        }
        return rows;
    }

    /** The demographics member a compared field reads: {@code birth-date} is {@code birthDate}, {@code mrn} {@code mrns}. */
    static String demographicsKey(String field) {
        if (field.equals("mrn")) {
            return "mrns";
        }
        StringBuilder b = new StringBuilder();
        boolean up = false;
        for (char c : field.toCharArray()) {
            if (c == '-') {
                up = true;
            } else {
                b.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return b.toString();
    }

    private static String shown(Object v) {
        if (v == null) {
            return "—";
        }
        if (v instanceof List<?> l) {
            return String.join(", ", l.stream().map(String::valueOf).toList());
        }
        return String.valueOf(v);
    }
}
