-- The roots of the Merkle tree's aligned blocks of 1024 leaves (block idx: leaves idx * 1024 to idx * 1024 + 1023,
-- i.e. entries seq idx * 1024 + 1 onwards), kept as each block completes, so that proofs read whole blocks' roots and
-- the leaves of at most a few blocks. Derived from the log: a wrong row gives proofs that do not verify against the
-- signed roots; insert-only like the log.
CREATE TABLE audit_block (
    idx  BIGINT PRIMARY KEY,
    hash BYTEA  NOT NULL
);
CREATE TRIGGER audit_block_no_update_delete BEFORE UPDATE OR DELETE ON audit_block
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();
CREATE TRIGGER audit_block_no_truncate BEFORE TRUNCATE ON audit_block
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change();
GRANT SELECT, INSERT ON audit_block TO ${app_role};
