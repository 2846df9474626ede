-- Blocking keys as 64-bit hashes of their text (PostgreSQL's hashtextextended, seed 0, the hash that hash
-- partitioning keeps stable across versions): an eighth of the index of the text keys, compared as integers. The
-- service passes the text keys and the statements hash them, so no other code computes the hash. Two different keys
-- that hash alike only add a candidate, which the comparison then scores; nothing is lost. The keys are derived from
-- source_record.demographics and written with it in one transaction, so no foreign key checks each of them.
CREATE TABLE block_key_hashed (
    key              BIGINT NOT NULL,
    source_record_id BIGINT NOT NULL,
    PRIMARY KEY (key, source_record_id)
);
INSERT INTO block_key_hashed (key, source_record_id)
    SELECT DISTINCT hashtextextended(key, 0), source_record_id FROM block_key;
DROP TABLE block_key;
ALTER TABLE block_key_hashed RENAME TO block_key;
ALTER INDEX block_key_hashed_pkey RENAME TO block_key_pkey;
CREATE INDEX block_key_record ON block_key (source_record_id);
