package org.recordline.testsupport;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Path;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.recordline.events.EventCodec;
import org.recordline.events.Topics;

/**
 * For each service's test that every endpoint returning patient data emits its audit event: the service's endpoints
 * found in its compiled resource classes (so an endpoint added later must be classified by the test, or it fails), and
 * the audit events a request caused, found by the {@code X-Correlation-Id} it was sent with.
 */
public final class AuditCoverage {

    private AuditCoverage() {
    }

    /**
     * Every {@code METHOD /path} of the JAX-RS resource classes in the package of {@code anyResource} and below,
     * read from the compiled classes (paths joined as declared, e.g. {@code GET /persons/{id}/history}). Fails when
     * it finds none (a scan that finds nothing would let every classification pass).
     */
    public static Set<String> endpoints(Class<?> anyResource) {
        String pkg = anyResource.getPackageName();
        Set<String> out = new TreeSet<>();
        try {
            java.security.CodeSource source = anyResource.getProtectionDomain().getCodeSource();
            // Quarkus' test class loader gives application classes no code source: Maven's output folder then
            java.nio.file.Path root = source != null && source.getLocation() != null
                    ? java.nio.file.Path.of(source.getLocation().toURI()) : java.nio.file.Path.of("target", "classes");
            java.nio.file.Path dir = root.resolve(pkg.replace('.', '/'));
            List<String> names = new ArrayList<>();
            try (Stream<java.nio.file.Path> files = Files.walk(dir)) {
                files.filter(f -> f.toString().endsWith(".class")).forEach(f -> names.add(root.relativize(f)
                        .toString().replace(java.io.File.separatorChar, '.').replaceAll("\\.class$", "")));
            }
            for (String name : names) {
                Class<?> c = Class.forName(name, false, anyResource.getClassLoader());
                Path base = c.getAnnotation(Path.class);
                if (base == null) {
                    continue;
                }
                for (Method m : c.getDeclaredMethods()) {
                    String verb = verb(m);
                    if (verb == null) {
                        continue;
                    }
                    Path sub = m.getAnnotation(Path.class);
                    out.add(verb + " " + join(base.value(), sub == null ? "" : sub.value()));
                }
            }
            if (out.isEmpty()) {
                throw new AssertionError("no JAX-RS endpoint found under " + dir);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException | ClassNotFoundException e) {
            throw new IllegalStateException("cannot list the endpoints of " + pkg, e);
        }
        return out;
    }

    private static String verb(Method m) {
        for (Annotation a : m.getAnnotations()) {
            HttpMethod http = a.annotationType().getAnnotation(HttpMethod.class);
            if (http != null) {
                return http.value();
            }
        }
        return null;
    }

    private static String join(String base, String sub) {
        String path = ("/" + base + "/" + sub).replaceAll("/+", "/");
        return path.length() > 1 && path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
    }

    /**
     * Fails unless every endpoint of the service (see {@link #endpoints}) is in exactly one of {@code patientData}
     * (the test calls each and checks its audit event) and {@code others} (each with why it needs no read audit:
     * no patient data, or an act audited and tested elsewhere); names the unclassified and the stale.
     */
    public static void assertClassified(Class<?> anyResource, Set<String> patientData, java.util.Map<String, String>
            others) {
        Set<String> found = endpoints(anyResource);
        Set<String> classified = new TreeSet<>(patientData);
        for (String o : others.keySet()) {
            if (!classified.add(o)) {
                throw new AssertionError(o + " is classified twice");
            }
        }
        Set<String> unclassified = new TreeSet<>(found);
        unclassified.removeAll(classified);
        Set<String> stale = new TreeSet<>(classified);
        stale.removeAll(found);
        if (!unclassified.isEmpty() || !stale.isEmpty()) {
            throw new AssertionError("endpoints not classified for audit: " + unclassified
                    + "; classified but not found: " + stale);
        }
    }

    /**
     * Waits (up to 30 s) for the audit event of action {@code action} that the request sent with
     * {@code X-Correlation-Id: correlationId} caused, and returns it; fails when none arrives.
     */
    public static JsonNode awaitEvent(TopicClient topics, String correlationId, String action) {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        List<JsonNode> seen = List.of();
        while (System.nanoTime() < deadline) {
            seen = events(topics, correlationId);
            for (JsonNode n : seen) {
                if (action.equals(n.path("action").asText())) {
                    return n;
                }
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        throw new AssertionError("no " + action + " audit event with correlation id " + correlationId + " within 30 s;"
                + " its events: " + seen);
    }

    /** The audit events on {@code ehr.audit.v1} whose context names {@code correlationId}, as JSON, in topic order. */
    public static List<JsonNode> events(TopicClient topics, String correlationId) {
        List<JsonNode> out = new ArrayList<>();
        topics.find(Topics.AUDIT, r -> true).forEach(r -> {
            try {
                JsonNode n = EventCodec.mapper().readTree(r.value());
                if (correlationId.equals(n.path("context").path("correlationId").asText(null))) {
                    out.add(n);
                }
            } catch (IOException e) {
                // not an audit event of ours (the dead-letter tests publish broken ones): not this request's
            }
        });
        return out;
    }
}
