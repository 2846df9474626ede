package org.recordline.kubernetes;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Loads rendered manifests strictly: built-in kinds into the fabric8 Kubernetes model, with every field the model
 * does not know an error (the model's catch-all for unknown fields is switched off, and no string is taken for a
 * number); custom resources against their operator's published CRD schema ({@link StructuralSchema}), with their
 * {@code metadata} into the model's {@code ObjectMeta}. A kind that is neither is an error.
 */
final class Manifests {

    /** The built-in kinds the manifests may hold, by {@code apiVersion/kind}. */
    static final Map<String, Class<? extends HasMetadata>> TYPED = Map.ofEntries(
            Map.entry("v1/ConfigMap", ConfigMap.class),
            Map.entry("v1/Secret", Secret.class),
            Map.entry("v1/Service", Service.class),
            Map.entry("v1/ServiceAccount", ServiceAccount.class),
            Map.entry("v1/Namespace", Namespace.class),
            Map.entry("apps/v1/Deployment", Deployment.class),
            Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
            Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
            Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class));

    /** Jackson as the fabric8 model uses it, but refusing unknown fields and strings for numbers. */
    static final ObjectMapper STRICT = JsonMapper.builder()
            .annotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated a) {
                    // the model's additionalProperties would swallow any misspelt field
                    return Boolean.FALSE;
                }
            })
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .build();

    private final List<JsonNode> crds;

    private Manifests(List<JsonNode> crds) {
        this.crds = crds;
    }

    /** With the CRDs kept under {@code dir} (each project's files in a folder of its own). */
    static Manifests withCrds(Path dir) {
        List<JsonNode> crds = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                for (JsonNode doc : Kustomize.readAll(f)) {
                    if ("CustomResourceDefinition".equals(doc.path("kind").asText())) {
                        crds.add(doc);
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return new Manifests(crds);
    }

    /** What one resource's check found. */
    record Check(String resource, List<String> errors, int celRulesNotEvaluated) {
    }

    /** Checks {@code r}: loads it strictly into its type, or validates it against its CRD. */
    Check check(ObjectNode r) {
        String id = r.path("kind").asText() + "/" + r.path("metadata").path("name").asText();
        String key = r.path("apiVersion").asText() + "/" + r.path("kind").asText();
        List<String> errors = new ArrayList<>();
        Class<? extends HasMetadata> type = TYPED.get(key);
        if (type != null) {
            try {
                STRICT.treeToValue(r, type);
            } catch (IOException | IllegalArgumentException e) {
                errors.add(e.getMessage().lines().findFirst().orElse(e.toString()));
            }
            return new Check(id, errors, 0);
        }
        JsonNode schema = schemaOf(r);
        if (schema == null) {
            errors.add("no typed model and no CRD serving " + key);
            return new Check(id, errors, 0);
        }
        try {
            STRICT.treeToValue(r.path("metadata"), ObjectMeta.class);
        } catch (IOException | IllegalArgumentException e) {
            errors.add("metadata: " + e.getMessage().lines().findFirst().orElse(e.toString()));
        }
        ObjectNode body = r.deepCopy();
        body.remove(List.of("apiVersion", "kind", "metadata"));
        JsonNode rootSchema = schema.deepCopy();
        ((ObjectNode) rootSchema.path("properties")).remove(List.of("apiVersion", "kind", "metadata"));
        if (rootSchema.has("required")) {
            com.fasterxml.jackson.databind.node.ArrayNode required = ((ObjectNode) rootSchema).putArray("required");
            schema.path("required").forEach(field -> {
                if (!List.of("apiVersion", "kind", "metadata").contains(field.asText())) {
                    required.add(field);
                }
            });
        }
        StructuralSchema.Result result = StructuralSchema.validate(rootSchema, body, id);
        errors.addAll(result.errors());
        return new Check(id, errors, result.celRules());
    }

    /** The openAPIV3Schema of the CRD version serving {@code r}'s apiVersion and kind, or null. */
    JsonNode schemaOf(JsonNode r) {
        String api = r.path("apiVersion").asText();
        if (!api.contains("/")) {
            return null;
        }
        String group = api.substring(0, api.indexOf('/'));
        String version = api.substring(api.indexOf('/') + 1);
        for (JsonNode crd : crds) {
            JsonNode spec = crd.path("spec");
            if (spec.path("group").asText().equals(group)
                    && spec.path("names").path("kind").asText().equals(r.path("kind").asText())) {
                for (JsonNode v : spec.path("versions")) {
                    if (v.path("name").asText().equals(version) && v.path("served").asBoolean(false)) {
                        return v.path("schema").path("openAPIV3Schema");
                    }
                }
            }
        }
        return null;
    }
}
