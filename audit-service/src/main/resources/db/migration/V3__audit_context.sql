-- The rest of an accountable act (roles, on whose behalf, client address, correlation id, the patient's person and
-- source ids, the records): the event's context as compact JSON text, exactly as hashed (an eleventh field of the
-- entry hash when present, so entries without one keep their hashes).
ALTER TABLE audit_entry ADD COLUMN context TEXT;

-- Every patient id an entry names (patient_ref, the context's personId, previousPersonId and sourceIds), for queries by patient. Derived
-- from hashed fields only: there is nothing beside the log to tamper with.
CREATE FUNCTION audit_patient_ids(patient_ref TEXT, context TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT array_remove(ARRAY[patient_ref, (context::jsonb) ->> 'personId', (context::jsonb) ->> 'previousPersonId']
        || COALESCE(ARRAY(SELECT jsonb_array_elements_text((context::jsonb) -> 'sourceIds')), '{}'::TEXT[]), NULL)
$$;
CREATE INDEX audit_entry_patient_ids ON audit_entry USING gin (audit_patient_ids(patient_ref, context));

-- Which enterprise person each source record is linked to, as the index-service's own audit events say (filings,
-- links, unlinks, merges, unmerges), the latest by occurred_at winning. Not part of the log: a lookup that lets a query
-- by any of a patient's ids find every entry about any source record linked to the person now.
CREATE TABLE audit_person_source (
    source_id   VARCHAR(300) PRIMARY KEY,
    person_id   VARCHAR(100) NOT NULL,
    occurred_at TIMESTAMPTZ  NOT NULL
);
CREATE INDEX audit_person_source_person ON audit_person_source (person_id);

GRANT SELECT, INSERT, UPDATE ON audit_person_source TO ${app_role};
