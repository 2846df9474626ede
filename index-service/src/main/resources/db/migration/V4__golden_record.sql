-- The golden record of each person: one FHIR Patient built by survivorship from every source record filed under the
-- person, and for each of its values the source record it came from.
CREATE TABLE golden_record (
    enterprise_person_id VARCHAR(36) PRIMARY KEY REFERENCES enterprise_person (id),
    patient              JSONB       NOT NULL,
    provenance           JSONB       NOT NULL,
    updated_at           TIMESTAMPTZ NOT NULL
);
