-- The quarantine keeps a record exactly as it was sent (key order, spacing, numbers as written) and can keep one that
-- PostgreSQL's jsonb refuses, such as a string escaping U+0000: the fast conformance layer quarantines that record,
-- and a technician must be able to read and correct it. Nothing queries inside the record.
ALTER TABLE quarantined_record ALTER COLUMN fhir TYPE TEXT USING fhir::text;
ALTER TABLE quarantine_history ALTER COLUMN fhir TYPE TEXT USING fhir::text;
