package org.recordline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Instant;
import java.util.List;

/**
 * A change of the record index: a submission was filed under an enterprise person. The public feed for subscribing
 * teams. Topic {@link Topics#RECORD_CHANGES}, key {@link #enterprisePersonId()}, so that all changes of one person
 * arrive in order.
 *
 * @param submissionId       the submission whose records were filed
 * @param enterprisePersonId the person they were filed under
 * @param sourceRecordKey    {@code source-system|local-id} of the source patient record
 * @param changeType         {@link ChangeType}
 * @param matchRule          how the person was found: {@code new-person}, {@code same-source-record} (the source
 *                           record was filed before), {@code probabilistic} (scored at or above the index's upper
 *                           threshold), {@code possible-match} (a new person, with a possible match opened for
 *                           review); events written before probabilistic matching may say {@code exact-identifier}
 * @param resources          every resource filed, in submission order
 * @param changedAt          when the index committed the change
 * @param fhir               the filed submission as FHIR JSON (a JSON object); for {@code LINKED}, the source
 *                           record's latest Patient
 * @param previousEnterprisePersonId for {@code LINKED}: the person the source record and its resources were filed
 *                           under before, so that subscribers can re-key what they hold; absent otherwise (added in
 *                           place)
 */
public record RecordChanged(String submissionId, String enterprisePersonId, String sourceRecordKey,
                            ChangeType changeType, String matchRule, List<ResourceRef> resources, Instant changedAt,
                            @JsonRawValue @JsonDeserialize(using = RawJsonDeserializer.class) String fhir,
                            @JsonInclude(JsonInclude.Include.NON_NULL) String previousEnterprisePersonId) {

    /** A filing (no previous person). */
    public RecordChanged(String submissionId, String enterprisePersonId, String sourceRecordKey,
                         ChangeType changeType, String matchRule, List<ResourceRef> resources, Instant changedAt,
                         String fhir) {
        this(submissionId, enterprisePersonId, sourceRecordKey, changeType, matchRule, resources, changedAt, fhir,
                null);
    }

    /** What happened to the index. */
    public enum ChangeType {
        /** A new enterprise person was created for a source record not seen before. */
        PERSON_CREATED,
        /** Records were filed under an existing enterprise person. */
        RECORDS_FILED,
        /**
         * A records technician accepted a possible match: a source record and everything filed under it moved from
         * {@code previousEnterprisePersonId} to {@code enterprisePersonId}. Added in place: a subscriber that does
         * not know it should treat it as a re-keying of the listed resources.
         */
        LINKED
    }

    /**
     * One resource filed by the change.
     *
     * @param resourceType FHIR resource type
     * @param id           logical id in the source system
     */
    public record ResourceRef(String resourceType, String id) {
    }
}
