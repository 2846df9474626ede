package org.recordline.events;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Instant;

/**
 * A FHIR resource or Bundle that the ingestion-service received, parsed and recorded. Topic {@link Topics#INGESTED},
 * key {@link #sourceRecordKey()}.
 *
 * @param submissionId    id the submitter got in the 202 answer; the correlation id of every later event
 * @param sourceSystem    the upstream system that published it (the token's client identity)
 * @param sourceRecordKey {@code source-system|local-id} of the patient the submission is about, or
 *                        {@code source-system|submission-id} when it names no patient
 * @param resourceType    FHIR type of the submitted root resource ({@code Patient}, {@code Bundle}, ...)
 * @param entryCount      resources in the submission (1 for a lone resource)
 * @param receivedAt      when the ingestion-service accepted it
 * @param fhir            the submission as FHIR JSON, exactly as HAPI serialised it (a JSON object, not a string)
 */
public record RecordIngested(String submissionId, String sourceSystem, String sourceRecordKey, String resourceType,
                             int entryCount, Instant receivedAt,
                             @JsonRawValue @JsonDeserialize(using = RawJsonDeserializer.class) String fhir) {
}
