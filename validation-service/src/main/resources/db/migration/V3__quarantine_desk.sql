-- The quarantine desk: claims, versions, notes and dismissals, and the tallies behind quality by source.
ALTER TABLE quarantined_record
    ADD COLUMN claimed_by          VARCHAR(200),
    ADD COLUMN claim_expires_at    TIMESTAMPTZ,
    ADD COLUMN version             INT          NOT NULL DEFAULT 1,
    ADD COLUMN resolved_at         TIMESTAMPTZ,
    ADD COLUMN resolved_by         VARCHAR(200),
    ADD COLUMN resolution_reason   VARCHAR(500),
    -- system|value of the submission's Patient identifiers, for the desk's search by identifier
    ADD COLUMN patient_identifiers TEXT[]       NOT NULL DEFAULT '{}';
CREATE INDEX quarantined_record_rules ON quarantined_record USING GIN (issues jsonb_path_ops);
CREATE INDEX quarantined_record_identifiers ON quarantined_record USING GIN (patient_identifiers);
CREATE INDEX quarantined_record_source ON quarantined_record (source_system, quarantined_at);

-- Everything that happened to a quarantined submission, oldest first; a correction keeps its version of the record.
CREATE TABLE quarantine_history (
    id            BIGSERIAL    PRIMARY KEY,
    submission_id VARCHAR(36)  NOT NULL REFERENCES quarantined_record (submission_id),
    at            TIMESTAMPTZ  NOT NULL,
    actor         VARCHAR(200) NOT NULL,
    kind          VARCHAR(20)  NOT NULL,
    version       INT          NOT NULL,
    text          TEXT,
    fhir          JSONB,
    issues        JSONB
);
CREATE INDEX quarantine_history_submission ON quarantine_history (submission_id, id);

-- Reviews per source system and day (UTC): the denominator of "share passing".
CREATE TABLE review_tally (
    source_system VARCHAR(200) NOT NULL,
    day           DATE         NOT NULL,
    passed        BIGINT       NOT NULL DEFAULT 0,
    quarantined   BIGINT       NOT NULL DEFAULT 0,
    PRIMARY KEY (source_system, day)
);

-- Entries quarantined before the desk: their record as it arrived is version 1 of their history.
INSERT INTO quarantine_history (submission_id, at, actor, kind, version, fhir, issues)
SELECT submission_id, quarantined_at, 'validation-service', 'QUARANTINED', 1, fhir, issues FROM quarantined_record;
