package org.recordline.validation.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A submission held back by the completeness check, with its issues, waiting for a records technician. */
@Entity
@Table(name = "quarantined_record")
public class QuarantinedRecord extends PanacheEntityBase {

    /** Work-queue states. */
    public enum Status { OPEN, RESOLVED, DISMISSED }

    @Id
    @Column(name = "submission_id")
    public String submissionId;

    @Column(name = "source_system", nullable = false)
    public String sourceSystem;

    @Column(name = "source_record_key", nullable = false)
    public String sourceRecordKey;

    @Column(name = "resource_type", nullable = false)
    public String resourceType;

    /** The issues as a JSON array. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String issues;

    /** The record as FHIR JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String fhir;

    @Column(nullable = false)
    @jakarta.persistence.Enumerated(jakarta.persistence.EnumType.STRING)
    public Status status;

    @Column(name = "quarantined_at", nullable = false)
    public Instant quarantinedAt;
}
