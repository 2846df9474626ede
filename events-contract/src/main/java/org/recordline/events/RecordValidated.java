package org.recordline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Instant;
import java.util.List;

/**
 * A submission that passed the completeness rules. Topic {@link Topics#VALIDATED}, key {@link #sourceRecordKey()}.
 *
 * @param submissionId    the submission this is about
 * @param sourceSystem    the upstream system that published it
 * @param sourceRecordKey {@code source-system|local-id} of the patient
 * @param validatedAt     when the check finished
 * @param warnings        non-blocking findings (severity warning or information)
 * @param fhir            the submission as FHIR JSON (a JSON object)
 * @param completeness    share of the applicable rule-pack rules the submission met, 0 to 1; optional (added in
 *                        place, absent from earlier events)
 * @param heldBack        for a batch Bundle judged entry by entry, the positions (from 0, in the Bundle as submitted)
 *                        of the entries held in the quarantine; {@code fhir} then holds the other entries. Empty
 *                        (absent on the wire) otherwise; added in place
 */
public record RecordValidated(String submissionId, String sourceSystem, String sourceRecordKey, Instant validatedAt,
                              List<ValidationIssue> warnings,
                              @JsonRawValue @JsonDeserialize(using = RawJsonDeserializer.class) String fhir,
                              @JsonInclude(JsonInclude.Include.NON_NULL) Double completeness,
                              @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Integer> heldBack) {

    public RecordValidated {
        heldBack = heldBack == null ? List.of() : List.copyOf(heldBack);
    }

    /** A validated submission passed as a whole. */
    public RecordValidated(String submissionId, String sourceSystem, String sourceRecordKey, Instant validatedAt,
                           List<ValidationIssue> warnings, String fhir, Double completeness) {
        this(submissionId, sourceSystem, sourceRecordKey, validatedAt, warnings, fhir, completeness, List.of());
    }

    /** A validated submission without a completeness score (events written before the score existed). */
    public RecordValidated(String submissionId, String sourceSystem, String sourceRecordKey, Instant validatedAt,
                           List<ValidationIssue> warnings, String fhir) {
        this(submissionId, sourceSystem, sourceRecordKey, validatedAt, warnings, fhir, null);
    }
}
