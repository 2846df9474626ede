package org.recordline.kubernetes;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;

/**
 * JSON Patch (RFC 6902) operations {@code add}, {@code remove}, {@code replace} and {@code test} on a document in
 * place, with JSON Pointers (RFC 6901: {@code ~1} for {@code /}, {@code ~0} for {@code ~}, {@code -} for the end of
 * an array). {@code move} and {@code copy} are refused: these manifests do not use them.
 */
final class JsonPatch {

    private JsonPatch() {
    }

    static void apply(ObjectNode doc, ArrayNode ops) {
        for (JsonNode op : ops) {
            String kind = op.path("op").asText();
            List<String> path = pointer(op.path("path").asText());
            if (path.isEmpty()) {
                throw new IllegalArgumentException("a patch of the whole document is not supported: " + op);
            }
            JsonNode parent = at(doc, path.subList(0, path.size() - 1), op);
            String last = path.get(path.size() - 1);
            switch (kind) {
                case "add" -> {
                    require(op, "value");
                    if (parent instanceof ObjectNode o) {
                        o.set(last, op.get("value").deepCopy());
                    } else if (parent instanceof ArrayNode a) {
                        int i = last.equals("-") ? a.size() : index(a, last, true, op);
                        a.insert(i, op.get("value").deepCopy());
                    } else {
                        throw new IllegalArgumentException("no container at " + op.path("path").asText());
                    }
                }
                case "remove" -> {
                    if (parent instanceof ObjectNode o && o.has(last)) {
                        o.remove(last);
                    } else if (parent instanceof ArrayNode a) {
                        a.remove(index(a, last, false, op));
                    } else {
                        throw new IllegalArgumentException("nothing to remove at " + op.path("path").asText());
                    }
                }
                case "replace" -> {
                    require(op, "value");
                    if (parent instanceof ObjectNode o && o.has(last)) {
                        o.set(last, op.get("value").deepCopy());
                    } else if (parent instanceof ArrayNode a) {
                        a.set(index(a, last, false, op), op.get("value").deepCopy());
                    } else {
                        throw new IllegalArgumentException("nothing to replace at " + op.path("path").asText());
                    }
                }
                case "test" -> {
                    require(op, "value");
                    JsonNode actual = parent instanceof ArrayNode a ? a.get(index(a, last, false, op))
                            : parent.get(last);
                    if (!op.get("value").equals(actual)) {
                        throw new IllegalArgumentException("test failed at " + op.path("path").asText() + ": "
                                + actual);
                    }
                }
                default -> throw new IllegalArgumentException("patch operation '" + kind + "' is not supported");
            }
        }
    }

    private static void require(JsonNode op, String field) {
        if (!op.has(field)) {
            throw new IllegalArgumentException("patch operation without '" + field + "': " + op);
        }
    }

    private static JsonNode at(JsonNode doc, List<String> path, JsonNode op) {
        JsonNode n = doc;
        for (String step : path) {
            n = n instanceof ArrayNode a ? a.get(index(a, step, false, op)) : n.get(step);
            if (n == null) {
                throw new IllegalArgumentException("path " + op.path("path").asText() + " does not exist");
            }
        }
        return n;
    }

    private static int index(ArrayNode a, String step, boolean end, JsonNode op) {
        try {
            int i = Integer.parseInt(step);
            if (i < 0 || i > a.size() || (!end && i == a.size())) {
                throw new IllegalArgumentException("index " + i + " out of range at " + op.path("path").asText());
            }
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + step + "' is not an index at " + op.path("path").asText());
        }
    }

    /** The reference tokens of a JSON Pointer. */
    static List<String> pointer(String p) {
        if (!p.startsWith("/")) {
            throw new IllegalArgumentException("a JSON pointer begins with '/': " + p);
        }
        List<String> out = new ArrayList<>();
        for (String t : p.substring(1).split("/", -1)) {
            out.add(t.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }
}
