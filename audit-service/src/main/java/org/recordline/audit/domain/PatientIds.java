package org.recordline.audit.domain;

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
