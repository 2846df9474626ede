-- Records held back by the completeness check, for records technicians to work on.
CREATE TABLE quarantined_record (
    submission_id     VARCHAR(36)  PRIMARY KEY,
    source_system     VARCHAR(200) NOT NULL,
    source_record_key VARCHAR(300) NOT NULL,
    resource_type     VARCHAR(64)  NOT NULL,
    issues            JSONB        NOT NULL,
    fhir              JSONB        NOT NULL,
    status            VARCHAR(20)  NOT NULL,
    quarantined_at    TIMESTAMPTZ  NOT NULL
);
CREATE INDEX quarantined_record_open ON quarantined_record (status, quarantined_at);

-- outbox_event and processed_event come from service-commons (db/recordline-commons).
