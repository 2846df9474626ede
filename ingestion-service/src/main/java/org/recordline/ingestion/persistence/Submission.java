package org.recordline.ingestion.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Optional;
import org.recordline.ingestion.domain.SubmissionStatus;

/** One submission of an upstream system and its current pipeline status. Holds ids only, never the record. */
@Entity
@Table(name = "submission")
public class Submission extends PanacheEntityBase {

    /** Length of a submission id (a UUID); a longer string cannot name a submission. */
    public static final int MAX_ID_LENGTH = 36;

    @Id
    public String id;

    @Column(name = "source_system", nullable = false)
    public String sourceSystem;

    @Column(name = "idempotency_key")
    public String idempotencyKey;

    @Column(name = "resource_type", nullable = false)
    public String resourceType;

    @Column(name = "entry_count", nullable = false)
    public int entryCount;

    @Column(name = "source_record_key", nullable = false)
    public String sourceRecordKey;

    @Enumerated(EnumType.STRING)
    @Column(nullable = false)
    public SubmissionStatus status;

    @Column(name = "enterprise_person_id")
    public String enterprisePersonId;

    /** The quarantine issues as JSON, when quarantined. */
    @Column(columnDefinition = "TEXT")
    public String issues;

    /** SHA-256 of the submitted bytes; null for submissions recorded before it was kept. */
    @Column(name = "content_sha256")
    public byte[] contentSha256;

    /** For a transaction or batch Bundle, what became of each entry (BundleRequests' lines); else null. */
    @Column(name = "entry_outcomes", columnDefinition = "TEXT")
    public String entryOutcomes;

    @Column(name = "received_at", nullable = false)
    public Instant receivedAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    /** The submission an upstream system sent earlier with the same idempotency key. */
    public static Optional<Submission> findByIdempotencyKey(String sourceSystem, String key) {
        return find("sourceSystem = ?1 and idempotencyKey = ?2", sourceSystem, key).firstResultOptional();
    }
}
