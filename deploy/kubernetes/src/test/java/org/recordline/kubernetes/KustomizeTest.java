package org.recordline.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The renderer does what kustomize does for the fields it implements, and refuses every other field. */
class KustomizeTest {

    @TempDir
    Path dir;

    private void write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.createDirectories(p.getParent());
        Files.writeString(p, text);
    }

    private static final String DEPLOYMENT = """
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
            spec:
              replicas: 2
              template:
                spec:
                  containers:
                    - name: web
                      image: registry.example/web:1.0
                    - name: side
                      image: registry.example/side
            ---
            apiVersion: v1
            kind: Namespace
            metadata:
              name: shop
            """;

    @Test
    void anOverlayPatchesImagesReplicasLabelsAndNamespaceOverItsBase() throws IOException {
        write("base/app.yaml", DEPLOYMENT);
        write("base/realm.json", "{\"realm\": \"r\"}\n");
        write("base/kustomization.yaml", """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                resources:
                  - app.yaml
                configMapGenerator:
                  - name: realm
                    files:
                      - realm.json
                    options:
                      disableNameSuffixHash: true
                """);
        write("dev/kustomization.yaml", """
                apiVersion: kustomize.config.k8s.io/v1beta1
                kind: Kustomization
                namespace: dev
                resources:
                  - ../base
                patches:
                  - target:
                      kind: Deployment
                      name: web
                    patch: |-
                      - op: add
                        path: /metadata/annotations
                        value: {a/b: c}
                      - op: replace
                        path: /spec/template/spec/containers/0/name
                        value: www
                      - op: remove
                        path: /spec/template/spec/containers/1
                images:
                  - name: registry.example/web
                    newTag: "2.0"
                replicas:
                  - name: web
                    count: 1
                labels:
                  - pairs:
                      env: dev
                """);
        List<ObjectNode> out = Kustomize.render(dir.resolve("dev"));
        assertEquals(3, out.size());
        ObjectNode d = out.get(0);
        assertEquals(1, d.at("/spec/replicas").asInt());
        assertEquals("www", d.at("/spec/template/spec/containers/0/name").asText());
        assertEquals("registry.example/web:2.0", d.at("/spec/template/spec/containers/0/image").asText());
        assertEquals(1, d.at("/spec/template/spec/containers").size());
        assertEquals("c", d.at("/metadata/annotations/a~1b").asText());
        assertEquals("dev", d.at("/metadata/namespace").asText());
        assertEquals("dev", d.at("/metadata/labels/env").asText());
        assertTrue(out.get(1).at("/metadata/namespace").isMissingNode(), "a Namespace has no namespace");
        assertEquals("{\"realm\": \"r\"}\n", out.get(2).at("/data/realm.json").asText());
        assertEquals("dev", out.get(2).at("/metadata/namespace").asText());
    }

    @Test
    void whatItDoesNotImplementIsRefusedNotIgnored() throws IOException {
        write("app.yaml", DEPLOYMENT);
        for (String extra : List.of("commonLabels:\n  a: b\n", "nameSuffix: -x\n",
                "patches:\n  - target: {kind: Deployment, name: web}\n    patch: |-\n      spec: {replicas: 3}\n",
                "patches:\n  - target: {kind: Deployment, name: nothing}\n    patch: |-\n      - {op: remove, path: /spec}\n",
                "patches:\n  - target: {kind: Deployment, name: web}\n    patch: |-\n      - {op: move, from: /a, path: /b}\n",
                "patches:\n  - target: {kind: Deployment, name: web}\n    patch: |-\n      - {op: replace, path: /spec/none, value: 1}\n",
                "labels:\n  - pairs: {a: b}\n    includeSelectors: true\n",
                "configMapGenerator:\n  - name: x\n    files: [app.yaml]\n",
                "replicas:\n  - name: nothing\n    count: 1\n")) {
            write("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                    + "resources:\n  - app.yaml\n" + extra);
            assertThrows(IllegalArgumentException.class, () -> Kustomize.render(dir), extra);
        }
    }

    @Test
    void aResourceTwiceIsAnError() throws IOException {
        write("app.yaml", DEPLOYMENT);
        write("again.yaml", DEPLOYMENT);
        write("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
                + "resources:\n  - app.yaml\n  - again.yaml\n");
        assertThrows(IllegalArgumentException.class, () -> Kustomize.render(dir));
    }
}
