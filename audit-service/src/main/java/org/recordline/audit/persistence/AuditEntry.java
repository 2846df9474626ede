package org.recordline.audit.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import org.hibernate.annotations.Immutable;

/** One entry of the audit log, read-only for Hibernate (appends go through AuditLog). */
@Entity
@Immutable
@Table(name = "audit_entry")
public class AuditEntry extends PanacheEntityBase {

    @Id
    public Long seq;

    @Column(name = "event_id")
    public String eventId;

    @Column(name = "occurred_at")
    public Instant occurredAt;

    @Column(name = "recorded_at")
    public Instant recordedAt;

    public String service;
    public String action;
    public String outcome;
    public String actor;

    @Column(name = "submission_id")
    public String submissionId;

    @Column(name = "patient_ref")
    public String patientRef;

    public String purpose;
    public String detail;

    /** The event's context as JSON text, exactly as hashed; null when the event had none. */
    public String context;

    @Column(name = "prev_hash")
    public byte[] prevHash;

    @Column(name = "entry_hash")
    public byte[] entryHash;
}
