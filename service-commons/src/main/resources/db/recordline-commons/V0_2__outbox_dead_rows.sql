-- Outbox rows the broker refused for good (too large, not authorised, no such topic), moved here by the relay so
-- that they do not block the rows behind them. An operator inspects them, fixes the cause and moves them back.
CREATE TABLE outbox_dead_event (
    id         BIGINT       PRIMARY KEY,
    topic      VARCHAR(200) NOT NULL,
    msg_key    VARCHAR(300),
    headers    JSONB        NOT NULL,
    payload    BYTEA        NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL,
    failed_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
    reason     VARCHAR(200) NOT NULL
);
