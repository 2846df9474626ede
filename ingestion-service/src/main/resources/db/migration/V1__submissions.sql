-- Submissions received by the ingestion-service and their progress through the pipeline.
CREATE TABLE submission (
    id                   VARCHAR(36)  PRIMARY KEY,
    source_system        VARCHAR(200) NOT NULL,
    idempotency_key      VARCHAR(200),
    resource_type        VARCHAR(64)  NOT NULL,
    entry_count          INTEGER      NOT NULL,
    source_record_key    VARCHAR(300) NOT NULL,
    status               VARCHAR(20)  NOT NULL,
    enterprise_person_id VARCHAR(36),
    issues               TEXT,
    received_at          TIMESTAMPTZ  NOT NULL,
    updated_at           TIMESTAMPTZ  NOT NULL,
    CONSTRAINT submission_idempotency UNIQUE (source_system, idempotency_key)
);

-- Every step a submission went through, in the order the ingestion-service learnt of them.
CREATE TABLE submission_step (
    id            BIGSERIAL    PRIMARY KEY,
    submission_id VARCHAR(36)  NOT NULL REFERENCES submission (id),
    status        VARCHAR(20)  NOT NULL,
    occurred_at   TIMESTAMPTZ  NOT NULL,
    detail        VARCHAR(500)
);
CREATE INDEX submission_step_submission ON submission_step (submission_id, id);

-- outbox_event and processed_event come from service-commons (db/recordline-commons).
