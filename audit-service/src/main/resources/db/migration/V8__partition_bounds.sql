-- A partition is made only for a month up to two months from the database's now (a clock far ahead cannot fill the
-- schema with partitions, or make one whose name sorts before the others), with the month's bounds written in UTC
-- whatever the calling session's time zone.
CREATE OR REPLACE FUNCTION audit_ensure_partition(p_at TIMESTAMPTZ) RETURNS TEXT LANGUAGE plpgsql SECURITY DEFINER
    SET search_path = ${flyway:defaultSchema}, pg_temp SET TimeZone = 'UTC' AS $$
DECLARE
    month TIMESTAMP := date_trunc('month', p_at AT TIME ZONE 'UTC');
    name  TEXT := 'audit_entry_' || to_char(month, 'YYYY_MM');
BEGIN
    IF p_at > now() + INTERVAL '2 months' OR p_at < TIMESTAMPTZ '0001-01-01 00:00:00+00' THEN
        RAISE EXCEPTION 'no audit partition is made for %: more than two months from now', p_at
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I PARTITION OF audit_entry FOR VALUES FROM (%L) TO (%L)', name,
                       (month AT TIME ZONE 'UTC')::TEXT, ((month + INTERVAL '1 month') AT TIME ZONE 'UTC')::TEXT);
        EXECUTE format('CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON %I'
                       ' FOR EACH STATEMENT EXECUTE FUNCTION audit_entry_refuse_change()', name);
    END IF;
    RETURN name;
END
$$;
ALTER FUNCTION audit_drop_partition(TIMESTAMPTZ) SET TimeZone = 'UTC';
