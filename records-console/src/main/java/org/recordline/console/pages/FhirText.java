package org.recordline.console.pages;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** FHIR resources (as parsed JSON) in the few words a chart line needs. */
final class FhirText {

    /** The dates a clinical resource is filed by, in order of preference. */
    private static final List<String> DATES = List.of("effectiveDateTime", "performedDateTime", "onsetDateTime",
            "authoredOn", "recordedDate", "occurrenceDateTime", "issued", "date", "created");

    private FhirText() {
    }

    /** "Given Family" of the first name of a {@code name} array; empty when none. */
    static String name(Object names) {
        if (names instanceof List<?> l && !l.isEmpty() && l.get(0) instanceof Map<?, ?> n) {
            if (n.get("text") instanceof String t && !t.isBlank()) {
                return t;
            }
            StringBuilder b = new StringBuilder();
            if (n.get("given") instanceof List<?> given) {
                given.forEach(g -> b.append(g).append(' '));
            }
            if (n.get("family") != null) {
                b.append(n.get("family"));
            }
            return b.toString().strip();
        }
        return "";
    }

    /** type, id, date, what, version and source record of a filed resource. */
    static Map<String, Object> summary(Map<?, ?> r) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("type", r.get("resourceType"));
        row.put("id", r.get("id"));
        row.put("date", date(r));
        row.put("what", what(r));
        Map<?, ?> meta = r.get("meta") instanceof Map<?, ?> m ? m : Map.of();
        row.put("version", meta.get("versionId"));
        row.put("source", meta.get("source"));
        return row;
    }

    static String date(Map<?, ?> r) {
        for (String d : DATES) {
            if (r.get(d) instanceof String s) {
                return s;
            }
        }
        if (r.get("effectivePeriod") instanceof Map<?, ?> p && p.get("start") instanceof String s) {
            return s;
        }
        if (r.get("period") instanceof Map<?, ?> p && p.get("start") instanceof String s) {
            return s;
        }
        return "";
    }

    static String what(Map<?, ?> r) {
        for (String key : List.of("code", "vaccineCode", "medicationCodeableConcept", "type")) {
            Object c = r.get(key);
            if (c instanceof List<?> l && !l.isEmpty()) {
                c = l.get(0);
            }
            if (c instanceof Map<?, ?> concept) {
                if (concept.get("text") instanceof String t) {
                    return t;
                }
                if (concept.get("coding") instanceof List<?> codings && !codings.isEmpty()
                        && codings.get(0) instanceof Map<?, ?> coding) {
                    Object d = coding.get("display");
                    return d != null ? d.toString() : String.valueOf(coding.get("code"));
                }
            }
        }
        if ("Patient".equals(r.get("resourceType"))) {
            return name(r.get("name"));
        }
        return "";
    }

    /** The golden record's values, each with the source record it came from ({@code provenance}: field to key). */
    static List<Map<String, Object>> goldenRows(Object golden, Object provenance) {
        List<Map<String, Object>> rows = new ArrayList<>();
        if (!(golden instanceof Map<?, ?> g)) {
            return rows;
        }
        Map<?, ?> from = provenance instanceof Map<?, ?> p ? p : Map.of();
        for (Map.Entry<?, ?> e : g.entrySet()) {
            String field = String.valueOf(e.getKey());
            if (field.equals("resourceType") || field.equals("id") || field.equals("meta") || field.equals("link")) {
                continue;
            }
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("field", field);
            row.put("value", value(field, e.getValue()));
            row.put("source", from.get(field) == null ? "—" : from.get(field));
            rows.add(row);
        }
        return rows;
    }

    /** A golden record's value as people read it: names, addresses, identifiers and telecoms in words. */
    static String value(String field, Object v) {
        if (!(v instanceof List<?> list)) {
            return shown(v);
        }
        List<String> parts = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof Map<?, ?> m)) {
                parts.add(shown(o));
                continue;
            }
            switch (field) {
                case "name" -> parts.add(name(List.of(m)));
                case "address" -> {
                    List<String> a = new ArrayList<>();
                    if (m.get("line") instanceof List<?> lines) {
                        lines.forEach(l -> a.add(String.valueOf(l)));
                    }
                    String place = String.join(" ", java.util.stream.Stream.of(m.get("postalCode"), m.get("city"),
                            m.get("state")).filter(java.util.Objects::nonNull).map(String::valueOf).toList());
                    if (!place.isEmpty()) {
                        a.add(place);
                    }
                    parts.add(String.join(", ", a));
                }
                case "identifier" -> parts.add(m.get("system") + "|" + m.get("value"));
                case "telecom" -> parts.add((m.get("system") == null ? "" : m.get("system") + ": ") + m.get("value"));
                default -> parts.add(shown(m));
            }
        }
        return String.join("; ", parts);
    }

    /** A JSON value in one line: scalars as they are, structures as compact JSON. */
    static String shown(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Map<?, ?> || v instanceof List<?>) {
            try {
                return Answer.JSON.writeValueAsString(v);
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                return String.valueOf(v);
            }
        }
        return String.valueOf(v);
    }
}
