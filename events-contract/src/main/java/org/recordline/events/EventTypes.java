package org.recordline.events;

/** CloudEvents {@code type} values, one per event record; the topic and the type change together. */
public final class EventTypes {

    public static final String RECORD_INGESTED = "org.recordline.ehr.ingested.v1";
    public static final String RECORD_VALIDATED = "org.recordline.ehr.validated.v1";
    public static final String RECORD_QUARANTINED = "org.recordline.ehr.quarantined.v1";
    /** On the quarantine's topic too: a technician dismissed a quarantined submission. */
    public static final String QUARANTINE_DISMISSED = "org.recordline.ehr.quarantine-dismissed.v1";
    public static final String RECORD_CHANGED = "org.recordline.ehr.record-changed.v1";
    public static final String AUDIT = "org.recordline.audit.v1";
    public static final String AUDIT_CHECKPOINT = "org.recordline.audit-checkpoint.v1";
    /** On {@link Topics#INBOUND_RESULTS}: what became of a record an upstream system published on the inbound topic. */
    public static final String INBOUND_RESULT = "org.recordline.ehr.inbound-result.v1";

    private EventTypes() {
    }
}
