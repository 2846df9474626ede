-- Shared by every service with an outbox (service-commons); versions 0.x are reserved for this location.

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

-- Idempotent consumers: ids of the events each consumer has applied (a CloudEvents id is at most 100 characters).
CREATE TABLE processed_event (
    consumer     VARCHAR(100) NOT NULL,
    event_id     VARCHAR(100) NOT NULL,
    processed_at TIMESTAMPTZ  NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);
-- the purge removes rows older than the topics' retention
CREATE INDEX processed_event_age ON processed_event (processed_at);
