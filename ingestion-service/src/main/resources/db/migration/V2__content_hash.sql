-- The SHA-256 of what was submitted (the request body, the HL7 v2 message), so that a resend under the same
-- idempotency key is told apart from different content under a reused key (refused: 409, or AR 205 for HL7 v2).
-- Null for submissions recorded before: a resend of one of those is taken as a resend.
ALTER TABLE submission ADD COLUMN content_sha256 BYTEA;

-- A submission without an idempotency key is a resend when it repeats the latest submission of the same source
-- record (same source, same patient, same content): found through this index.
CREATE INDEX submission_record_latest ON submission (source_record_key, received_at DESC);
