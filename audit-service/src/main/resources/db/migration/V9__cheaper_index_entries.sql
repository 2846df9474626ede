-- Every appended entry adds one entry to each index of the log, and those index entries were most of PostgreSQL's
-- time per append (issue 9, docs/benchmarks.md). Measured on 100,000 + 100,000 rows like the benchmark's, INSERT ...
-- SELECT into a copy of audit_entry: 20.0 / 28.7 µs a row with the indexes as they were, 13.2 / 16.4 µs with these.
--
-- Event ids and submission ids are only ever looked up by equality (= and = ANY): a hash index inserts without
-- comparing strings down a B-tree of random UUIDs.
DROP INDEX audit_entry_event;
CREATE INDEX audit_entry_event ON audit_entry USING hash (event_id);
DROP INDEX audit_entry_submission;
CREATE INDEX audit_entry_submission ON audit_entry USING hash (submission_id) WHERE submission_id IS NOT NULL;
-- Actors and patient ids are compared byte by byte (collation "C"): the database's default collation compares with
-- the C library's locale rules, which costs more and orders nothing the log's queries need (they match by equality
-- and overlap, and order by seq or time). Changing the collation rebuilds the two indexes, not the table.
ALTER TABLE audit_entry ALTER COLUMN actor TYPE VARCHAR(200) COLLATE "C";
ALTER TABLE audit_entry ALTER COLUMN patient_ids TYPE TEXT[] COLLATE "C";
