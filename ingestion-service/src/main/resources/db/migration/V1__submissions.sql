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

-- Transactional outbox: events committed with the state change they describe, published by the relay.
CREATE TABLE outbox_event (
    id         BIGSERIAL    PRIMARY KEY,
    topic      VARCHAR(200) NOT NULL,
    msg_key    VARCHAR(300),
    headers    JSONB        NOT NULL,
    payload    BYTEA        NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL DEFAULT now()
);
-- resends of a submission look up its unpublished events
CREATE INDEX outbox_event_correlation ON outbox_event ((headers ->> 'ce_correlationid'));

-- Idempotent consumers: ids of the events each consumer has applied.
CREATE TABLE processed_event (
    consumer     VARCHAR(100) NOT NULL,
    event_id     VARCHAR(100) NOT NULL,
    processed_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
