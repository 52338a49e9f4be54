-- CSV made by PostgreSQL for batch exports: rows as a JSON array of objects
-- (json, so key order is the query's column order) and the header names.
-- RFC 4180: a field with a comma, quote, CR or LF is quoted, quotes doubled.
CREATE OR REPLACE FUNCTION kontor.csv_field(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN v IS NULL THEN ''
        WHEN v ~ '[",\r\n]' OR v <> btrim(v) THEN '"' || replace(v, '"', '""') || '"'
        ELSE v
    END
$$;

CREATE OR REPLACE FUNCTION kontor.csv_from_json(rows json, VARIADIC header text[])
RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (SELECT string_agg(kontor.csv_field(h), ',' ORDER BY i)
              FROM unnest(header) WITH ORDINALITY AS u(h, i)) || E'\r\n'
        || coalesce((SELECT string_agg(
                   (SELECT string_agg(kontor.csv_field(r ->> h), ',' ORDER BY i)
                      FROM unnest(header) WITH ORDINALITY AS u(h, i)), E'\r\n' ORDER BY n)
                || E'\r\n'
              FROM json_array_elements(rows) WITH ORDINALITY AS e(r, n)), '')
$$;

REVOKE ALL ON FUNCTION kontor.csv_field(text) FROM PUBLIC;
REVOKE ALL ON FUNCTION kontor.csv_from_json(json, text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kontor.csv_field(text), kontor.csv_from_json(json, text[])
    TO kontor_clerk, kontor_service, kontor_manager, kontor_admin;
