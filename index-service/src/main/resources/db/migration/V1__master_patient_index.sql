-- The master patient index: enterprise persons, the source patient records filed under them, the identifiers that
-- link them, and every other resource of a submission filed under its person.
CREATE TABLE enterprise_person (
    id         VARCHAR(36) PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE source_record (
    id                   BIGSERIAL    PRIMARY KEY,
    source_record_key    VARCHAR(300) NOT NULL UNIQUE,
    source_system        VARCHAR(200) NOT NULL,
    enterprise_person_id VARCHAR(36)  NOT NULL REFERENCES enterprise_person (id),
    patient              JSONB        NOT NULL,
    last_submission_id   VARCHAR(36)  NOT NULL,
    match_rule           VARCHAR(40)  NOT NULL,
    created_at           TIMESTAMPTZ  NOT NULL,
    updated_at           TIMESTAMPTZ  NOT NULL
);
CREATE INDEX source_record_person ON source_record (enterprise_person_id);

CREATE TABLE person_identifier (
    system               VARCHAR(500) NOT NULL,
    value                VARCHAR(500) NOT NULL,
    enterprise_person_id VARCHAR(36)  NOT NULL REFERENCES enterprise_person (id),
    source_record_id     BIGINT       NOT NULL REFERENCES source_record (id),
    PRIMARY KEY (system, value)
);
CREATE INDEX person_identifier_person ON person_identifier (enterprise_person_id);

CREATE TABLE record_resource (
    id                   BIGSERIAL    PRIMARY KEY,
    enterprise_person_id VARCHAR(36)  NOT NULL REFERENCES enterprise_person (id),
    source_record_id     BIGINT       NOT NULL REFERENCES source_record (id),
    submission_id        VARCHAR(36)  NOT NULL,
    resource_type        VARCHAR(64)  NOT NULL,
    resource_id          VARCHAR(200) NOT NULL,
    resource             JSONB        NOT NULL,
    filed_at             TIMESTAMPTZ  NOT NULL,
    CONSTRAINT record_resource_identity UNIQUE (source_record_id, resource_type, resource_id)
);
CREATE INDEX record_resource_person ON record_resource (enterprise_person_id, resource_type);

-- outbox_event and processed_event come from service-commons (db/recordline-commons).
