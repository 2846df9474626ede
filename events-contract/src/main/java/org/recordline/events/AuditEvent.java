package org.recordline.events;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

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
 * @param context        who else, where, which records ({@link Context}); absent for events written before it was
 *                       added, and for a service's own processing when there is nothing to add (added in place)
 */
public record AuditEvent(String eventId, Instant occurredAt, String service, String action, String outcome,
                         String actor, String submissionId, String patientRef, String purpose, String detail,
                         @JsonInclude(JsonInclude.Include.NON_NULL) Context context) {

    /** An event without a context. */
    public AuditEvent(String eventId, Instant occurredAt, String service, String action, String outcome,
                      String actor, String submissionId, String patientRef, String purpose, String detail) {
        this(eventId, occurredAt, service, action, outcome, actor, submissionId, patientRef, purpose, detail, null);
    }

    /** The same event with another context. */
    public AuditEvent withContext(Context c) {
        return new AuditEvent(eventId, occurredAt, service, action, outcome, actor, submissionId, patientRef, purpose,
                detail, c);
    }

    /**
     * The rest of an accountable act, ids only: who else, from where, about which patient and records. Every field
     * is optional; lists hold at most {@value #MAX_LIST} values (the audit-service cuts longer ones and says so in
     * {@code truncated}).
     *
     * @param roles         the caller's roles as the token granted them
     * @param onBehalfOf    the person a system caller acts for, as it asserted ({@code X-On-Behalf-Of})
     * @param clientAddress the caller's network address (the first proxy's, unless forwarding is configured)
     * @param correlationId the request's {@code X-Correlation-Id}, or one made for it; for processing, the submission
     * @param personId      the patient's enterprise person id, when known; for a move of source records between
     *                      persons, the person they went to
     * @param previousPersonId for a move of source records between persons, the person they left
     * @param sourceIds     the patient's source record ids concerned, {@code source-system|local-id}
     * @param resources     the records concerned, {@code ResourceType/id}
     * @param truncated     true when a list was longer than {@value #MAX_LIST} and was cut
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Context(List<String> roles, String onBehalfOf, String clientAddress, String correlationId,
                          String personId, String previousPersonId, List<String> sourceIds, List<String> resources,
                          Boolean truncated) {

        /** Most values of one list of a context. */
        public static final int MAX_LIST = 50;

        /** A context naming the patient only. */
        public static Context patient(String personId, List<String> sourceIds) {
            return new Context(null, null, null, null, personId, null, sourceIds, null, null);
        }

        /** This context with the patient and records named (a null argument keeps this context's value). */
        public Context about(String person, String previousPerson, List<String> sources, List<String> records) {
            return new Context(roles, onBehalfOf, clientAddress, correlationId, person != null ? person : personId,
                    previousPerson != null ? previousPerson : previousPersonId, sources != null ? sources : sourceIds,
                    records != null ? records : resources, truncated);
        }
    }

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
