-- The history of every person: each move of source records from one person to another (an accepted possible match,
-- a technician's link, unlink, merge or unmerge), who did it, when and why. A merge that was undone points at the
-- unmerge that undid it, and the unmerge at the merge.
CREATE TABLE person_change (
    id                BIGSERIAL    PRIMARY KEY,
    action            VARCHAR(20)  NOT NULL
        CHECK (action IN ('reviewed-link', 'link', 'unlink', 'merge', 'unmerge')),
    from_person_id    VARCHAR(36)  NOT NULL REFERENCES enterprise_person (id),
    to_person_id      VARCHAR(36)  NOT NULL REFERENCES enterprise_person (id),
    -- the source records moved (source_record.id), in id order
    source_record_ids BIGINT[]     NOT NULL,
    -- whether this change marked from_person_id merged into to_person_id (it kept no source record)
    from_merged       BOOLEAN      NOT NULL,
    actor             VARCHAR(200) NOT NULL,
    reason            VARCHAR(500) NOT NULL,
    at                TIMESTAMPTZ  NOT NULL,
    -- for a reviewed-link: the possible match accepted
    possible_match_id BIGINT       REFERENCES possible_match (id),
    -- for an unmerge: the merge it undid
    undoes            BIGINT       REFERENCES person_change (id),
    -- for a merge: the unmerge that undid it
    undone_by         BIGINT       REFERENCES person_change (id)
);
CREATE INDEX person_change_from ON person_change (from_person_id, id);
CREATE INDEX person_change_to ON person_change (to_person_id, id);
