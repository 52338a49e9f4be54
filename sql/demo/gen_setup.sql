-- Generator helpers in schema kontor_gen (dropped again by gen_finish.sql).

DROP SCHEMA IF EXISTS kontor_gen CASCADE;
CREATE SCHEMA kontor_gen;

CREATE TABLE kontor_gen.param (
    scale        text PRIMARY KEY,
    customers    bigint NOT NULL,
    orders       bigint NOT NULL,
    interactions bigint NOT NULL,
    days         integer NOT NULL
);

CREATE FUNCTION kontor_gen.assert(p_ok boolean, p_msg text) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_ok IS DISTINCT FROM true THEN
        RAISE EXCEPTION 'demo data: %', p_msg;
    END IF;
END $$;

-- Uniform pseudo-random number in [0, 1) for (purpose s, row i).
CREATE FUNCTION kontor_gen.u(s integer, i bigint) RETURNS float8
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT ((hashint8extended(i, s) >> 11) & 9007199254740991)::float8 / 9007199254740992.0 $$;

-- Integer in [lo, hi].
CREATE FUNCTION kontor_gen.ri(s integer, i bigint, lo bigint, hi bigint) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT lo + floor(kontor_gen.u(s, i) * (hi - lo + 1))::bigint $$;

-- Interval of between lo and hi minutes.
CREATE FUNCTION kontor_gen.mins(s integer, i bigint, lo float8, hi float8) RETURNS interval
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT make_interval(secs => 60 * (lo + kontor_gen.u(s, i) * (hi - lo))) $$;

-- Pick from a weighted list: p_cum are the cumulative lower bounds (first 0).
CREATE FUNCTION kontor_gen.pick(p_u float8, p_cum float8[]) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT width_bucket(p_u, p_cum) $$;

-- Code of p_len characters from the alphabet of kontor.random_code, the
-- base-31 digits of v (a permutation of a row number keeps codes unique).
CREATE FUNCTION kontor_gen.code31(v bigint, p_len integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    res text := '';
    x bigint := v;
BEGIN
    FOR k IN 1..p_len LOOP
        res := substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ', 1 + (x % 31)::integer, 1) || res;
        x := x / 31;
    END LOOP;
    RETURN res;
END $$;

-- German transliteration keeping case (Müller -> Mueller, José -> Jose).
CREATE FUNCTION kontor_gen.translit(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT public.unaccent('public.unaccent'::regdictionary,
       replace(replace(replace(replace(replace(replace(replace(p,
           'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'Ä', 'Ae'), 'Ö', 'Oe'), 'Ü', 'Ue'), 'ß', 'ss'))
$$;

-- Moves a time into opening hours [p_open, p_close) local time (Europe/Berlin),
-- Monday to Saturday: before opening -> that morning, after closing or on a
-- Sunday -> the next opening morning, plus up to an hour (p_u).
CREATE FUNCTION kontor_gen.open_time(ts timestamptz, p_u float8, p_open integer, p_close integer)
RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL SAFE
AS $$
DECLARE
    l timestamp := ts AT TIME ZONE 'Europe/Berlin';
    h integer := extract(hour FROM l);
    d integer := extract(isodow FROM l);
BEGIN
    IF d = 7 THEN
        RETURN (date_trunc('day', l) + interval '1 day' + make_interval(hours => p_open)
                + p_u * interval '1 hour') AT TIME ZONE 'Europe/Berlin';
    ELSIF h < p_open THEN
        RETURN (date_trunc('day', l) + make_interval(hours => p_open)
                + p_u * interval '1 hour') AT TIME ZONE 'Europe/Berlin';
    ELSIF h >= p_close - 1 THEN
        RETURN (date_trunc('day', l) + CASE WHEN d = 6 THEN interval '2 days' ELSE interval '1 day' END
                + make_interval(hours => p_open) + p_u * interval '1 hour') AT TIME ZONE 'Europe/Berlin';
    END IF;
    RETURN ts;
END $$;

-- Non-constraint indexes of the big tables are dropped for the load and
-- rebuilt from their saved definitions at the end (much faster than
-- maintaining them row by row; the unique ones are verified on rebuild).
CREATE TABLE kontor_gen.saved_index (name text PRIMARY KEY, def text NOT NULL);
INSERT INTO kontor_gen.saved_index (name, def)
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
JOIN pg_class t ON t.oid = i.indrelid
JOIN pg_namespace n ON n.oid = t.relnamespace
WHERE n.nspname = 'kontor'
  AND t.relname IN ('customer', 'customer_identity', 'consent', 'interaction', 'sales_order',
                    'order_line', 'payment', 'return_order', 'return_line', 'refund', 'order_event',
                    'order_note', 'notification_outbox', 'customer_duplicate')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid);
DO $$
DECLARE r record;
BEGIN
    FOR r IN SELECT name FROM kontor_gen.saved_index LOOP
        EXECUTE 'DROP INDEX ' || r.name;
    END LOOP;
END $$;
