-- The version of the blocking rules (org.recordline.index.domain.matching.Blocking.VERSION) the stored block_key rows
-- were made by. The keys are computed in Java (phonetic codes), so a migration cannot rebuild them; the service does
-- at start-up when this version is older than its own (BlockingKeyMaintenance), and then records the new one.
-- Keys stored before this table existed are version 1.
CREATE TABLE blocking_rules (
    version    INT         NOT NULL,
    rebuilt_at TIMESTAMPTZ
);
INSERT INTO blocking_rules (version) VALUES (1);
