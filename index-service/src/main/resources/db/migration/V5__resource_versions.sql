-- A person's chart: each resource keeps its version number and the date it is about (the clinical date, when the
-- resource has one: effective, onset, period start, authored, recorded, issued, ...); every superseded version is
-- kept in record_resource_version, written by the trigger below whenever a filing changes a resource's content (a
-- re-sent identical resource is not a new version). Inserting a resource costs nothing extra.
ALTER TABLE record_resource
    ADD COLUMN version       INT         NOT NULL DEFAULT 1,
    ADD COLUMN clinical_date TIMESTAMPTZ;

CREATE TABLE record_resource_version (
    record_resource_id BIGINT      NOT NULL REFERENCES record_resource (id),
    version            INT         NOT NULL,
    submission_id      VARCHAR(36) NOT NULL,
    resource           JSONB       NOT NULL,
    clinical_date      TIMESTAMPTZ,
    filed_at           TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (record_resource_id, version)
);

CREATE FUNCTION keep_resource_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO record_resource_version (record_resource_id, version, submission_id, resource, clinical_date, filed_at)
    VALUES (OLD.id, OLD.version, OLD.submission_id, OLD.resource, OLD.clinical_date, OLD.filed_at);
    NEW.version := OLD.version + 1;
    RETURN NEW;
END;
$$;

CREATE TRIGGER record_resource_versioned BEFORE UPDATE ON record_resource FOR EACH ROW
    WHEN (OLD.resource IS DISTINCT FROM NEW.resource) EXECUTE FUNCTION keep_resource_version();
