package org.recordline.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each keyword the validator implements accepts what it should and refuses what it should, with the path. */
class StructuralSchemaTest {

    private static final JsonNode SCHEMA = yaml("""
            type: object
            required: [spec]
            properties:
              spec:
                type: object
                required: [replicas]
                x-kubernetes-validations:
                  - rule: self.replicas >= 1
                properties:
                  replicas: {type: integer, minimum: 1, maximum: 5}
                  mode: {type: string, enum: [tls, scram-sha-512]}
                  name: {type: string, pattern: '^[a-z]+$', maxLength: 8}
                  port: {x-kubernetes-int-or-string: true}
                  config: {type: object, x-kubernetes-preserve-unknown-fields: true}
                  labels: {type: object, additionalProperties: {type: string}}
                  acls:
                    type: array
                    minItems: 1
                    items:
                      type: object
                      properties:
                        topic: {type: string}
                        group: {type: string}
                      oneOf:
                        - required: [topic]
                        - required: [group]
                  note: {type: string, nullable: true}
            """);

    private static JsonNode yaml(String text) {
        try {
            return Kustomize.YAML.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> errors(String value) {
        return StructuralSchema.validate(SCHEMA, yaml(value), "x").errors();
    }

    @Test
    void aValidValuePassesAndItsCelRulesAreCounted() {
        StructuralSchema.Result r = StructuralSchema.validate(SCHEMA, yaml("""
                spec:
                  replicas: 3
                  mode: tls
                  name: abc
                  port: http
                  config: {anything: [1, 2], goes: true}
                  labels: {a: b}
                  acls: [{topic: t}, {group: g}]
                  note: null
                """), "x");
        assertEquals(List.of(), r.errors());
        assertEquals(1, r.celRules(), "one CEL rule applied and could not be evaluated");
    }

    @Test
    void eachKeywordRefusesWithThePath() {
        assertEquals(List.of("x: required field 'spec' is missing"), errors("{}"));
        assertEquals(List.of("x.spec.replicas: expected integer, got string"), errors("spec: {replicas: '3'}"));
        assertEquals(List.of("x.spec.replicas: 6 is above the maximum 5"), errors("spec: {replicas: 6}"));
        assertEquals(List.of("x.spec.replicas: 0 is below the minimum 1"), errors("spec: {replicas: 0}"));
        assertEquals(List.of("x.spec.replicaz: unknown field", "x.spec: required field 'replicas' is missing")
                .stream().sorted().toList(), errors("spec: {replicaz: 3}").stream().sorted().toList());
        assertEquals(List.of("x.spec.mode: \"plain\" is not one of [\"tls\",\"scram-sha-512\"]"),
                errors("spec: {replicas: 1, mode: plain}"));
        assertTrue(errors("spec: {replicas: 1, name: Abc}").get(0).contains("does not match"));
        assertTrue(errors("spec: {replicas: 1, name: abcdefghi}").get(0).contains("longer than 8"));
        assertEquals(List.of("x.spec.port: expected an integer or a string, got boolean"),
                errors("spec: {replicas: 1, port: true}"));
        assertEquals(List.of("x.spec.labels.a: expected string, got number"),
                errors("spec: {replicas: 1, labels: {a: 1}}"));
        assertEquals(List.of("x.spec.acls: fewer than 1 items"), errors("spec: {replicas: 1, acls: []}"));
        assertTrue(errors("spec: {replicas: 1, acls: [{topic: t, group: g}]}").get(0).contains("matches 2 of oneOf"));
        assertTrue(errors("spec: {replicas: 1, acls: [{}]}").get(0).contains("matches 0 of oneOf"));
        assertEquals(List.of("x.spec.acls[0].user: unknown field"), errors("spec: {replicas: 1, acls: [{topic: t, user: u}]}"));
        assertEquals(List.of("x.spec.mode: null is not allowed"), errors("spec: {replicas: 1, mode: null}"));
    }
}
