-- The log as an RFC 9162 Merkle tree beside the hash chain: leaf i is the entry with seq i + 1 (its leaf hash is
-- SHA-256(0x00 || entry_hash)). The head keeps the tree's right edge (the roots of its perfect subtrees, largest first,
-- 32 bytes each, concatenated) so that appends never read the leaves before. A head with tree_size below last_seq (a
-- log from before this migration) catches up on the next append.
ALTER TABLE audit_chain_head
    ADD COLUMN tree_size     BIGINT NOT NULL DEFAULT 0,
    ADD COLUMN tree_frontier BYTEA  NOT NULL DEFAULT ''::bytea;

-- Signed checkpoints: the tree's size and root at a moment, signed with Ed25519 by the key named key_id. Kept here and
-- meant to be copied out of the database, so that a rewritten log cannot produce the roots already published.
CREATE TABLE audit_checkpoint (
    tree_size  BIGINT       PRIMARY KEY,
    root_hash  BYTEA        NOT NULL,
    created_at TIMESTAMPTZ  NOT NULL,
    key_id     VARCHAR(100) NOT NULL,
    signature  BYTEA        NOT NULL
);

-- the refusal names its table (for audit_entry the message is unchanged)
CREATE OR REPLACE FUNCTION audit_entry_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER audit_checkpoint_no_update_delete BEFORE UPDATE OR DELETE ON audit_checkpoint
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();
CREATE TRIGGER audit_checkpoint_no_truncate BEFORE TRUNCATE ON audit_checkpoint
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change();

REVOKE ALL ON audit_checkpoint FROM PUBLIC;
GRANT SELECT, INSERT ON audit_checkpoint TO ${app_role};
