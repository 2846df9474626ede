package org.recordline.index.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.List;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** A patient record as one source system holds it, filed under an enterprise person. */
@Entity
@Table(name = "source_record")
public class SourceRecord extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Long id;

    @Column(name = "source_record_key", nullable = false, unique = true)
    public String sourceRecordKey;

    @Column(name = "source_system", nullable = false)
    public String sourceSystem;

    @Column(name = "enterprise_person_id", nullable = false)
    public String enterprisePersonId;

    /** The latest Patient resource from the source, as FHIR JSON. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false)
    public String patient;

    @Column(name = "last_submission_id", nullable = false)
    public String lastSubmissionId;

    @Column(name = "match_rule", nullable = false)
    public String matchRule;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;

    public static List<SourceRecord> ofPerson(String enterprisePersonId) {
        return list("enterprisePersonId = ?1 order by id", enterprisePersonId);
    }
}
