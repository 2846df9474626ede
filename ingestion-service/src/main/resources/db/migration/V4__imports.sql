-- Bulk NDJSON imports (POST /fhir/$import): one row a job, its progress and its per-line errors.
CREATE TABLE import_job (
    id             VARCHAR(36)  PRIMARY KEY,
    source_system  VARCHAR(200) NOT NULL,
    -- the Idempotency-Key, or the SHA-256 of the body or the manifest: a resend names the same job
    job_key        VARCHAR(200) NOT NULL,
    -- BODY (NDJSON in the request) or MANIFEST (files under the import directory, listed in manifest)
    kind           VARCHAR(10)  NOT NULL,
    manifest       TEXT,
    -- STAGING, SUBMITTING, DONE or FAILED
    status         VARCHAR(12)  NOT NULL,
    lines_read     BIGINT       NOT NULL DEFAULT 0,
    lines_taken    BIGINT       NOT NULL DEFAULT 0,
    patients       INTEGER      NOT NULL DEFAULT 0,
    submissions    INTEGER      NOT NULL DEFAULT 0,
    error_count    BIGINT       NOT NULL DEFAULT 0,
    -- the first errors, one a line: "<file> line <n>: <reason>" (never a value of the line)
    errors         TEXT,
    detail         VARCHAR(500),
    created_at     TIMESTAMPTZ  NOT NULL,
    updated_at     TIMESTAMPTZ  NOT NULL,
    CONSTRAINT import_job_key UNIQUE (source_system, job_key)
);

-- Lines of a running import, staged so that they can be grouped by patient across the files of a bulk export (one
-- file a resource type) with constant memory; deleted once the job's submissions are recorded.
CREATE TABLE import_line (
    job_id        VARCHAR(36)  NOT NULL REFERENCES import_job (id) ON DELETE CASCADE,
    patient_id    VARCHAR(64)  NOT NULL,
    is_patient    BOOLEAN      NOT NULL,
    seq           BIGINT       NOT NULL,
    line_ref      VARCHAR(300) NOT NULL,
    resource_json TEXT         NOT NULL
);
CREATE INDEX import_line_grouped ON import_line (job_id, patient_id, is_patient DESC, seq);
