package org.recordline.ingestion.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import java.time.Instant;
import java.util.List;

/**
 * A submission's progress through the pipeline.
 *
 * @param submissionId       the submission
 * @param status             RECEIVED, VALIDATED, QUARANTINED, INDEXED or DISMISSED (by a records technician)
 * @param sourceSystem       who submitted it
 * @param resourceType       type of the submitted root resource
 * @param entryCount         resources submitted
 * @param receivedAt         when it was recorded
 * @param updatedAt          when its status last changed
 * @param enterprisePersonId the person it was filed under, once indexed
 * @param issues             the quarantine reasons, when quarantined (JSON array of issues)
 * @param requestType        {@code transaction} or {@code batch} for such a Bundle, else absent
 * @param entries            for a transaction or batch Bundle, what became of each entry at intake
 * @param heldBack           for a batch, the entries validation held back for a records technician (positions, from
 *                           0, among the entries passed on: those {@code entries} lists as 201)
 * @param steps              every step so far, oldest first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SubmissionView(String submissionId, String status, String sourceSystem, String resourceType,
                             int entryCount, Instant receivedAt, Instant updatedAt, String enterprisePersonId,
                             @JsonRawValue String issues, String requestType,
                             List<org.recordline.ingestion.domain.BundleRequests.EntryOutcome> entries,
                             List<Integer> heldBack,
                             List<Step> steps) {

    /**
     * One step.
     *
     * @param status     the status reached
     * @param occurredAt when the step happened in the service that took it
     * @param detail     short description (counts, rule ids)
     */
    public record Step(String status, Instant occurredAt, String detail) {
    }
}
