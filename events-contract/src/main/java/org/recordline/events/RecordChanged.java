package org.recordline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import java.time.Instant;
import java.util.List;

/**
 * A change of the record index: a submission was filed under an enterprise person, or a source record and everything
 * filed under it moved from one person to another (a link, unlink, merge or unmerge). The public feed for subscribing
 * teams. Topic {@link Topics#RECORD_CHANGES}, key {@link #enterprisePersonId()}, so that all changes of one person
 * arrive in order.
 *
 * @param submissionId       the submission whose records were filed; for a move, the last submission of the source
 *                           record that moved
 * @param enterprisePersonId the person they were filed under; for a move, the person they moved to
 * @param sourceRecordKey    {@code source-system|local-id} of the source patient record
 * @param changeType         {@link ChangeType}
 * @param matchRule          how the person was found: {@code new-person}, {@code same-source-record} (the source
 *                           record was filed before), {@code probabilistic} (scored at or above the index's upper
 *                           threshold), {@code possible-match} (a new person, with a possible match opened for
 *                           review); events written before probabilistic matching may say {@code exact-identifier};
 *                           a move says how: {@code reviewed-link} ({@code LINKED} from the review queue),
 *                           {@code manual-link}, {@code manual-unlink}, {@code merge}, {@code unmerge}
 * @param resources          every resource filed, in submission order; for a move, every resource that moved
 * @param changedAt          when the index committed the change
 * @param fhir               the filed submission as FHIR JSON (a JSON object); for a move ({@code LINKED},
 *                           {@code UNLINKED}, {@code MERGED}, {@code UNMERGED}), the moved source record's latest
 *                           Patient
 * @param previousEnterprisePersonId for a move: the person the source record and its resources were filed under
 *                           before, so that subscribers can re-key what they hold; absent otherwise (added in place)
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
         * not know it should treat it as a re-keying of the listed resources. Also a technician's link outside the
         * review queue ({@code matchRule} {@code manual-link}).
         */
        LINKED,
        /**
         * A records technician unlinked a source record: it and everything filed under it moved from
         * {@code previousEnterprisePersonId} to a new person, {@code enterprisePersonId}. Added in place: a subscriber
         * that does not know it should re-key the listed resources from {@code previousEnterprisePersonId} to
         * {@code enterprisePersonId}.
         */
        UNLINKED,
        /**
         * Two persons were merged: one source record of {@code previousEnterprisePersonId} (now merged into
         * {@code enterprisePersonId}) and everything filed under it moved to {@code enterprisePersonId}; a merge of a
         * person with several source records is one such event per source record. Added in place: a subscriber that
         * does not know it should re-key the listed resources from {@code previousEnterprisePersonId} to
         * {@code enterprisePersonId}.
         */
        MERGED,
        /**
         * A merge was undone: one source record the merge had moved went back from {@code previousEnterprisePersonId}
         * (the survivor) to {@code enterprisePersonId} (the person merged before, no longer merged), one event per
         * source record. Added in place: a subscriber that does not know it should re-key the listed resources from
         * {@code previousEnterprisePersonId} to {@code enterprisePersonId}.
         */
        UNMERGED
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
