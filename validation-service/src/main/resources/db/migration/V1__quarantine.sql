-- Records held back by the completeness check, for records technicians to work on.
CREATE TABLE quarantined_record (
    submission_id     VARCHAR(36)  PRIMARY KEY,
    source_system     VARCHAR(200) NOT NULL,
    source_record_key VARCHAR(300) NOT NULL,
    resource_type     VARCHAR(64)  NOT NULL,
    issues            JSONB        NOT NULL,
    fhir              JSONB        NOT NULL,
    status            VARCHAR(20)  NOT NULL,
    quarantined_at    TIMESTAMPTZ  NOT NULL
);
CREATE INDEX quarantined_record_open ON quarantined_record (status, quarantined_at);

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
