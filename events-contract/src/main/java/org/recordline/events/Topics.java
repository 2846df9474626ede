package org.recordline.events;

import java.util.List;

/**
 * Names of every Kafka topic Recordline reads or writes. A breaking change of an event is a new topic ({@code .v2}).
 */
public final class Topics {

    /** Raw records as received and parsed by the ingestion-service; key {@code source-system|local-id}. */
    public static final String INGESTED = "ehr.ingested.v1";
    /** Records that passed the completeness rules; key {@code source-system|local-id}. */
    public static final String VALIDATED = "ehr.validated.v1";
    /**
     * Records held back for a records technician, with the reasons ({@link RecordQuarantined}), and those a technician
     * dismissed ({@link QuarantineDismissed}); key {@code source-system|local-id}.
     */
    public static final String QUARANTINED = "ehr.quarantined.v1";
    /** The public feed of changes to the record index; key enterprise person id. */
    public static final String RECORD_CHANGES = "ehr.record-changes.v1";
    /** One event per processing step and per read of patient data, from every service. */
    public static final String AUDIT = "ehr.audit.v1";
    /**
     * The audit log's signed checkpoints ({@link AuditCheckpoint}), for keepers outside the database; key
     * {@link AuditCheckpoint#LOG}. Nothing in Recordline consumes it (no dead-letter topic); a keeper should copy
     * what it reads before the topic's retention passes.
     */
    public static final String AUDIT_CHECKPOINTS = "ehr.audit-checkpoints.v1";

    /**
     * Records upstream systems publish instead of calling the HTTP API: CloudEvents in binary mode ({@code ce_id},
     * {@code ce_source}, {@code ce_type}, {@code ce_time}, {@code ce_specversion} 1.0) with the body's media type in
     * {@code content-type} (FHIR JSON or XML, HL7 v2 ER7). Key: the sender's choice; records with one key keep their
     * order (use the patient's id). Read by the ingestion-service like any submission; a record without the
     * CloudEvents headers cannot be answered and goes to the dead-letter topic.
     */
    public static final String INBOUND = "ehr.inbound.v1";
    /**
     * One {@link InboundResult} per record read from {@link #INBOUND}: the submission it became, or why it was refused;
     * key the inbound record's {@code ce_source}, subject its {@code ce_id}.
     */
    public static final String INBOUND_RESULTS = "ehr.inbound-results.v1";

    /** Suffix of the dead-letter topic of each topic a service consumes. */
    public static final String DEAD_LETTER_SUFFIX = ".dlq";

    /**
     * Partitions each topic is created with (the local launcher, the test broker, and the Kubernetes topics): the most
     * instances of one consumer service that share its work. Twelve allow 2, 3, 4, 6 or 12 instances an even share.
     */
    public static final int DEFAULT_PARTITIONS = 12;

    /**
     * Largest record any topic accepts (bytes, before compression). Synthea patient bundles are 0.9-1.4 MB; FHIR
     * JSON compresses about tenfold with lz4, so the bytes on the wire stay far below this.
     */
    public static final int MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

    /**
     * How long every topic keeps its records. Consumers keep their idempotency records at least this long (plus a
     * margin), since an event can be redelivered while it is on its topic and never after.
     */
    public static final java.time.Duration RETENTION = java.time.Duration.ofDays(7);

    private Topics() {
    }

    /** Every topic, including dead-letter topics of the consumed ones. */
    public static List<String> all() {
        return List.of(INGESTED, VALIDATED, QUARANTINED, RECORD_CHANGES, AUDIT, AUDIT_CHECKPOINTS, INBOUND,
                INBOUND_RESULTS, deadLetterOf(INBOUND), deadLetterOf(INGESTED), deadLetterOf(VALIDATED),
                deadLetterOf(QUARANTINED),
                deadLetterOf(RECORD_CHANGES), deadLetterOf(AUDIT));
    }

    /** The dead-letter topic that poison messages of {@code topic} are moved to. */
    public static String deadLetterOf(String topic) {
        return topic + DEAD_LETTER_SUFFIX;
    }
}
