package org.recordline.console.pages;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.ws.rs.core.Response;
import java.io.IOException;

/**
 * A service's answer as the pages use it: the status, the body as maps and lists for the templates, and in plain words
 * why, when it was refused (a problem's detail or an OperationOutcome's diagnostics).
 *
 * @param status the HTTP status
 * @param body   the JSON body as {@code Map}/{@code List}/scalars, or null
 * @param raw    the body as sent
 */
public record Answer(int status, Object body, String raw) {

    static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();

    /** Reads {@code r} (and closes it). */
    public static Answer of(Response r) {
        try (r) {
            String raw = r.hasEntity() ? r.readEntity(String.class) : null;
            Object body = null;
            if (raw != null && !raw.isBlank()) {
                try {
                    body = JSON.readValue(raw, Object.class);
                } catch (IOException notJson) {
                    body = null;
                }
            }
            return new Answer(r.getStatus(), body, raw);
        }
    }

    public boolean ok() {
        return status >= 200 && status < 300;
    }

    /** Why a refusal was given, in the service's own words. */
    public String reason() {
        if (raw == null || raw.isBlank()) {
            return "HTTP " + status;
        }
        try {
            JsonNode n = JSON.readTree(raw);
            if (n.hasNonNull("detail")) {
                return n.get("detail").asText();
            }
            if ("OperationOutcome".equals(n.path("resourceType").asText())) {
                StringBuilder b = new StringBuilder();
                for (JsonNode issue : n.path("issue")) {
                    if (!b.isEmpty()) {
                        b.append("; ");
                    }
                    b.append(issue.path("diagnostics").asText(issue.path("code").asText()));
                }
                return b.toString();
            }
            if (n.hasNonNull("title")) {
                return n.get("title").asText();
            }
        } catch (IOException notJson) {
            // a plain-text answer
        }
        return raw.length() > 300 ? raw.substring(0, 300) + "…" : raw;
    }
}
