package org.recordline.audit.domain;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.recordline.events.AuditEvent;

/**
 * Every patient id an audit entry names, stored with it ({@code patient_ids}) for queries by patient: its
 * {@code patientRef}, then its context's {@code personId}, {@code previousPersonId} and {@code sourceIds}, in that
 * order, without nulls. The same as the database function {@code audit_patient_ids(patient_ref, context)} gives for
 * the stored context text, so the verifier can derive it again from the hashed fields and compare.
 */
public final class PatientIds {

    private static final ObjectMapper JSON = new ObjectMapper();

    private PatientIds() {
    }

    /** The ids of an entry with {@code patientRef} and {@code context}. */
    public static List<String> of(String patientRef, AuditEvent.Context context) {
        List<String> out = new ArrayList<>(4);
        add(out, patientRef);
        if (context != null) {
            add(out, context.personId());
            add(out, context.previousPersonId());
            if (context.sourceIds() != null) {
                context.sourceIds().forEach(s -> add(out, s));
            }
        }
        return out;
    }

    /**
     * The ids of a stored entry with {@code patientRef} and the context text {@code contextText} as stored (read as
     * JSON whatever wrote it); fails on text that is not a JSON object.
     */
    public static List<String> of(String patientRef, String contextText) {
        if (contextText != null) {
            List<String> streamed = streamed(patientRef, contextText);
            if (streamed != null) {
                return streamed;
            }
        }
        return ofTree(patientRef, contextText);
    }

    /** {@link #of(String, String)} read as a JSON tree: the reference the streamed reading must agree with. */
    static List<String> ofTree(String patientRef, String contextText) {
        List<String> out = new ArrayList<>(4);
        add(out, patientRef);
        if (contextText != null) {
            JsonNode ctx;
            try {
                ctx = JSON.readTree(contextText);
            } catch (java.io.IOException e) {
                throw new IllegalArgumentException("the context is not JSON", e);
            }
            if (ctx == null || !ctx.isObject()) {
                throw new IllegalArgumentException("the context is not a JSON object");
            }
            add(out, text(ctx.get("personId")));
            add(out, text(ctx.get("previousPersonId")));
            JsonNode sources = ctx.get("sourceIds");
            if (sources != null && sources.isArray()) {
                sources.forEach(s -> add(out, text(s)));
            }
        }
        return out;
    }

    /**
     * The ids read with a streaming parser, without building the tree (the verifier reads every entry's context):
     * null, for the tree to decide, when the text is not a JSON object or one of the three values is something other
     * than a string or null (an array of strings and nulls for {@code sourceIds}). A later duplicate key wins, as in
     * the tree.
     */
    private static List<String> streamed(String patientRef, String contextText) {
        String person = null;
        String previous = null;
        List<String> sources = null;
        try (JsonParser p = JSON.getFactory().createParser(contextText)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                boolean string = v == JsonToken.VALUE_STRING;
                boolean nothing = v == JsonToken.VALUE_NULL;
                switch (name) {
                    case "personId", "previousPersonId" -> {
                        if (!string && !nothing) {
                            return null;
                        }
                        if (name.equals("personId")) {
                            person = string ? p.getText() : null;
                        } else {
                            previous = string ? p.getText() : null;
                        }
                    }
                    case "sourceIds" -> {
                        if (v != JsonToken.START_ARRAY) {
                            p.skipChildren(); // not an array: no ids, as in the tree
                            sources = null;
                            continue;
                        }
                        sources = new ArrayList<>(2);
                        JsonToken e;
                        while ((e = p.nextToken()) != JsonToken.END_ARRAY) {
                            if (e == JsonToken.VALUE_STRING) {
                                sources.add(p.getText());
                            } else if (e != JsonToken.VALUE_NULL) {
                                return null;
                            }
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (t != JsonToken.END_OBJECT) {
                return null;
            }
        } catch (java.io.IOException | RuntimeException e) {
            return null; // the tree says what is wrong
        }
        List<String> out = new ArrayList<>(4);
        add(out, patientRef);
        add(out, person);
        add(out, previous);
        if (sources != null) {
            out.addAll(sources);
        }
        return out;
    }

    /** What PostgreSQL's {@code ->>} gives for a JSON value: its text, or the JSON of a non-string; null for null. */
    private static String text(JsonNode n) {
        if (n == null || n.isNull()) {
            return null;
        }
        return n.isTextual() ? n.textValue() : n.toString();
    }

    private static void add(List<String> out, String id) {
        if (id != null) {
            out.add(id);
        }
    }
}
