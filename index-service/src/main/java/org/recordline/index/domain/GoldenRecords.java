package org.recordline.index.domain;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.recordline.commons.persistence.DataAccessException;
import org.recordline.events.EventCodec;

/**
 * The golden record of each enterprise person: one FHIR Patient built from the Patients of every source record filed
 * under the person by survivorship rules, with where each value came from. For each of name, gender, birth date,
 * address and phone the value of the most trusted source wins ({@code recordline.index.golden.source-trust}), then
 * the most recently updated, then the most complete (the value with the most filled parts); identifiers are the union
 * of all. Recomputed in the filing transaction for every person a change touches.
 */
@ApplicationScoped
public class GoldenRecords {

    private static final String SOURCES = "SELECT enterprise_person_id, source_record_key, source_system,"
            + " updated_at, patient::text FROM source_record WHERE enterprise_person_id = ANY (?)";
    private static final String UPSERT = "INSERT INTO golden_record (enterprise_person_id, patient, provenance,"
            + " updated_at) VALUES (?, ?::jsonb, ?::jsonb, ?) ON CONFLICT (enterprise_person_id) DO UPDATE SET"
            + " patient = EXCLUDED.patient, provenance = EXCLUDED.provenance, updated_at = EXCLUDED.updated_at";
    private static final String[] FIELDS = {"name", "gender", "birthDate", "address", "telecom"};

    private final AgroalDataSource dataSource;
    private final Map<String, Integer> trust;

    public GoldenRecords(AgroalDataSource dataSource,
                         @ConfigProperty(name = "recordline.index.golden.source-trust", defaultValue = "none")
                         List<String> trust) {
        this.dataSource = dataSource;
        this.trust = parseTrust(trust);
    }

    /** {@code source-system=weight} entries; a system not listed weighs 0. */
    static Map<String, Integer> parseTrust(List<String> entries) {
        Map<String, Integer> out = new HashMap<>();
        for (String e : entries) {
            if (e.isBlank() || "none".equals(e.strip())) {
                continue;
            }
            int eq = e.lastIndexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("recordline.index.golden.source-trust: '" + e
                        + "' is not source-system=weight");
            }
            out.put(e.substring(0, eq).strip(), Integer.parseInt(e.substring(eq + 1).strip()));
        }
        return Map.copyOf(out);
    }

    /** One source record's Patient as survivorship weighs it. */
    record Source(String key, String system, Instant updatedAt, JsonNode patient) {
    }

    /** The golden Patient of a person and where each of its values came from. */
    record Golden(ObjectNode patient, ObjectNode provenance) {
    }

    /** Recomputes the golden records of {@code personIds} (in the caller's transaction), in two statements. */
    public void recompute(Set<String> personIds) {
        recompute(personIds, Map.of());
    }

    /**
     * Recomputes the golden records of {@code personIds} and of the persons in {@code created}, each created in the
     * caller's transaction with the sources given (so not read back).
     */
    void recompute(Set<String> personIds, Map<String, List<Source>> created) {
        if (personIds.isEmpty() && created.isEmpty()) {
            return;
        }
        Map<String, List<Source>> byPerson = new LinkedHashMap<>(created);
        try (Connection c = dataSource.getConnection()) {
            if (!personIds.isEmpty()) {
                try (PreparedStatement ps = c.prepareStatement(SOURCES)) {
                    ps.setArray(1, c.createArrayOf("varchar", personIds.toArray()));
                    try (ResultSet rs = ps.executeQuery()) {
                        while (rs.next()) {
                            byPerson.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Source(
                                    rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(),
                                    EventCodec.mapper().readTree(rs.getString(5))));
                        }
                    }
                }
            }
            Timestamp now = Timestamp.from(Instant.now());
            try (PreparedStatement ps = c.prepareStatement(UPSERT)) {
                for (Map.Entry<String, List<Source>> e : byPerson.entrySet()) {
                    Golden g = build(e.getKey(), e.getValue(), trust);
                    ps.setString(1, e.getKey());
                    ps.setString(2, g.patient().toString());
                    ps.setString(3, g.provenance().toString());
                    ps.setTimestamp(4, now);
                    ps.addBatch();
                }
                ps.executeBatch();
            }
            // a person left without source records (its records were linked elsewhere) keeps no golden record
            if (personIds.isEmpty()) {
                return;
            }
            try (PreparedStatement ps = c.prepareStatement("DELETE FROM golden_record g WHERE"
                    + " g.enterprise_person_id = ANY (?) AND NOT EXISTS (SELECT 1 FROM source_record s"
                    + " WHERE s.enterprise_person_id = g.enterprise_person_id)")) {
                ps.setArray(1, c.createArrayOf("varchar", personIds.toArray()));
                ps.executeUpdate();
            }
        } catch (SQLException | java.io.IOException e) {
            throw new DataAccessException("recomputing golden records failed", e);
        }
    }

    /** The golden Patient of person {@code personId} from its {@code sources}. Pure. */
    static Golden build(String personId, List<Source> sources, Map<String, Integer> trust) {
        ObjectNode golden = EventCodec.mapper().createObjectNode();
        golden.put("resourceType", "Patient");
        golden.put("id", personId);
        ObjectNode provenance = EventCodec.mapper().createObjectNode();
        Set<String> seen = new LinkedHashSet<>();
        ArrayNode identifiers = EventCodec.mapper().createArrayNode();
        List<Source> ordered = new ArrayList<>(sources);
        ordered.sort(Comparator.comparing(Source::key));
        for (Source s : ordered) {
            for (JsonNode i : s.patient().path("identifier")) {
                if (i.path("system").isTextual() && i.path("value").isTextual()
                        && seen.add(i.get("system").asText() + "|" + i.get("value").asText())) {
                    identifiers.add(EventCodec.mapper().createObjectNode().put("system", i.get("system").asText())
                            .put("value", i.get("value").asText()));
                }
            }
        }
        if (!identifiers.isEmpty()) {
            golden.set("identifier", identifiers);
        }
        for (String field : FIELDS) {
            Source best = null;
            JsonNode bestValue = null;
            for (Source s : ordered) {
                JsonNode v = value(s.patient(), field);
                if (v != null && (best == null || better(s, v, best, bestValue, trust))) {
                    best = s;
                    bestValue = v;
                }
            }
            if (best != null) {
                golden.set(field, bestValue);
                provenance.put(field, best.key());
            }
        }
        ArrayNode links = golden.putArray("link");
        for (Source s : ordered) {
            links.addObject().put("type", "seealso").putObject("other").put("display", s.key());
        }
        return new Golden(golden, provenance);
    }

    /** The field's value as survivorship picks it: the first name / address / phone, the gender, the birth date. */
    private static JsonNode value(JsonNode patient, String field) {
        JsonNode v = patient.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if ("telecom".equals(field)) {
            for (JsonNode t : v) {
                if ("phone".equals(t.path("system").asText())) {
                    return EventCodec.mapper().createArrayNode().add(t);
                }
            }
            return null;
        }
        if (v.isArray()) {
            return v.isEmpty() ? null : EventCodec.mapper().createArrayNode().add(v.get(0));
        }
        return v;
    }

    private static boolean better(Source s, JsonNode v, Source best, JsonNode bestValue, Map<String, Integer> trust) {
        int t = trust.getOrDefault(s.system(), 0);
        int bt = trust.getOrDefault(best.system(), 0);
        if (t != bt) {
            return t > bt;
        }
        if (!s.updatedAt().equals(best.updatedAt())) {
            return s.updatedAt().isAfter(best.updatedAt());
        }
        return filled(v) > filled(bestValue);
    }

    /** How many parts of a value are filled (a name with given, family and prefix beats a family name alone). */
    static int filled(JsonNode v) {
        if (v.isValueNode()) {
            return v.asText().isBlank() ? 0 : 1;
        }
        int n = 0;
        for (JsonNode child : v) {
            n += filled(child);
        }
        return n;
    }
}
