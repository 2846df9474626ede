-- A source record's normalised demographics are written by the index and read back only by it, whole, as the
-- candidates of every match: kept as the JSON text the service wrote, they cost PostgreSQL no jsonb parse on each
-- write and no conversion back to text on each candidate read.
ALTER TABLE source_record ALTER COLUMN demographics TYPE TEXT USING demographics::text;
