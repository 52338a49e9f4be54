-- 0001 foundation: schema, extensions, roles, default privileges and the
-- small pure helpers (normalisation, Kölner Phonetik, codes, version bump)
-- that every later migration uses. Applied in one transaction by the runner.

CREATE SCHEMA IF NOT EXISTS kontor;
REVOKE ALL ON SCHEMA kontor FROM PUBLIC;

CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pgcrypto SCHEMA public;

DO $$ BEGIN
    EXECUTE format('ALTER DATABASE %I SET search_path = kontor, public', current_database());
END $$;
SET LOCAL search_path = kontor, public;

-- Roles are cluster-wide: create them only once.
DO $$
DECLARE r text;
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'kontor_login') THEN
        CREATE ROLE kontor_login LOGIN NOINHERIT;
    END IF;
    FOREACH r IN ARRAY ARRAY['kontor_clerk', 'kontor_service', 'kontor_manager', 'kontor_admin'] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN NOINHERIT', r);
        END IF;
    END LOOP;
END $$;
DO $$
DECLARE r text;
BEGIN
    FOREACH r IN ARRAY ARRAY['kontor_clerk', 'kontor_service', 'kontor_manager', 'kontor_admin'] LOOP
        IF NOT pg_has_role('kontor_login', r, 'MEMBER') THEN
            EXECUTE format('GRANT %I TO kontor_login', r);
        END IF;
    END LOOP;
END $$;
GRANT USAGE ON SCHEMA kontor
    TO kontor_login, kontor_clerk, kontor_service, kontor_manager, kontor_admin;

-- Functions are EXECUTE-able by PUBLIC by default. The global default of the
-- migrating role is changed (a per-schema entry cannot take it away).
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA kontor REVOKE ALL ON TABLES FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA kontor REVOKE ALL ON SEQUENCES FROM PUBLIC;

-- The role the caller is acting as. Inside a SECURITY DEFINER function
-- current_user is the owner, but the GUC "role" still holds what the
-- client SET (LOCAL) ROLE to; with no SET ROLE it is the session user.
CREATE FUNCTION kontor.caller_role() RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT coalesce(nullif(current_setting('role'), 'none'), session_user::text) $$;

CREATE FUNCTION kontor.caller_is_staff_role() RETURNS boolean
LANGUAGE sql STABLE
AS $$ SELECT kontor.caller_role() IN ('kontor_clerk', 'kontor_service', 'kontor_manager', 'kontor_admin') $$;

-- German transliteration: ä→ae, ö→oe, ü→ue, ß→ss, then other accents
-- removed, lower case, runs of non-alphanumerics collapsed to one space.
CREATE FUNCTION kontor.norm_de(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary,
        replace(replace(replace(replace(replace(replace(replace(coalesce(p, ''),
            'ä', 'ae'), 'ö', 'oe'), 'ü', 'ue'), 'Ä', 'Ae'), 'Ö', 'Oe'), 'Ü', 'Ue'), 'ß', 'ss'))),
    '[^[:alnum:]]+', ' ', 'g'))
$$;

-- Plain folding: accents dropped (ü→u), lower case, same spacing rule.
CREATE FUNCTION kontor.norm_plain(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT btrim(regexp_replace(lower(public.unaccent('public.unaccent'::regdictionary, coalesce(p, ''))),
    '[^[:alnum:]]+', ' ', 'g'))
$$;

-- What a search string is normalised with before matching name_norm.
CREATE FUNCTION kontor.search_norm(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT kontor.norm_plain(p) $$;

-- customer.name_norm: "first last" in German transliteration, followed by
-- the plain folding when it differs ("juergen mueller jurgen muller").
CREATE FUNCTION kontor.name_norm(p_first text, p_last text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT CASE WHEN a = b THEN a ELSE a || ' ' || b END
FROM (SELECT kontor.norm_de(coalesce(p_first, '') || ' ' || coalesce(p_last, '')) AS a,
             kontor.norm_plain(coalesce(p_first, '') || ' ' || coalesce(p_last, '')) AS b) s
$$;

-- Kölner Phonetik of one word (letters only).
CREATE FUNCTION kontor.koelner_phonetik_word(p text) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
    s text := upper(p);
    n int := length(s);
    i int;
    c text; prev text; nxt text;
    code text;
    raw text := '';
    res text := '';
    last text := NULL;
BEGIN
    FOR i IN 1..n LOOP
        c := substr(s, i, 1);
        prev := CASE WHEN i > 1 THEN substr(s, i - 1, 1) ELSE '' END;
        nxt := CASE WHEN i < n THEN substr(s, i + 1, 1) ELSE '' END;
        code := CASE
            WHEN c IN ('A','E','I','J','O','U','Y') THEN '0'
            WHEN c = 'H' THEN ''
            WHEN c = 'B' THEN '1'
            WHEN c = 'P' THEN CASE WHEN nxt = 'H' THEN '3' ELSE '1' END
            WHEN c IN ('D','T') THEN CASE WHEN nxt IN ('C','S','Z') THEN '8' ELSE '2' END
            WHEN c IN ('F','V','W') THEN '3'
            WHEN c IN ('G','K','Q') THEN '4'
            WHEN c = 'C' THEN CASE
                WHEN i = 1 THEN CASE WHEN nxt IN ('A','H','K','L','O','Q','R','U','X') THEN '4' ELSE '8' END
                WHEN prev IN ('S','Z') THEN '8'
                WHEN nxt IN ('A','H','K','O','Q','U','X') THEN '4'
                ELSE '8' END
            WHEN c = 'X' THEN CASE WHEN prev IN ('C','K','Q') THEN '8' ELSE '48' END
            WHEN c = 'L' THEN '5'
            WHEN c IN ('M','N') THEN '6'
            WHEN c = 'R' THEN '7'
            WHEN c IN ('S','Z') THEN '8'
            ELSE '' END;
        raw := raw || code;
    END LOOP;
    -- collapse runs of equal digits, then drop '0' except at the start
    FOR i IN 1..length(raw) LOOP
        c := substr(raw, i, 1);
        IF last IS NULL OR c <> last THEN
            IF c <> '0' OR i = 1 THEN
                res := res || c;
            END IF;
        END IF;
        last := c;
    END LOOP;
    RETURN res;
END $$;

-- Kölner Phonetik of a text: each word encoded, codes joined by one space.
-- Umlauts and accents are folded first (ä→a, ß→s).
CREATE FUNCTION kontor.koelner_phonetik(p text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
SELECT coalesce(string_agg(nullif(kontor.koelner_phonetik_word(w), ''), ' ' ORDER BY ord), '')
FROM regexp_split_to_table(
        upper(replace(public.unaccent('public.unaccent'::regdictionary, p), 'ß', 's')),
        '[^A-Z]+') WITH ORDINALITY AS t(w, ord)
WHERE w <> ''
$$;

-- Normalised identity value; see doc/roles.md "Normalisation".
CREATE FUNCTION kontor.identity_norm(p_kind text, p_value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE v text := btrim(coalesce(p_value, ''));
BEGIN
    IF p_kind = 'email' THEN
        RETURN lower(v);
    ELSIF p_kind = 'phone' THEN
        v := replace(v, '(0)', '');
        IF left(v, 1) = '+' THEN
            RETURN '+' || regexp_replace(v, '[^0-9]', '', 'g');
        END IF;
        v := regexp_replace(v, '[^0-9]', '', 'g');
        IF left(v, 2) = '00' THEN
            RETURN '+' || substr(v, 3);
        ELSIF left(v, 1) = '0' THEN
            RETURN '+49' || substr(v, 2);
        ELSIF left(v, 2) = '49' AND length(v) >= 11 THEN
            RETURN '+' || v;
        ELSIF v = '' THEN
            RETURN '';
        ELSE
            RETURN '+49' || v;
        END IF;
    ELSIF p_kind = 'loyalty' THEN
        RETURN regexp_replace(v, '[^0-9]', '', 'g');
    ELSE
        RETURN lower(v);
    END IF;
END $$;

-- Random code from an alphabet without look-alikes (no 0 O 1 I L).
CREATE FUNCTION kontor.random_code(p_len int) RETURNS text
LANGUAGE sql VOLATILE
AS $$
SELECT string_agg(substr('23456789ABCDEFGHJKMNPQRSTUVWXYZ',
                         1 + (get_byte(b, i) % 31), 1), '' ORDER BY i)
FROM (SELECT public.gen_random_bytes(p_len) AS b) r, generate_series(0, p_len - 1) AS i
$$;
