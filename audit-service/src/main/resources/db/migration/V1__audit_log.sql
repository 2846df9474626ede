-- The audit log: append-only and hash-chained. Each entry's hash covers the previous entry's hash and the entry's
-- own fields, so a changed, removed or reordered entry breaks the chain from that position on.
CREATE TABLE audit_entry (
    seq           BIGINT       PRIMARY KEY,
    event_id      VARCHAR(100) NOT NULL UNIQUE,
    occurred_at   TIMESTAMPTZ  NOT NULL,
    recorded_at   TIMESTAMPTZ  NOT NULL,
    service       VARCHAR(100) NOT NULL,
    action        VARCHAR(100) NOT NULL,
    outcome       VARCHAR(20)  NOT NULL,
    actor         VARCHAR(200) NOT NULL,
    submission_id VARCHAR(36),
    patient_ref   VARCHAR(300),
    purpose       VARCHAR(100),
    detail        VARCHAR(1000),
    prev_hash     BYTEA        NOT NULL,
    entry_hash    BYTEA        NOT NULL
);
CREATE INDEX audit_entry_submission ON audit_entry (submission_id) WHERE submission_id IS NOT NULL;
CREATE INDEX audit_entry_patient ON audit_entry (patient_ref) WHERE patient_ref IS NOT NULL;
CREATE INDEX audit_entry_actor ON audit_entry (actor, occurred_at);
CREATE INDEX audit_entry_time ON audit_entry (occurred_at);

-- The head of the chain: the last sequence number and hash. One row; appends lock it, which serialises them.
CREATE TABLE audit_chain_head (
    id        SMALLINT PRIMARY KEY CHECK (id = 1),
    last_seq  BIGINT   NOT NULL,
    last_hash BYTEA    NOT NULL
);
INSERT INTO audit_chain_head (id, last_seq, last_hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- Nobody changes history: not the service, not the owner.
CREATE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_entry is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change();

-- The service's run-time role may read and append, nothing else; it owns nothing, so it can neither alter nor disable
-- the triggers above. This migration runs as the schema's owner role. Both roles are created by whoever provisions
-- the database (the local launcher and the tests: test-support's Database; Kubernetes: the cluster's bootstrap).
GRANT USAGE ON SCHEMA ${flyway:defaultSchema} TO ${app_role};
REVOKE ALL ON audit_entry FROM PUBLIC;
GRANT SELECT, INSERT ON audit_entry TO ${app_role};
GRANT SELECT, UPDATE ON audit_chain_head TO ${app_role};
