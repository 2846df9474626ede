-- Which person a source record belongs to now is read from the log's own hashed entries (the index-service's filings
-- and moves, found through patient_ids), not from a mutable table beside the log: audit_person_source goes.
DROP TABLE audit_person_source;
