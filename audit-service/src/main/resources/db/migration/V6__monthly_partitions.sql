-- The log in monthly partitions, so that a retention period can remove whole months (retention anchors keep the rest
-- verifiable), with every patient id an entry names stored beside it for queries, and fewer indexes to update per
-- append. The entries of the log before this migration are copied over once (about a minute per million entries).
ALTER TABLE audit_entry RENAME TO audit_entry_v5;
ALTER TABLE audit_entry_v5 RENAME CONSTRAINT audit_entry_pkey TO audit_entry_v5_pkey;
DROP INDEX audit_entry_submission, audit_entry_patient, audit_entry_actor, audit_entry_time, audit_entry_patient_ids;

-- Partitioned by the month (UTC) of recorded_at, which appends keep monotonic with seq (the chain head remembers the
-- last one), so every partition is a contiguous run of the log and the oldest partition is always a prefix of it.
CREATE TABLE audit_entry (
    seq           BIGINT       NOT NULL,
    event_id      VARCHAR(100) NOT NULL,
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
    entry_hash    BYTEA        NOT NULL,
    context       TEXT,
    -- every patient id the entry names, in this order: patient_ref, the context's personId, previousPersonId and
    -- sourceIds, without nulls (what audit_patient_ids(patient_ref, context) gives). Derived from hashed fields; the
    -- verifier derives it again for every entry it checks, so a changed array is caught like a changed field.
    patient_ids   TEXT[],
    PRIMARY KEY (seq, recorded_at)
) PARTITION BY RANGE (recorded_at);

CREATE TRIGGER audit_entry_no_update_delete BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change();

-- The partition of the month (UTC) that p_at falls in, made when missing, with its own truncate guard (row triggers
-- are inherited from audit_entry, statement triggers are not). Runs as this schema's owner: the service's role, which
-- owns nothing, calls it when its appends enter a new month.
CREATE FUNCTION audit_ensure_partition(p_at TIMESTAMPTZ) RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = ${flyway:defaultSchema}, pg_temp AS $$
DECLARE
    month TIMESTAMP := date_trunc('month', p_at AT TIME ZONE 'UTC');
    name  TEXT := 'audit_entry_' || to_char(month, 'YYYY_MM');
BEGIN
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_entry FOR VALUES FROM (%L) TO (%L)', name,
                       (month AT TIME ZONE 'UTC')::TEXT, ((month + INTERVAL '1 month') AT TIME ZONE 'UTC')::TEXT);
        EXECUTE format('CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()', name);
    END IF;
    RETURN name;
END
$$;
REVOKE ALL ON FUNCTION audit_ensure_partition(TIMESTAMPTZ) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_ensure_partition(TIMESTAMPTZ) TO ${app_role};

-- A retention anchor: where the log begins after its oldest months were removed. Entries 1 to tree_size are gone;
-- last_hash is entry tree_size's hash (the next entry's prev_hash), frontier the Merkle tree's right edge at that size
-- (32-byte subtree roots, largest first), block_leaves the leaf hashes of the removed entries in the last 1024-leaf
-- block they share with kept ones (for proofs). Signed by the audit-service's checkpoint key over its note (see
-- RetentionAnchor), so the verifier starts from it only when a trusted key vouches for it.
CREATE TABLE audit_anchor (
    tree_size      BIGINT       PRIMARY KEY,
    last_hash      BYTEA        NOT NULL,
    frontier       BYTEA        NOT NULL,
    block_leaves   BYTEA        NOT NULL,
    removed_before TIMESTAMPTZ  NOT NULL,
    created_at     TIMESTAMPTZ  NOT NULL,
    key_id         VARCHAR(100) NOT NULL,
    signature      BYTEA        NOT NULL
);
CREATE TRIGGER audit_anchor_no_update_delete BEFORE UPDATE OR DELETE ON audit_anchor
    FOR EACH ROW EXECUTE FUNCTION audit_entry_refuse_change();
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor
    FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change();
REVOKE ALL ON audit_anchor FROM PUBLIC;
GRANT SELECT, INSERT ON audit_anchor TO ${app_role};

-- The shortest retention the database allows, whatever the service is configured with: six years (HIPAA's
-- documentation retention, 45 CFR 164.316(b)(2)). Only the schema's owner may lower it.
CREATE TABLE audit_settings (
    id              SMALLINT PRIMARY KEY CHECK (id = 1),
    retention_floor INTERVAL NOT NULL
);
INSERT INTO audit_settings (id, retention_floor) VALUES (1, INTERVAL '6 years');
REVOKE ALL ON audit_settings FROM PUBLIC;
GRANT SELECT ON audit_settings TO ${app_role};

-- Removes the oldest partition, the month (UTC) p_month falls in, and returns the last entry it held (null when it
-- held none). Refused unless the month ended longer ago than the retention floor, no older partition remains, a
-- retention anchor at its last entry exists, and no later partition holds an entry at or before it. Runs as the owner.
CREATE FUNCTION audit_drop_partition(p_month TIMESTAMPTZ) RETURNS BIGINT LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = ${flyway:defaultSchema}, pg_temp AS $$
DECLARE
    month TIMESTAMP := date_trunc('month', p_month AT TIME ZONE 'UTC');
    name  TEXT := 'audit_entry_' || to_char(month, 'YYYY_MM');
    ends  TIMESTAMPTZ := (month + INTERVAL '1 month') AT TIME ZONE 'UTC';
    keep  INTERVAL;
    last  BIGINT;
BEGIN
    IF to_regclass(name) IS NULL THEN
        RAISE EXCEPTION 'the audit log has no partition %', name USING ERRCODE = 'undefined_table';
    END IF;
    SELECT retention_floor INTO keep FROM audit_settings WHERE id = 1;
    IF ends > now() - keep THEN
        RAISE EXCEPTION 'audit partition % ends % : within the retention floor of %', name, ends, keep
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = 'audit_entry'::regclass AND c.relname < name) THEN
        RAISE EXCEPTION 'audit partition % is not the oldest', name USING ERRCODE = 'insufficient_privilege';
    END IF;
    EXECUTE format('SELECT max(seq) FROM %I', name) INTO last;
    IF last IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM audit_anchor WHERE tree_size = last) THEN
            RAISE EXCEPTION 'no retention anchor at entry %, the last of %', last, name
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        IF EXISTS (SELECT 1 FROM audit_entry WHERE seq <= last AND recorded_at >= ends) THEN
            RAISE EXCEPTION 'a later audit partition holds entries at or before %', last
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    EXECUTE format('DROP TABLE %I', name);
    RETURN last;
END
$$;
REVOKE ALL ON FUNCTION audit_drop_partition(TIMESTAMPTZ) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_drop_partition(TIMESTAMPTZ) TO ${app_role};

-- The last entry's recorded_at: an append records max(now, this), so recorded_at never goes back even when two
-- instances' clocks differ.
ALTER TABLE audit_chain_head ADD COLUMN last_recorded_at TIMESTAMPTZ;
UPDATE audit_chain_head SET last_recorded_at = (SELECT max(recorded_at) FROM audit_entry_v5) WHERE id = 1;

-- the months the log holds, and this one
DO $$
DECLARE
    m TIMESTAMPTZ;
BEGIN
    FOR m IN SELECT DISTINCT date_trunc('month', recorded_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
             FROM audit_entry_v5 LOOP
        PERFORM audit_ensure_partition(m);
    END LOOP;
    PERFORM audit_ensure_partition(now());
END
$$;

INSERT INTO audit_entry (seq, event_id, occurred_at, recorded_at, service, action, outcome, actor, submission_id,
                         patient_ref, purpose, detail, prev_hash, entry_hash, context, patient_ids)
SELECT seq, event_id, occurred_at, recorded_at, service, action, outcome, actor, submission_id, patient_ref, purpose,
       detail, prev_hash, entry_hash, context, audit_patient_ids(patient_ref, context)
FROM audit_entry_v5 ORDER BY seq;

DROP TABLE audit_entry_v5;

-- The indexes, made after the copy (each partition gets them, and so does every partition made later). Event ids are
-- unique in the log: appends look them up under the chain head's lock, in the partitions of the last two months.
CREATE INDEX audit_entry_event ON audit_entry (event_id);
CREATE INDEX audit_entry_submission ON audit_entry (submission_id) WHERE submission_id IS NOT NULL;
CREATE INDEX audit_entry_actor ON audit_entry (actor, occurred_at);
CREATE INDEX audit_entry_time ON audit_entry USING brin (occurred_at);
CREATE INDEX audit_entry_patient_ids ON audit_entry USING gin (patient_ids);

REVOKE ALL ON audit_entry FROM PUBLIC;
GRANT SELECT, INSERT ON audit_entry TO ${app_role};
