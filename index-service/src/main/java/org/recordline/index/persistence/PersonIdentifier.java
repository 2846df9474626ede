package org.recordline.index.persistence;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;
import jakarta.persistence.EmbeddedId;
import jakarta.persistence.Entity;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/** An identifier (system and value) that links to the enterprise person it was first seen with. */
@Entity
@Table(name = "person_identifier")
public class PersonIdentifier extends PanacheEntityBase {

    /** Identifier system and value. */
    @Embeddable
    public static class Key implements Serializable {
        @Column(name = "system", nullable = false)
        public String system;
        @Column(name = "value", nullable = false)
        public String value;

        public Key() {
        }

        public Key(String system, String value) {
            this.system = system;
            this.value = value;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && system.equals(k.system) && value.equals(k.value);
        }

        @Override
        public int hashCode() {
            return Objects.hash(system, value);
        }
    }

    @EmbeddedId
    public Key key;

    @Column(name = "enterprise_person_id", nullable = false)
    public String enterprisePersonId;

    @Column(name = "source_record_id", nullable = false)
    public Long sourceRecordId;
}
