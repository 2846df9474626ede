-- How many source records hold each given and family name (normalised as matching compares them), for term-frequency
-- adjustment: two strangers share a common surname far more often than a rare one, so an exact agreement on a common
-- name weighs less. The row with the empty name counts the source records that have the field at all. Kept by the
-- filing, a batch in one statement (PersonMatcher.countNames); filled here from the records already filed.
CREATE TABLE name_frequency (
    field   CHAR(1) NOT NULL, -- g given, f family
    name    TEXT    NOT NULL,
    records BIGINT  NOT NULL,
    PRIMARY KEY (field, name)
);
INSERT INTO name_frequency (field, name, records)
SELECT field, name, count(*) FROM (
    SELECT 'g' AS field, demographics::jsonb ->> 'given' AS name FROM source_record WHERE demographics IS NOT NULL
    UNION ALL
    SELECT 'f', demographics::jsonb ->> 'family' FROM source_record WHERE demographics IS NOT NULL
) n WHERE name IS NOT NULL GROUP BY field, name;
INSERT INTO name_frequency (field, name, records)
SELECT field, '', sum(records) FROM name_frequency GROUP BY field;
