package org.recordline.events;

/** Values of {@link AuditEvent#action()}. */
public final class AuditActions {

    public static final String SUBMISSION_RECEIVED = "submission.received";
    public static final String SUBMISSION_REJECTED = "submission.rejected";
    public static final String SUBMISSION_READ = "submission.read";
    public static final String RECORD_VALIDATED = "record.validated";
    public static final String RECORD_QUARANTINED = "record.quarantined";
    public static final String RECORD_INDEXED = "record.indexed";
    public static final String RECORD_READ = "record.read";
    public static final String AUDIT_READ = "audit.read";
    public static final String RULE_PACK_LOADED = "rule-pack.loaded";
    /** An administrator had the index's match model re-estimated from its own records. */
    public static final String MATCH_MODEL_ESTIMATED = "match-model.estimated";
    /** A records technician accepted a possible match: the source record moved to the candidate person. */
    public static final String MATCH_ACCEPTED = "possible-match.accepted";
    /** A records technician rejected a possible match: the two stay apart. */
    public static final String MATCH_REJECTED = "possible-match.rejected";
    /** A records technician linked a source record (and everything filed under it) to another person. */
    public static final String PERSON_LINKED = "person.linked";
    /** A records technician unlinked a source record from its person into a new person. */
    public static final String PERSON_UNLINKED = "person.unlinked";
    /** A records technician merged one person into another: every source record moved to the survivor. */
    public static final String PERSONS_MERGED = "persons.merged";
    /** A records technician undid a merge: the merged source records went back to the person merged before. */
    public static final String PERSONS_UNMERGED = "persons.unmerged";
    public static final String QUARANTINE_CLAIMED = "quarantine.claimed";
    public static final String QUARANTINE_RELEASED = "quarantine.released";
    public static final String QUARANTINE_NOTE = "quarantine.annotated";
    public static final String QUARANTINE_CORRECTED = "quarantine.corrected";
    public static final String QUARANTINE_DISMISSED = "quarantine.dismissed";
    public static final String ACCESS_DENIED = "access.denied";

    public static final String SUCCESS = "success";
    public static final String FAILURE = "failure";
    public static final String DENIED = "denied";

    private AuditActions() {
    }
}
