package org.recordline.events;

import java.time.Instant;

/**
 * One accountable act: a processing step of a submission, or a read (or refused read) of patient data. Topic
 * {@link Topics#AUDIT}, key the submission id or patient reference. Carries ids only, never names, birth dates or
 * record contents.
 *
 * @param eventId        unique id, 1 to {@value #MAX_EVENT_ID_LENGTH} characters; the audit-service stores each id
 *                       once and never shortens it (a longer id breaks the contract)
 * @param occurredAt     when the act happened
 * @param service        the service that acted, e.g. {@code ingestion-service}
 * @param action         what happened, see {@link AuditActions}
 * @param outcome        {@code success}, {@code failure} or {@code denied}
 * @param actor          who acted: the token's principal for requests, the service for its own processing
 * @param submissionId   the submission concerned, if any
 * @param patientRef     the patient concerned: enterprise person id or {@code source-system|local-id}, if known
 * @param purpose        why (purpose of use), e.g. {@code TREAT}, {@code HOPERAT}, {@code ingest}
 * @param detail         short machine-oriented detail (counts, rule ids, resource path); never patient data
 */
public record AuditEvent(String eventId, Instant occurredAt, String service, String action, String outcome,
                         String actor, String submissionId, String patientRef, String purpose, String detail) {

    /** Longest event id the contract accepts: an identity is refused, never truncated. */
    public static final int MAX_EVENT_ID_LENGTH = 100;

    public AuditEvent {
        if (eventId == null || eventId.isBlank()) {
            throw new InvalidEventException("audit event without an eventId");
        }
        if (eventId.length() > MAX_EVENT_ID_LENGTH) {
            throw new InvalidEventException("audit eventId has " + eventId.length() + " characters, more than "
                    + MAX_EVENT_ID_LENGTH);
        }
    }
}
