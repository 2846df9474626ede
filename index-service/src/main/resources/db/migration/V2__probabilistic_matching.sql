-- Probabilistic matching: each source record's demographics as matching compares them (normalised), its blocking
-- keys, every decision with its explanation, and the possible matches waiting for a records technician.
ALTER TABLE source_record ADD COLUMN demographics JSONB;

-- Two records are compared only when they share a key; the primary key serves the candidate query.
CREATE TABLE block_key (
    key              VARCHAR(300) NOT NULL,
    source_record_id BIGINT       NOT NULL REFERENCES source_record (id),
    PRIMARY KEY (key, source_record_id)
);
CREATE INDEX block_key_record ON block_key (source_record_id);

CREATE TABLE match_decision (
    id                   BIGSERIAL        PRIMARY KEY,
    source_record_id     BIGINT           NOT NULL REFERENCES source_record (id),
    submission_id        VARCHAR(36)      NOT NULL,
    decided_at           TIMESTAMPTZ      NOT NULL,
    rule                 VARCHAR(40)      NOT NULL,
    enterprise_person_id VARCHAR(36)      NOT NULL REFERENCES enterprise_person (id),
    candidate_person_id  VARCHAR(36),
    score                DOUBLE PRECISION,
    upper_threshold      DOUBLE PRECISION NOT NULL,
    lower_threshold      DOUBLE PRECISION NOT NULL,
    model_version        VARCHAR(100),
    explanation          JSONB
);
CREATE INDEX match_decision_record ON match_decision (source_record_id, id);

CREATE TABLE possible_match (
    id                  BIGSERIAL        PRIMARY KEY,
    source_record_id    BIGINT           NOT NULL REFERENCES source_record (id),
    candidate_person_id VARCHAR(36)      NOT NULL REFERENCES enterprise_person (id),
    score               DOUBLE PRECISION NOT NULL,
    decision_id         BIGINT           NOT NULL REFERENCES match_decision (id),
    status              VARCHAR(20)      NOT NULL,
    created_at          TIMESTAMPTZ      NOT NULL
);
CREATE INDEX possible_match_open ON possible_match (status, created_at);
