package org.recordline.console.fhir;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where in a record's JSON a finding points: the editor shows the record pretty-printed and marks the line of each
 * finding's location. A finding names its location as a FHIRPath-like expression ({@code Patient.identifier},
 * {@code Bundle.entry[2].resource.name[0].family}, HAPI's {@code Bundle.entry[0].resource/*Patient/1*}{@code /.gender});
 * an element that is missing (the usual reason for a "required" finding) is marked at its nearest present parent.
 */
public final class FhirLocations {

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final String pretty;
    private final Map<String, Integer> lineByPointer;

    private FhirLocations(String pretty, Map<String, Integer> lineByPointer) {
        this.pretty = pretty;
        this.lineByPointer = lineByPointer;
    }

    /**
     * The record pretty-printed (two-space indentation, one member per line) with its lines indexed.
     *
     * @throws IllegalArgumentException if {@code json} is not JSON
     */
    public static FhirLocations of(String json) {
        String pretty;
        try {
            JsonNode tree = JSON.readTree(json);
            if (tree == null || tree.isMissingNode()) {
                throw new IllegalArgumentException("empty");
            }
            pretty = JSON.writeValueAsString(tree);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
        return new FhirLocations(pretty, index(pretty));
    }

    /** The pretty-printed record the line numbers refer to. */
    public String text() {
        return pretty;
    }

    /** Lines in {@link #text()}. */
    public int lineCount() {
        return (int) pretty.chars().filter(c -> c == '\n').count() + 1;
    }

    /**
     * The 1-based line of {@code expression}'s element, or of its nearest present parent when the element is missing;
     * 1 (the resource itself) when nothing of the path is present or there is no expression.
     */
    public int line(String expression) {
        List<String> segments = segments(expression);
        for (int n = segments.size(); n > 0; n--) {
            Integer line = lineByPointer.get(pointer(segments.subList(0, n)));
            if (line != null) {
                return line;
            }
        }
        return 1;
    }

    /** The path segments of a FHIRPath-like expression: the leading type dropped, indexes split off, functions cut. */
    static List<String> segments(String expression) {
        List<String> out = new ArrayList<>();
        if (expression == null || expression.isBlank()) {
            return out;
        }
        String e = expression.replaceAll("/\\*.*?\\*/", "").strip();
        String[] parts = e.split("\\.");
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i].strip();
            if (p.isEmpty() || p.contains("(")) {
                break; // where(...), ofType(...), exists(): the path before it is the location
            }
            if (i == 0 && Character.isUpperCase(p.charAt(0)) && parts.length > 1) {
                continue; // the resource type the expression starts from
            }
            int bracket = p.indexOf('[');
            if (bracket > 0 && p.endsWith("]")) {
                out.add(p.substring(0, bracket));
                out.add(p.substring(bracket + 1, p.length() - 1).strip());
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static String pointer(List<String> segments) {
        StringBuilder b = new StringBuilder();
        for (String s : segments) {
            b.append('/').append(s.replace("~", "~0").replace("/", "~1"));
        }
        return b.toString();
    }

    /** The line where every member and array element of the pretty text starts, by JSON Pointer. */
    static Map<String, Integer> index(String pretty) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser p = JSON.getFactory().createParser(pretty)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    continue;
                }
                int line = p.currentTokenLocation().getLineNr();
                var ctx = p.getParsingContext();
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    // the new container's context has no member yet: its parent names where it sits
                    ctx = ctx.getParent();
                    if (ctx == null || ctx.inArray()) {
                        lines.putIfAbsent(ctx == null ? "" : ctx.pathAsPointer().toString(), line);
                    }
                    continue;
                }
                if (t == JsonToken.FIELD_NAME || ctx.inArray()) {
                    lines.putIfAbsent(ctx.pathAsPointer().toString(), line);
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON", e);
        }
        return lines;
    }
}
