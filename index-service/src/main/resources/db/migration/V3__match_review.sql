-- The possible-match review: who resolved it, when and why; and a person emptied by a link points at the person
-- its records went to, so that its id is never silently lost.
ALTER TABLE possible_match
    ADD COLUMN resolved_by VARCHAR(200),
    ADD COLUMN resolved_at TIMESTAMPTZ,
    ADD COLUMN reason      VARCHAR(500);
CREATE INDEX possible_match_record ON possible_match (source_record_id);
ALTER TABLE enterprise_person ADD COLUMN merged_into VARCHAR(36) REFERENCES enterprise_person (id);
