-- Rule packs an administrator loaded (POST /rule-packs). The newest row of a pack id replaces the built-in or
-- earlier version of that id; every instance of the service picks it up at its next batch (seq moves forward).
CREATE TABLE rule_pack (
    seq        BIGSERIAL    PRIMARY KEY,
    pack_id    VARCHAR(64)  NOT NULL,
    version    VARCHAR(32)  NOT NULL,
    yaml       TEXT         NOT NULL,
    loaded_at  TIMESTAMPTZ  NOT NULL,
    loaded_by  VARCHAR(200) NOT NULL,
    UNIQUE (pack_id, version)
);
