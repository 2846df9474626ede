package org.recordline.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every manifest of every overlay, and of the CPU autoscaling alternative, loads strictly: built-in kinds into the
 * fabric8 model, custom resources against the CRD schemas kept under crds/. Also: the checks are not blind (a
 * misspelt field, a wrong type and an unknown kind are refused).
 */
class ManifestsLoadTest {

    static final Manifests MANIFESTS = Manifests.withCrds(Path.of("crds"));

    @ParameterizedTest
    @ValueSource(strings = {"overlays/dev", "overlays/prod", "autoscaling/cpu", "autoscaling/keda"})
    void everyResourceLoadsStrictly(String dir) {
        List<ObjectNode> all = Kustomize.render(Path.of(dir));
        assertFalse(all.isEmpty());
        List<String> errors = new ArrayList<>();
        Map<String, Integer> kinds = new TreeMap<>();
        int cel = 0;
        for (ObjectNode r : all) {
            Manifests.Check c = MANIFESTS.check(r);
            c.errors().forEach(e -> errors.add(c.resource() + ": " + e));
            cel += c.celRulesNotEvaluated();
            kinds.merge(r.path("apiVersion").asText() + " " + r.path("kind").asText(), 1, Integer::sum);
        }
        assertEquals(List.of(), errors);
        // what was checked, for the build log (docs/operations.md says what could not be proven here)
        System.out.printf("%s: %d resources %s; %d CEL rules of the CRDs applied and were not evaluated%n", dir,
                all.size(), kinds, cel);
    }

    @Test
    void theChecksRefuseAMisspeltFieldAWrongTypeAndAnUnknownKind() throws Exception {
        ObjectNode deployment = (ObjectNode) Kustomize.YAML.readTree("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: x}
                spec:
                  replicas: 1
                  selector: {matchLabels: {a: b}}
                  template:
                    metadata: {labels: {a: b}}
                    spec:
                      containers:
                        - name: x
                          image: x
                          imagePullPolicy: Always
                """);
        assertEquals(List.of(), MANIFESTS.check(deployment).errors());
        ObjectNode misspelt = deployment.deepCopy();
        ((ObjectNode) misspelt.at("/spec/template/spec/containers/0")).put("imagePullPolicyy", "Always");
        assertFalse(MANIFESTS.check(misspelt).errors().isEmpty(), "a misspelt field in a typed kind");
        ObjectNode wrongType = deployment.deepCopy();
        ((ObjectNode) wrongType.at("/spec")).put("replicas", "1");
        assertFalse(MANIFESTS.check(wrongType).errors().isEmpty(), "a string for a number");
        ObjectNode unknown = deployment.deepCopy();
        unknown.put("kind", "Deploymentt");
        assertFalse(MANIFESTS.check(unknown).errors().isEmpty(), "a kind nobody serves");

        ObjectNode topic = (ObjectNode) Kustomize.YAML.readTree("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: t, labels: {strimzi.io/cluster: recordline}}
                spec: {partitions: 12, replicas: 3}
                """);
        assertEquals(List.of(), MANIFESTS.check(topic).errors());
        ((ObjectNode) topic.at("/spec")).put("partitionz", 12);
        assertTrue(MANIFESTS.check(topic).errors().get(0).contains("partitionz: unknown field"));
        ObjectNode badMeta = (ObjectNode) Kustomize.YAML.readTree("""
                apiVersion: kafka.strimzi.io/v1
                kind: KafkaTopic
                metadata: {name: t, label: {strimzi.io/cluster: recordline}}
                spec: {partitions: 12, replicas: 3}
                """);
        assertFalse(MANIFESTS.check(badMeta).errors().isEmpty(), "metadata of a custom resource is checked too");
    }
}
