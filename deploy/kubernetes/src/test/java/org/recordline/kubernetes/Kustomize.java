package org.recordline.kubernetes;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Renders a kustomization directory as {@code kubectl kustomize} does, for the part of kustomize these manifests use,
 * and refuses the rest: a field it does not implement is an error, never ignored, so that what it renders is what
 * kustomize renders.
 *
 * <p>Implemented: {@code resources} (files of one or more YAML documents, and directories with a
 * {@code kustomization.yaml}, rendered first), {@code namespace} (set on every namespaced resource), {@code patches}
 * with a {@code target} (kind, name, optionally group and version) and a JSON 6902 patch (operations {@code add},
 * {@code remove}, {@code replace}, {@code test}) inline or in a file, {@code images} ({@code newName},
 * {@code newTag}), {@code replicas}, {@code labels} (pairs on {@code metadata.labels} only), and
 * {@code configMapGenerator} with {@code files} and {@code disableNameSuffixHash}. Resources are emitted in the order
 * they were read; two with the same group, kind, namespace and name are an error, as in kustomize.
 */
final class Kustomize {

    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
    private static final Set<String> FIELDS = Set.of("apiVersion", "kind", "resources", "namespace", "patches",
            "images", "replicas", "labels", "configMapGenerator");
    /** Kinds without a namespace, of those these manifests could hold. */
    private static final Set<String> CLUSTER_SCOPED = Set.of("Namespace", "CustomResourceDefinition", "ClusterRole",
            "ClusterRoleBinding", "PersistentVolume", "StorageClass", "PriorityClass");

    private Kustomize() {
    }

    /** The resources {@code dir}'s {@code kustomization.yaml} renders to. */
    static List<ObjectNode> render(Path dir) {
        Path file = dir.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(dir + " has no kustomization.yaml");
        }
        ObjectNode k = (ObjectNode) readAll(file).get(0);
        for (Iterator<String> it = k.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                throw new IllegalArgumentException(file + ": field '" + f + "' is not supported by this renderer");
            }
        }
        require(file, k, "apiVersion", "kustomize.config.k8s.io/v1beta1");
        require(file, k, "kind", "Kustomization");
        List<ObjectNode> out = new ArrayList<>();
        for (JsonNode r : k.path("resources")) {
            Path p = dir.resolve(r.asText()).normalize();
            if (Files.isDirectory(p)) {
                out.addAll(render(p));
            } else {
                for (JsonNode doc : readAll(p)) {
                    if (!doc.isObject()) {
                        throw new IllegalArgumentException(p + ": a document is not a resource");
                    }
                    out.add((ObjectNode) doc);
                }
            }
        }
        for (JsonNode g : k.path("configMapGenerator")) {
            out.add(configMap(dir, file, (ObjectNode) g));
        }
        for (JsonNode p : k.path("patches")) {
            patch(dir, file, (ObjectNode) p, out);
        }
        for (JsonNode i : k.path("images")) {
            images((ObjectNode) i, out);
        }
        for (JsonNode r : k.path("replicas")) {
            replicas(file, (ObjectNode) r, out);
        }
        for (JsonNode l : k.path("labels")) {
            labels(file, (ObjectNode) l, out);
        }
        if (k.hasNonNull("namespace")) {
            String ns = k.get("namespace").asText();
            for (ObjectNode r : out) {
                if (!CLUSTER_SCOPED.contains(r.path("kind").asText())) {
                    ((ObjectNode) r.with("metadata")).put("namespace", ns);
                }
            }
        }
        Set<String> seen = new HashSet<>();
        for (ObjectNode r : out) {
            String id = group(r) + "/" + r.path("kind").asText() + "/" + r.path("metadata").path("namespace").asText()
                    + "/" + r.path("metadata").path("name").asText();
            if (!seen.add(id)) {
                throw new IllegalArgumentException(file + ": resource " + id + " appears twice");
            }
        }
        return out;
    }

    private static void require(Path file, ObjectNode k, String field, String value) {
        if (!value.equals(k.path(field).asText())) {
            throw new IllegalArgumentException(file + ": " + field + " must be " + value);
        }
    }

    /** Every YAML document of {@code file}, empty ones left out. */
    static List<JsonNode> readAll(Path file) {
        try (YAMLParser parser = ((YAMLFactory) YAML.getFactory()).createParser(file.toFile())) {
            List<JsonNode> docs = new ArrayList<>();
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(n);
                }
            }
            return docs;
        } catch (IOException e) {
            throw new UncheckedIOException("could not read " + file, e);
        }
    }

    static String group(JsonNode r) {
        String api = r.path("apiVersion").asText();
        return api.contains("/") ? api.substring(0, api.indexOf('/')) : "";
    }

    private static String version(JsonNode r) {
        String api = r.path("apiVersion").asText();
        return api.contains("/") ? api.substring(api.indexOf('/') + 1) : api;
    }

    private static ObjectNode configMap(Path dir, Path file, ObjectNode g) {
        Set<String> allowed = Set.of("name", "files", "options");
        g.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                throw new IllegalArgumentException(file + ": configMapGenerator field '" + f + "' is not supported");
            }
        });
        JsonNode options = g.path("options");
        options.fieldNames().forEachRemaining(f -> {
            if (!f.equals("disableNameSuffixHash")) {
                throw new IllegalArgumentException(file + ": configMapGenerator option '" + f + "' is not supported");
            }
        });
        if (!options.path("disableNameSuffixHash").asBoolean(false)) {
            // the hashed name is kustomize's to compute; these manifests name their generated maps themselves
            throw new IllegalArgumentException(file + ": configMapGenerator needs options.disableNameSuffixHash: true");
        }
        ObjectNode cm = JsonNodeFactory.instance.objectNode();
        cm.put("apiVersion", "v1");
        cm.put("kind", "ConfigMap");
        cm.putObject("metadata").put("name", g.path("name").asText());
        ObjectNode data = cm.putObject("data");
        for (JsonNode f : g.path("files")) {
            String spec = f.asText();
            String key = spec.contains("=") ? spec.substring(0, spec.indexOf('=')) : Path.of(spec).getFileName()
                    .toString();
            Path source = dir.resolve(spec.contains("=") ? spec.substring(spec.indexOf('=') + 1) : spec);
            try {
                data.put(key, Files.readString(source));
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + source, e);
            }
        }
        return cm;
    }

    private static void patch(Path dir, Path file, ObjectNode p, List<ObjectNode> resources) {
        JsonNode ops;
        try {
            String text = p.hasNonNull("path") ? Files.readString(dir.resolve(p.get("path").asText()))
                    : p.path("patch").asText();
            ops = YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(file + ": patch could not be read", e);
        }
        if (!ops.isArray()) {
            throw new IllegalArgumentException(file + ": only JSON 6902 patches (a list of operations) are supported");
        }
        JsonNode target = p.path("target");
        Set<String> allowed = Set.of("group", "version", "kind", "name");
        target.fieldNames().forEachRemaining(f -> {
            if (!allowed.contains(f)) {
                throw new IllegalArgumentException(file + ": patch target field '" + f + "' is not supported");
            }
        });
        if (!target.hasNonNull("kind") || !target.hasNonNull("name")) {
            throw new IllegalArgumentException(file + ": a patch needs a target with a kind and a name");
        }
        int matched = 0;
        for (ObjectNode r : resources) {
            if (r.path("kind").asText().equals(target.get("kind").asText())
                    && r.path("metadata").path("name").asText().equals(target.get("name").asText())
                    && (!target.has("group") || group(r).equals(target.get("group").asText()))
                    && (!target.has("version") || version(r).equals(target.get("version").asText()))) {
                JsonPatch.apply(r, (ArrayNode) ops);
                matched++;
            }
        }
        if (matched == 0) {
            throw new IllegalArgumentException(file + ": patch target " + target + " matches no resource");
        }
    }

    private static void images(ObjectNode image, List<ObjectNode> resources) {
        String name = image.path("name").asText();
        for (ObjectNode r : resources) {
            for (String list : List.of("containers", "initContainers")) {
                for (JsonNode c : r.path("spec").path("template").path("spec").path(list)) {
                    String ref = c.path("image").asText();
                    int colon = ref.lastIndexOf(':');
                    boolean tagged = colon > ref.lastIndexOf('/');
                    String bare = tagged ? ref.substring(0, colon) : ref;
                    if (bare.equals(name)) {
                        String newName = image.path("newName").asText(bare);
                        String tag = image.hasNonNull("newTag") ? image.get("newTag").asText()
                                : tagged ? ref.substring(colon + 1) : null;
                        ((ObjectNode) c).put("image", tag == null ? newName : newName + ":" + tag);
                    }
                }
            }
        }
    }

    private static void replicas(Path file, ObjectNode r, List<ObjectNode> resources) {
        int matched = 0;
        for (ObjectNode res : resources) {
            if (Set.of("Deployment", "StatefulSet", "ReplicaSet").contains(res.path("kind").asText())
                    && res.path("metadata").path("name").asText().equals(r.path("name").asText())) {
                ((ObjectNode) res.with("spec")).put("replicas", r.path("count").asInt());
                matched++;
            }
        }
        if (matched == 0) {
            throw new IllegalArgumentException(file + ": replicas for " + r.path("name").asText()
                    + " match no workload");
        }
    }

    private static void labels(Path file, ObjectNode l, List<ObjectNode> resources) {
        l.fieldNames().forEachRemaining(f -> {
            if (!f.equals("pairs")) {
                throw new IllegalArgumentException(file + ": labels field '" + f + "' is not supported (pairs only:"
                        + " metadata.labels, not selectors or templates)");
            }
        });
        Map<String, String> pairs = new LinkedHashMap<>();
        l.path("pairs").fields().forEachRemaining(e -> pairs.put(e.getKey(), e.getValue().asText()));
        for (ObjectNode r : resources) {
            ObjectNode labels = (ObjectNode) r.with("metadata").with("labels");
            pairs.forEach((k, v) -> labels.set(k, TextNode.valueOf(v)));
        }
    }
}
