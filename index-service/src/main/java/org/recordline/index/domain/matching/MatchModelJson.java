package org.recordline.index.domain.matching;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * A match model as a JSON document, the form it takes in configuration, in the database and in the answer of the
 * re-estimation command:
 * <pre>{"version": "...", "prior": 0.01,
 *  "fields": {"given": {"m": [...], "u": [...]}, ...},
 *  "frequencies": {"given": {"mary": 0.012, ...}, "family": {"smith": 0.009, ...}}}</pre>
 * Every field lists one m and one u per comparison level ({@link Field#levels()}), from agreement to disagreement.
 * {@code frequencies} (optional) are the shares of records holding the commonest names, for term-frequency
 * adjustment; a name not listed is weighed with the field's own u.
 *
 * @param version     names the model in every decision it makes
 * @param model       the probabilities
 * @param frequencies per field (GIVEN, FAMILY), name to share of records
 */
public record MatchModelJson(String version, MatchModel model, Map<Field, Map<String, Double>> frequencies) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The model shipped with the index-service ({@code match-model.json}). */
    public static MatchModelJson builtIn() {
        try (InputStream in = MatchModelJson.class.getResourceAsStream("/match-model.json")) {
            if (in == null) {
                throw new IllegalStateException("match-model.json is missing from the index-service");
            }
            return parse(JSON.readTree(in));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads a model; refuses one that lacks a field or a level, or holds a probability outside (0, 1]. */
    public static MatchModelJson parse(JsonNode doc) {
        double[][] m = new double[Field.values().length][];
        double[][] u = new double[Field.values().length][];
        for (Field f : Field.values()) {
            JsonNode node = doc.path("fields").path(name(f));
            m[f.ordinal()] = probabilities(node.path("m"), f, "m");
            u[f.ordinal()] = probabilities(node.path("u"), f, "u");
        }
        Map<Field, Map<String, Double>> frequencies = new HashMap<>();
        for (Field f : new Field[] {Field.GIVEN, Field.FAMILY}) {
            Map<String, Double> shares = new HashMap<>();
            doc.path("frequencies").path(name(f)).properties().forEach(e -> shares.put(e.getKey(),
                    e.getValue().asDouble()));
            frequencies.put(f, Map.copyOf(shares));
        }
        String version = doc.path("version").asText("");
        if (version.isBlank()) {
            throw new IllegalArgumentException("a match model needs a version");
        }
        return new MatchModelJson(version, new MatchModel(m, u, doc.path("prior").asDouble(-1)),
                Map.copyOf(frequencies));
    }

    private static double[] probabilities(JsonNode array, Field f, String which) {
        if (!array.isArray() || array.size() != f.size()) {
            throw new IllegalArgumentException("field " + name(f) + " needs " + f.size() + " " + which
                    + " probabilities (" + String.join(", ", f.levels()) + ")");
        }
        double[] p = new double[f.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = array.get(i).asDouble(-1);
            if (!(p[i] > 0 && p[i] <= 1)) {
                throw new IllegalArgumentException("field " + name(f) + ": " + which + " probabilities must lie in "
                        + "(0, 1]");
            }
        }
        return p;
    }

    /** The model as JSON. */
    public ObjectNode toJson() {
        ObjectNode doc = JSON.createObjectNode();
        doc.put("version", version);
        doc.put("prior", model.prior());
        ObjectNode fields = doc.putObject("fields");
        for (Field f : Field.values()) {
            ObjectNode node = fields.putObject(name(f));
            var m = node.putArray("m");
            var u = node.putArray("u");
            for (int level = 0; level < f.size(); level++) {
                m.add(model.m()[f.ordinal()][level]);
                u.add(model.u()[f.ordinal()][level]);
            }
        }
        ObjectNode freq = doc.putObject("frequencies");
        frequencies.forEach((f, shares) -> {
            ObjectNode node = freq.putObject(name(f));
            shares.forEach(node::put);
        });
        return doc;
    }

    /** The share of records holding {@code value} in {@code field}, or 0 when the model does not list it. */
    public double frequency(Field field, String value) {
        Map<String, Double> shares = frequencies.get(field);
        return shares == null || value == null ? 0 : shares.getOrDefault(value, 0.0);
    }

    static String name(Field f) {
        return f.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
