package org.recordline.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Validates a value against a CustomResourceDefinition's structural OpenAPI v3 schema the way the API server with
 * strict field validation ({@code kubectl apply}'s default) does, for the keywords the schemas of these operators
 * use: {@code type}, {@code properties}, {@code required}, {@code additionalProperties}, {@code items},
 * {@code enum}, {@code nullable}, {@code minimum}/{@code maximum} (and their exclusive forms), {@code minLength}/
 * {@code maxLength}, {@code pattern}, {@code minItems}/{@code maxItems}, {@code minProperties}/{@code maxProperties},
 * {@code allOf}/{@code anyOf}/{@code oneOf}/{@code not}, {@code x-kubernetes-preserve-unknown-fields} and
 * {@code x-kubernetes-int-or-string}. A field the schema does not declare is an error unless the schema preserves
 * unknown fields. CEL rules ({@code x-kubernetes-validations}) cannot be evaluated here; {@link #celRules} counts
 * the ones met on the way, so that a report can say what was not proven.
 */
final class StructuralSchema {

    private final List<String> errors = new ArrayList<>();
    private int celRules;

    private StructuralSchema() {
    }

    /** The errors of {@code value} under {@code schema}, each with its path; empty when it is valid. */
    static Result validate(JsonNode schema, JsonNode value, String path) {
        StructuralSchema v = new StructuralSchema();
        v.check(schema, value, path, true);
        return new Result(List.copyOf(v.errors), v.celRules);
    }

    /** Errors, and how many CEL rules applied to the value and were not evaluated. */
    record Result(List<String> errors, int celRules) {
    }

    private void check(JsonNode s, JsonNode v, String path, boolean structural) {
        if (s.has("x-kubernetes-validations")) {
            celRules += s.get("x-kubernetes-validations").size();
        }
        if (v.isNull()) {
            if (!s.path("nullable").asBoolean(false)) {
                errors.add(path + ": null is not allowed");
            }
            return;
        }
        if (s.path("x-kubernetes-int-or-string").asBoolean(false)) {
            if (!v.isIntegralNumber() && !v.isTextual()) {
                errors.add(path + ": expected an integer or a string, got " + kind(v));
            }
        } else if (s.has("type") && !typeMatches(s.get("type").asText(), v)) {
            errors.add(path + ": expected " + s.get("type").asText() + ", got " + kind(v));
            return;
        }
        if (s.has("enum")) {
            boolean found = false;
            for (JsonNode e : s.get("enum")) {
                found |= e.equals(v) || (e.isNumber() && v.isNumber() && e.decimalValue().compareTo(v.decimalValue()) == 0);
            }
            if (!found) {
                errors.add(path + ": " + v + " is not one of " + s.get("enum"));
            }
        }
        if (v.isNumber()) {
            if (s.has("minimum") && (s.path("exclusiveMinimum").asBoolean(false)
                    ? v.decimalValue().compareTo(s.get("minimum").decimalValue()) <= 0
                    : v.decimalValue().compareTo(s.get("minimum").decimalValue()) < 0)) {
                errors.add(path + ": " + v + " is below the minimum " + s.get("minimum"));
            }
            if (s.has("maximum") && (s.path("exclusiveMaximum").asBoolean(false)
                    ? v.decimalValue().compareTo(s.get("maximum").decimalValue()) >= 0
                    : v.decimalValue().compareTo(s.get("maximum").decimalValue()) > 0)) {
                errors.add(path + ": " + v + " is above the maximum " + s.get("maximum"));
            }
        }
        if (v.isTextual()) {
            int length = v.asText().codePointCount(0, v.asText().length());
            if (s.has("minLength") && length < s.get("minLength").asInt()) {
                errors.add(path + ": shorter than " + s.get("minLength"));
            }
            if (s.has("maxLength") && length > s.get("maxLength").asInt()) {
                errors.add(path + ": longer than " + s.get("maxLength"));
            }
            if (s.has("pattern") && !Pattern.compile(s.get("pattern").asText()).matcher(v.asText()).find()) {
                errors.add(path + ": '" + v.asText() + "' does not match " + s.get("pattern").asText());
            }
        }
        if (v.isArray()) {
            if (s.has("minItems") && v.size() < s.get("minItems").asInt()) {
                errors.add(path + ": fewer than " + s.get("minItems") + " items");
            }
            if (s.has("maxItems") && v.size() > s.get("maxItems").asInt()) {
                errors.add(path + ": more than " + s.get("maxItems") + " items");
            }
            if (s.has("items")) {
                for (int i = 0; i < v.size(); i++) {
                    check(s.get("items"), v.get(i), path + "[" + i + "]", structural);
                }
            }
        }
        if (v.isObject()) {
            object(s, v, path, structural);
        }
        logic(s, v, path);
    }

    private void object(JsonNode s, JsonNode v, String path, boolean structural) {
        if (s.has("minProperties") && v.size() < s.get("minProperties").asInt()) {
            errors.add(path + ": fewer than " + s.get("minProperties") + " fields");
        }
        if (s.has("maxProperties") && v.size() > s.get("maxProperties").asInt()) {
            errors.add(path + ": more than " + s.get("maxProperties") + " fields");
        }
        for (JsonNode r : s.path("required")) {
            if (!v.has(r.asText())) {
                errors.add(path + ": required field '" + r.asText() + "' is missing");
            }
        }
        JsonNode properties = s.path("properties");
        JsonNode additional = s.get("additionalProperties");
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        for (Iterator<Map.Entry<String, JsonNode>> it = v.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> f = it.next();
            String p = path + "." + f.getKey();
            if (properties.has(f.getKey())) {
                check(properties.get(f.getKey()), f.getValue(), p, structural);
            } else if (additional != null && additional.isObject()) {
                check(additional, f.getValue(), p, structural);
            } else if (structural && !preserve && !(additional != null && additional.asBoolean(false))) {
                errors.add(p + ": unknown field");
            }
        }
    }

    /** The value validations; their branches declare no types or fields of their own (a structural schema's rule). */
    private void logic(JsonNode s, JsonNode v, String path) {
        for (JsonNode sub : s.path("allOf")) {
            check(sub, v, path, false);
        }
        if (s.has("anyOf") && count(s.get("anyOf"), v, path) == 0) {
            errors.add(path + ": matches none of anyOf " + s.get("anyOf"));
        }
        if (s.has("oneOf")) {
            int n = count(s.get("oneOf"), v, path);
            if (n != 1) {
                errors.add(path + ": matches " + n + " of oneOf " + s.get("oneOf") + ", not exactly one");
            }
        }
        if (s.has("not") && validate(s.get("not"), v, path, false)) {
            errors.add(path + ": matches what 'not' refuses: " + s.get("not"));
        }
    }

    private int count(JsonNode branches, JsonNode v, String path) {
        int n = 0;
        for (JsonNode b : branches) {
            n += validate(b, v, path, false) ? 1 : 0;
        }
        return n;
    }

    private boolean validate(JsonNode s, JsonNode v, String path, boolean structural) {
        StructuralSchema inner = new StructuralSchema();
        inner.check(s, v, path, structural);
        return inner.errors.isEmpty();
    }

    private static boolean typeMatches(String type, JsonNode v) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> throw new IllegalArgumentException("unknown schema type " + type);
        };
    }

    private static String kind(JsonNode v) {
        return v.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
    }
}
