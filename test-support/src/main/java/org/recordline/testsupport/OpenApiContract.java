package org.recordline.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks a service's HTTP contract: the OpenAPI document it serves on its management port ({@code /q/openapi}) must be
 * the one committed as {@code docs/openapi/<service>.yaml}, and must keep the rules every Recordline API follows
 * (every operation secured, every refusal and error with a body). Used by each service's {@code OpenApiContractTest}.
 */
public final class OpenApiContract {

    private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch", "head", "options");
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private OpenApiContract() {
    }

    /** The document the service serves at {@code openapi} (YAML, or JSON with {@code ?format=json}). */
    public static String fetch(URI openapi) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(openapi).timeout(Duration.ofSeconds(30)).GET()
                    .build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertEquals(200, r.statusCode(), "GET " + openapi + " (management port, no token) answered "
                    + r.statusCode());
            return r.body();
        } catch (IOException e) {
            throw new AssertionError("GET " + openapi + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The API port does not hand the document out (only the management port does, like health and metrics). */
    public static void assertNotOnApiPort(URI apiOpenapi) {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(apiOpenapi).timeout(Duration.ofSeconds(30))
                    .GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            assertTrue(r.statusCode() == 401 || r.statusCode() == 404, "GET " + apiOpenapi
                    + " without a token on the API port answered " + r.statusCode());
        } catch (IOException e) {
            throw new AssertionError("GET " + apiOpenapi + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /**
     * Fails unless the served document is the committed {@code docs/openapi/<service>.yaml}: the same tree of values,
     * compared as parsed YAML. Only the order of an object's keys is not compared (the served document is serialized
     * again at start-up, which orders some keys differently from the copy the build stores); nothing in the document
     * varies by run, host or port. The message names the first difference and says how to refresh the committed copy.
     */
    public static void assertCommitted(String service, URI openapi) {
        Path committed = Path.of("..", "docs", "openapi", service + ".yaml").toAbsolutePath().normalize();
        String refresh = "If the change to the HTTP contract is intended, refresh the committed copy from the build's: "
                + "cp " + service + "/target/openapi/" + service + ".yaml docs/openapi/ (written by mvn -pl " + service
                + " package, or by this test's run), review the diff and commit it with the change.";
        if (!Files.exists(committed)) {
            fail(committed + " does not exist. " + refresh);
        }
        JsonNode expected;
        JsonNode served;
        try {
            expected = YAML.readTree(Files.readString(committed, StandardCharsets.UTF_8));
            served = YAML.readTree(fetch(openapi));
        } catch (IOException e) {
            throw new AssertionError("cannot read " + committed + " or the served document as YAML", e);
        }
        String difference = difference("", expected, served);
        if (difference != null) {
            fail("The OpenAPI document " + service + " serves differs from " + committed + ": " + difference + "\n"
                    + refresh);
        }
    }

    /** The first difference between two trees (JSON Pointer and both values), or null when they are equal. */
    static String difference(String at, JsonNode want, JsonNode got) {
        if (want.equals(got)) {
            return null;
        }
        if (want.isObject() && got.isObject()) {
            Set<String> keys = new java.util.TreeSet<>();
            want.fieldNames().forEachRemaining(keys::add);
            got.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                String where = at + "/" + k.replace("~", "~0").replace("/", "~1");
                if (!want.has(k)) {
                    return where + " is served but not committed: " + abbreviate(got.get(k));
                }
                if (!got.has(k)) {
                    return where + " is committed but not served: " + abbreviate(want.get(k));
                }
                String d = difference(where, want.get(k), got.get(k));
                if (d != null) {
                    return d;
                }
            }
        }
        if (want.isArray() && got.isArray()) {
            for (int i = 0; i < Math.min(want.size(), got.size()); i++) {
                String d = difference(at + "/" + i, want.get(i), got.get(i));
                if (d != null) {
                    return d;
                }
            }
            return at + " has " + want.size() + " items committed, " + got.size() + " served";
        }
        return (at.isEmpty() ? "/" : at) + " committed " + abbreviate(want) + ", served " + abbreviate(got);
    }

    private static String abbreviate(JsonNode node) {
        String s = node.toString();
        return s.length() > 300 ? s.substring(0, 300) + "..." : s;
    }

    /**
     * The rules of every Recordline API, checked on the served document (JSON): a title naming the service; a bearer
     * security scheme; on every operation (but the {@code publicOperations}, by operationId) a security requirement
     * naming it, and {@code 401} (with {@code WWW-Authenticate}) and {@code 403} answers; every answer outside 2xx and
     * 3xx with a body schema in every media type, a FHIR OperationOutcome among them on {@code /fhir} paths and RFC
     * 9457 problem details for the refusals elsewhere; and every operation with an id, a summary and a success answer.
     */
    public static void assertRules(String service, URI openapi, Set<String> publicOperations) {
        JsonNode doc;
        try {
            doc = new ObjectMapper().readTree(fetch(URI.create(openapi + "?format=json")));
        } catch (IOException e) {
            throw new AssertionError("the served document is not JSON", e);
        }
        assertTrue(doc.at("/info/title").asText().contains(service), "info.title names " + service);
        assertFalse(doc.at("/info/version").asText().isBlank(), "info.version");
        assertFalse(doc.at("/info/description").asText().isBlank(), "info.description");
        JsonNode scheme = doc.at("/components/securitySchemes/bearer");
        assertEquals("http", scheme.path("type").asText(), "security scheme bearer: type");
        assertEquals("bearer", scheme.path("scheme").asText(), "security scheme bearer: scheme");
        List<String> problems = new ArrayList<>();
        int operations = 0;
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            boolean fhir = path.getKey().equals("/fhir") || path.getKey().startsWith("/fhir/");
            for (Iterator<Map.Entry<String, JsonNode>> ops = path.getValue().fields(); ops.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = ops.next();
                if (!METHODS.contains(entry.getKey())) {
                    continue;
                }
                operations++;
                JsonNode op = entry.getValue();
                String name = entry.getKey().toUpperCase() + " " + path.getKey();
                if (op.path("operationId").asText().isBlank()) {
                    problems.add(name + ": no operationId");
                }
                if (op.path("summary").asText().isBlank()) {
                    problems.add(name + ": no summary");
                }
                boolean isPublic = publicOperations.contains(op.path("operationId").asText());
                JsonNode security = op.path("security");
                boolean bearer = false;
                for (JsonNode requirement : security) {
                    bearer |= requirement.has("bearer");
                }
                if (!isPublic && !bearer) {
                    problems.add(name + ": no bearer security requirement");
                }
                JsonNode responses = op.path("responses");
                boolean success = false;
                for (Iterator<Map.Entry<String, JsonNode>> rs = responses.fields(); rs.hasNext(); ) {
                    Map.Entry<String, JsonNode> r = rs.next();
                    String code = r.getKey();
                    if (!code.matches("[1-5][0-9][0-9]")) {
                        problems.add(name + ": response " + code + " is not a status code");
                        continue;
                    }
                    if (r.getValue().path("description").asText().isBlank()) {
                        problems.add(name + " " + code + ": no description");
                    }
                    if (code.startsWith("2")) {
                        success = true;
                        continue;
                    }
                    if (code.startsWith("3")) {
                        continue;
                    }
                    JsonNode content = r.getValue().path("content");
                    if (content.isEmpty()) {
                        problems.add(name + " " + code + ": no body");
                    }
                    boolean expectedShape = false;
                    for (Iterator<Map.Entry<String, JsonNode>> ms = content.fields(); ms.hasNext(); ) {
                        Map.Entry<String, JsonNode> m = ms.next();
                        JsonNode schema = m.getValue().path("schema");
                        if (schema.isMissingNode() || schema.isEmpty()) {
                            problems.add(name + " " + code + " " + m.getKey() + ": no schema");
                        }
                        String ref = schema.path("$ref").asText();
                        expectedShape |= fhir ? ref.endsWith("/OperationOutcome")
                                && m.getKey().equals("application/fhir+json")
                                : ref.endsWith("/ProblemDetail") && m.getKey().equals("application/problem+json");
                    }
                    if ((code.equals("401") || code.equals("403") || fhir) && !expectedShape) {
                        problems.add(name + " " + code + ": not answered with " + (fhir
                                ? "an OperationOutcome (application/fhir+json)"
                                : "problem details (application/problem+json)"));
                    }
                }
                if (!success) {
                    problems.add(name + ": no success answer");
                }
                if (!isPublic) {
                    if (!responses.has("401")) {
                        problems.add(name + ": no 401");
                    } else if (!responses.path("401").path("headers").has("WWW-Authenticate")) {
                        problems.add(name + " 401: no WWW-Authenticate header");
                    }
                    if (!responses.has("403")) {
                        problems.add(name + ": no 403");
                    }
                }
            }
        }
        assertTrue(operations > 0, "the document of " + service + " has no operations");
        if (!problems.isEmpty()) {
            fail("The OpenAPI document of " + service + " breaks the rules of the HTTP contract:\n  "
                    + String.join("\n  ", problems));
        }
    }
}
