package org.recordline.examples.subscriber;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The fields of a {@code RecordChanged} event (topic {@code ehr.record-changes.v1}) that this subscriber uses, read
 * from the JSON payload with plain Jackson. Unknown fields are ignored, as the contract asks of every consumer;
 * {@code fhir} is not read at all (this example keeps ids only).
 *
 * @param changeType         {@code PERSON_CREATED}, {@code RECORDS_FILED}, {@code LINKED}, {@code UNLINKED},
 *                           {@code MERGED}, {@code UNMERGED}, or a value added later
 * @param personId           {@code enterprisePersonId}: the person filed under; for a move, the person moved to
 * @param previousPersonId   {@code previousEnterprisePersonId}: for a move, the person moved from; else null
 * @param sourceRecordKey    {@code source-system|local-id} of the source patient record
 * @param submissionId       the submission filed (for a move, the source record's last one); may be null
 * @param resources          {@code Type/id} of every resource filed, or for a move every resource that moved
 * @param changedAt          when the index committed the change
 */
public record RecordChange(String changeType, String personId, String previousPersonId, String sourceRecordKey,
                           String submissionId, List<String> resources, Instant changedAt) {

    /** The move types this subscriber knows; any other type with a previous person is treated as a move too. */
    public static final Set<String> MOVES = Set.of("LINKED", "UNLINKED", "MERGED", "UNMERGED");

    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** True for a link, unlink, merge or unmerge, and for a change type added later that names a previous person. */
    public boolean isMove() {
        return previousPersonId != null || MOVES.contains(changeType);
    }

    /**
     * Reads the payload.
     *
     * @throws IllegalArgumentException if it is not a JSON object with the required fields (the message names the
     *                                  field, never a value)
     */
    public static RecordChange parse(byte[] json) {
        JsonNode n;
        try {
            n = json == null || json.length == 0 ? null : JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException("payload is not JSON");
        }
        if (n == null || !n.isObject()) {
            throw new IllegalArgumentException("payload is not a JSON object");
        }
        String changeType = text(n, "changeType", true);
        String personId = text(n, "enterprisePersonId", true);
        String previous = text(n, "previousEnterprisePersonId", false);
        String source = text(n, "sourceRecordKey", true);
        String submission = text(n, "submissionId", false);
        Instant changedAt;
        try {
            changedAt = OffsetDateTime.parse(text(n, "changedAt", true)).toInstant();
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("changedAt is not an RFC 3339 timestamp");
        }
        JsonNode rs = n.get("resources");
        if (rs == null || !rs.isArray()) {
            throw new IllegalArgumentException("resources is missing or not an array");
        }
        List<String> resources = new ArrayList<>();
        for (JsonNode r : rs) {
            resources.add(text(r, "resourceType", true) + "/" + text(r, "id", true));
        }
        if (MOVES.contains(changeType) && previous == null) {
            throw new IllegalArgumentException(changeType + " without previousEnterprisePersonId");
        }
        return new RecordChange(changeType, personId, previous, source, submission, List.copyOf(resources),
                changedAt);
    }

    private static String text(JsonNode n, String field, boolean required) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new IllegalArgumentException(field + " is missing");
            }
            return null;
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new IllegalArgumentException(field + " is not a non-empty string");
        }
        return v.asText();
    }
}
