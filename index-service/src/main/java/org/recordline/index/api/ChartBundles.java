package org.recordline.index.api;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.index.domain.PersonChart;

/**
 * FHIR Bundles of a person's chart: the {@code $everything} searchset and a resource's {@code history}. Each filed
 * resource is returned as its source sent it, with {@code meta.versionId} (its version) and {@code meta.source} (its
 * source record key); its {@code fullUrl} is a name-based UUID of source record, type and id, so that two sources'
 * resources with one logical id stay apart in one Bundle.
 */
final class ChartBundles {

    /** Reads and writes stored resources with their decimals exact ({@code 1.50} stays {@code 1.50}). */
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
            .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private ChartBundles() {
    }

    /** A Bundle as JSON text. */
    static String text(ObjectNode bundle) {
        try {
            return JSON.writeValueAsString(bundle);
        } catch (IOException e) {
            throw new IllegalStateException("a Bundle cannot be written", e);
        }
    }

    /** The {@code fullUrl} of a filed resource: unique across source records, the same on every read. */
    static String fullUrl(String sourceRecordKey, String type, String id) {
        return "urn:uuid:" + UUID.nameUUIDFromBytes((sourceRecordKey + "\n" + type + "\n" + id)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** A page of {@code $everything}: the golden Patient first (first page), then the page's resources. */
    static ObjectNode everything(PersonChart.Page page, URI self, URI next) {
        ObjectNode bundle = JSON.createObjectNode();
        bundle.put("resourceType", "Bundle");
        bundle.put("type", "searchset");
        bundle.put("total", page.total());
        ArrayNode links = bundle.putArray("link");
        links.addObject().put("relation", "self").put("url", self.toString());
        if (next != null) {
            links.addObject().put("relation", "next").put("url", next.toString());
        }
        ArrayNode entries = bundle.putArray("entry");
        if (page.golden() != null) {
            ObjectNode e = entries.addObject();
            e.put("fullUrl", "urn:uuid:" + page.personId());
            e.set("resource", tree(page.golden()));
            e.putObject("search").put("mode", "match");
        }
        for (PersonChart.Entry r : page.entries()) {
            ObjectNode e = entries.addObject();
            e.put("fullUrl", fullUrl(r.sourceRecordKey(), r.resourceType(), r.resourceId()));
            e.set("resource", filed(r));
            e.putObject("search").put("mode", "include");
        }
        if (!page.personId().equals(page.requestedId()) && page.golden() != null) {
            // tell the reader whose chart this is: the person asked for was merged
            ObjectNode outcome = JSON.createObjectNode();
            outcome.put("resourceType", "OperationOutcome");
            outcome.putArray("issue").addObject().put("severity", "information").put("code", "informational")
                    .put("diagnostics", "Patient/" + page.requestedId() + " was merged into Patient/"
                            + page.personId() + "; this is the chart of Patient/" + page.personId());
            ObjectNode e = entries.addObject();
            e.set("resource", outcome);
            e.putObject("search").put("mode", "outcome");
        }
        return bundle;
    }

    /** Every version of one resource, newest first, as a {@code history} Bundle. */
    static ObjectNode history(PersonChart.History history) {
        ObjectNode bundle = JSON.createObjectNode();
        bundle.put("resourceType", "Bundle");
        bundle.put("type", "history");
        bundle.put("total", history.versions().size());
        ArrayNode entries = bundle.putArray("entry");
        for (PersonChart.Entry v : history.versions()) {
            ObjectNode e = entries.addObject();
            e.put("fullUrl", fullUrl(v.sourceRecordKey(), v.resourceType(), v.resourceId()));
            e.set("resource", filed(v));
            e.putObject("request").put("method", v.version() == 1 ? "POST" : "PUT")
                    .put("url", v.resourceType() + "/" + v.resourceId());
            ObjectNode response = e.putObject("response").put("status", v.version() == 1 ? "201 Created" : "200 OK")
                    .put("etag", "W/\"" + v.version() + "\"");
            if (v.filedAt() != null) {
                response.put("lastModified", v.filedAt().toString());
            }
        }
        return bundle;
    }

    /** The resource as filed, with its version and source record in {@code meta} (and its id, when it had none). */
    private static ObjectNode filed(PersonChart.Entry r) {
        JsonNode node = tree(r.resource());
        ObjectNode resource = node instanceof ObjectNode o ? o : JSON.createObjectNode();
        if (!resource.path("id").isTextual()) {
            resource.put("id", r.resourceId());
        }
        ObjectNode meta = resource.get("meta") instanceof ObjectNode m ? m : resource.putObject("meta");
        meta.put("versionId", String.valueOf(r.version()));
        meta.put("source", r.sourceRecordKey());
        return resource;
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new DataAccessException("a stored resource is not JSON", e);
        }
    }
}
