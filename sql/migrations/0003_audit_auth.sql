-- 0003 audit and authentication: the hash-chained audit log, sign-in
-- (auth_begin/auth_finish), per-transaction staff sessions, own-password
-- changes and the staff administration functions.

SET LOCAL search_path = kontor, public;

-- Audit hash chain --------------------------------------------------------
-- Canonical form hashed for each event (fields joined by U+001F, NULL as \N):
--   id | at as UTC 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"' | staff_id | actor | action
--   | entity | entity_id | before::text | after::text
-- hash = sha256(coalesce(prev_hash, '') || convert_to(canonical, 'UTF8'))
CREATE FUNCTION kontor.audit_hash(p_prev bytea, p_id bigint, p_at timestamptz, p_staff_id bigint,
                                  p_actor text, p_action text, p_entity text, p_entity_id text,
                                  p_before jsonb, p_after jsonb) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT sha256(coalesce(p_prev, '\x'::bytea) || convert_to(array_to_string(ARRAY[
    p_id::text,
    to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    coalesce(p_staff_id::text, '\N'),
    coalesce(p_actor, '\N'),
    coalesce(p_action, '\N'),
    coalesce(p_entity, '\N'),
    coalesce(p_entity_id, '\N'),
    coalesce(p_before::text, '\N'),
    coalesce(p_after::text, '\N')], chr(31)), 'UTF8'))
$$;

-- Appends one event; the only writer of audit_event. Not granted to anyone.
CREATE FUNCTION kontor._audit_write(p_staff_id bigint, p_actor text, p_action text, p_entity text,
                                    p_entity_id text, p_before jsonb, p_after jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_prev bytea;
    v_id bigint;
    v_at timestamptz;
    v_actor text := p_actor;
    v_hash bytea;
BEGIN
    IF v_actor IS NULL AND p_staff_id IS NOT NULL THEN
        SELECT username INTO v_actor FROM kontor.staff WHERE id = p_staff_id;
    END IF;
    v_actor := coalesce(v_actor, kontor.caller_role());
    PERFORM pg_advisory_xact_lock(4907052110);          -- fixed key: audit chain
    SELECT last_hash INTO v_prev FROM kontor.audit_head WHERE one FOR UPDATE;
    v_id := nextval(pg_get_serial_sequence('kontor.audit_event', 'id'));
    v_at := clock_timestamp();
    v_hash := kontor.audit_hash(v_prev, v_id, v_at, p_staff_id, v_actor, p_action, p_entity,
                                p_entity_id, p_before, p_after);
    INSERT INTO kontor.audit_event (id, at, staff_id, actor, action, entity, entity_id, before, after,
                                    prev_hash, hash)
        OVERRIDING SYSTEM VALUE
        VALUES (v_id, v_at, p_staff_id, v_actor, p_action, p_entity, p_entity_id, p_before, p_after,
                v_prev, v_hash);
    UPDATE kontor.audit_head SET last_id = v_id, last_hash = v_hash WHERE one;
    RETURN v_id;
END $$;

CREATE FUNCTION kontor.audit_event_immutable() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
    RAISE EXCEPTION 'audit events cannot be changed or deleted'
        USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON kontor.audit_event
    FOR EACH ROW EXECUTE FUNCTION kontor.audit_event_immutable();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON kontor.audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION kontor.audit_event_immutable();

CREATE FUNCTION kontor.audit_verify() RETURNS TABLE(ok boolean, checked bigint, first_bad_id bigint)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
WITH chain AS (
    SELECT id, hash, prev_hash,
           lag(hash) OVER (ORDER BY id) AS expected_prev,
           kontor.audit_hash(prev_hash, id, at, staff_id, actor, action, entity, entity_id,
                             before, after) AS recomputed
    FROM kontor.audit_event
), bad AS (
    SELECT min(id) AS first_bad, count(*) AS n
    FROM chain
    WHERE hash IS DISTINCT FROM recomputed OR prev_hash IS DISTINCT FROM expected_prev
)
SELECT bad.first_bad IS NULL AND (SELECT last_id IS NOT DISTINCT FROM (SELECT max(id) FROM kontor.audit_event)
                                  FROM kontor.audit_head),
       (SELECT count(*) FROM kontor.audit_event), bad.first_bad
FROM bad
$$;

-- Sessions -----------------------------------------------------------------

-- The signed-in staff member of this transaction, or NULL. Re-validates the
-- token hash set by session_begin, so setting kontor.staff_id alone gives
-- nothing; the role the caller acts as must be the staff member's role.
CREATE FUNCTION kontor.current_staff_id() RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_th text := current_setting('kontor.token_hash', true);
    v_sid text := current_setting('kontor.staff_id', true);
    v_id bigint;
BEGIN
    IF v_th IS NULL OR v_sid IS NULL OR v_th !~ '^[0-9a-f]{64}$' OR v_sid !~ '^[0-9]{1,18}$' THEN
        RETURN NULL;
    END IF;
    SELECT s.id INTO v_id
    FROM kontor.staff_session ss JOIN kontor.staff s ON s.id = ss.staff_id
    WHERE ss.token_hash = decode(v_th, 'hex') AND s.id = v_sid::bigint
      AND ss.ended_at IS NULL AND ss.expires_at > now()
      AND s.active AND (s.locked_until IS NULL OR s.locked_until <= now())
      AND 'kontor_' || s.role = kontor.caller_role();
    RETURN v_id;
END $$;

-- Home location of the signed-in staff member (for RLS policies).
CREATE FUNCTION kontor.current_staff_location() RETURNS bigint
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$ SELECT home_location_id FROM kontor.staff WHERE id = kontor.current_staff_id() $$;

CREATE FUNCTION kontor.session_begin(p_token text) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_th bytea;
    r record;
BEGIN
    IF p_token IS NULL OR p_token !~ '^[0-9a-fA-F]{64}$' THEN
        RAISE EXCEPTION 'invalid session token' USING ERRCODE = '28000';
    END IF;
    v_th := sha256(decode(lower(p_token), 'hex'));
    SELECT ss.*, s.role, s.active, s.locked_until INTO r
    FROM kontor.staff_session ss JOIN kontor.staff s ON s.id = ss.staff_id
    WHERE ss.token_hash = v_th;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown session' USING ERRCODE = '28000';
    ELSIF r.ended_at IS NOT NULL THEN
        RAISE EXCEPTION 'session has ended; sign in again' USING ERRCODE = '28000';
    ELSIF r.expires_at <= now() THEN
        RAISE EXCEPTION 'session has expired; sign in again' USING ERRCODE = '28000';
    ELSIF NOT r.active THEN
        RAISE EXCEPTION 'account is deactivated' USING ERRCODE = '28000';
    ELSIF r.locked_until IS NOT NULL AND r.locked_until > now() THEN
        RAISE EXCEPTION 'account is locked' USING ERRCODE = '28000';
    ELSIF kontor.caller_role() <> 'kontor_' || r.role THEN
        RAISE EXCEPTION 'session of a % cannot act as %', r.role, kontor.caller_role()
            USING ERRCODE = '28000',
                  HINT = format('SET LOCAL ROLE kontor_%s before session_begin', r.role);
    END IF;
    PERFORM set_config('kontor.staff_id', r.staff_id::text, true);
    PERFORM set_config('kontor.token_hash', encode(v_th, 'hex'), true);
    IF r.last_seen < now() - interval '1 minute' AND current_setting('transaction_read_only') = 'off' THEN
        UPDATE kontor.staff_session SET last_seen = now() WHERE token_hash = v_th;
    END IF;
    RETURN r.staff_id;
END $$;

CREATE FUNCTION kontor.session_end(p_token text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
BEGIN
    IF p_token IS NULL OR p_token !~ '^[0-9a-fA-F]{64}$' THEN
        RETURN;
    END IF;
    UPDATE kontor.staff_session SET ended_at = now()
    WHERE token_hash = sha256(decode(lower(p_token), 'hex')) AND ended_at IS NULL;
    PERFORM set_config('kontor.staff_id', '', true);
    PERFORM set_config('kontor.token_hash', '', true);
END $$;

-- Sign-in ------------------------------------------------------------------

CREATE FUNCTION kontor.auth_begin(p_username text)
RETURNS TABLE(staff_id bigint, password_hash text, locked_until timestamptz, active boolean)
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
SELECT s.id,
       CASE WHEN s.active AND (s.locked_until IS NULL OR s.locked_until <= now())
            THEN s.password_hash END,
       CASE WHEN s.locked_until > now() THEN s.locked_until END,
       s.active
FROM kontor.staff s
WHERE lower(s.username) = lower(btrim(p_username))
$$;

CREATE FUNCTION kontor.auth_finish(p_username text, p_ok boolean, p_client text)
RETURNS TABLE(result text, token text, staff_id bigint, role text, display_name text,
              home_location_id bigint, must_change_password boolean)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    s kontor.staff%ROWTYPE;
    v_raw bytea;
    v_client text := left(p_client, 200);
    v_fails integer;
BEGIN
    SELECT * INTO s FROM kontor.staff WHERE lower(username) = lower(btrim(p_username)) FOR UPDATE;
    IF NOT FOUND THEN
        PERFORM kontor._audit_write(NULL, left(coalesce(p_username, ''), 64), 'auth.unknown', 'staff',
                                    NULL, NULL, jsonb_build_object('client', v_client));
        RETURN QUERY SELECT 'unknown'::text, NULL::text, NULL::bigint, NULL::text, NULL::text,
                            NULL::bigint, NULL::boolean;
        RETURN;
    END IF;
    IF NOT s.active THEN
        PERFORM kontor._audit_write(s.id, s.username, 'auth.failure', 'staff', s.id::text, NULL,
                                    jsonb_build_object('client', v_client, 'reason', 'inactive'));
        RETURN QUERY SELECT 'inactive'::text, NULL::text, s.id, s.role, NULL::text, NULL::bigint, NULL::boolean;
        RETURN;
    END IF;
    IF s.locked_until IS NOT NULL AND s.locked_until > now() THEN
        PERFORM kontor._audit_write(s.id, s.username, 'auth.locked', 'staff', s.id::text, NULL,
                                    jsonb_build_object('client', v_client, 'locked_until', s.locked_until));
        RETURN QUERY SELECT 'locked'::text, NULL::text, s.id, s.role, NULL::text, NULL::bigint, NULL::boolean;
        RETURN;
    END IF;
    -- an expired lock starts a fresh count
    v_fails := CASE WHEN s.locked_until IS NOT NULL THEN 0 ELSE s.failed_attempts END;

    IF NOT coalesce(p_ok, false) THEN
        v_fails := v_fails + 1;
        IF v_fails >= 5 THEN
            UPDATE kontor.staff SET failed_attempts = v_fails,
                                    locked_until = now() + interval '15 minutes'
            WHERE id = s.id;
            PERFORM kontor._audit_write(s.id, s.username, 'auth.failure', 'staff', s.id::text, NULL,
                                        jsonb_build_object('client', v_client, 'failed_attempts', v_fails));
            PERFORM kontor._audit_write(s.id, s.username, 'auth.locked', 'staff', s.id::text, NULL,
                                        jsonb_build_object('client', v_client,
                                                           'locked_until', now() + interval '15 minutes'));
            RETURN QUERY SELECT 'locked'::text, NULL::text, s.id, s.role, NULL::text, NULL::bigint, NULL::boolean;
        ELSE
            UPDATE kontor.staff SET failed_attempts = v_fails, locked_until = NULL WHERE id = s.id;
            PERFORM kontor._audit_write(s.id, s.username, 'auth.failure', 'staff', s.id::text, NULL,
                                        jsonb_build_object('client', v_client, 'failed_attempts', v_fails));
            RETURN QUERY SELECT 'wrong'::text, NULL::text, s.id, NULL::text, NULL::text, NULL::bigint, NULL::boolean;
        END IF;
        RETURN;
    END IF;

    v_raw := gen_random_bytes(32);
    INSERT INTO kontor.staff_session (token_hash, staff_id, client)
        VALUES (sha256(v_raw), s.id, v_client);
    UPDATE kontor.staff SET failed_attempts = 0, locked_until = NULL, last_login_at = now()
    WHERE id = s.id;
    PERFORM kontor._audit_write(s.id, s.username, 'auth.success', 'staff', s.id::text, NULL,
                                jsonb_build_object('client', v_client));
    RETURN QUERY SELECT 'ok'::text, encode(v_raw, 'hex'), s.id, s.role, s.display_name,
                        s.home_location_id, s.must_change_password;
END $$;

-- Own password -------------------------------------------------------------

CREATE FUNCTION kontor._check_hash(p_hash text) RETURNS void
LANGUAGE plpgsql IMMUTABLE
AS $$
BEGIN
    IF p_hash IS NULL OR p_hash !~ '^\$argon2(id|i|d)\$' THEN
        RAISE EXCEPTION 'password hash must be an argon2 encoded string'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
END $$;

CREATE FUNCTION kontor.staff_set_own_password(p_new_hash text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE v_sid bigint := kontor.current_staff_id();
BEGIN
    IF v_sid IS NULL THEN
        RAISE EXCEPTION 'no valid Kontor session' USING ERRCODE = '28000';
    END IF;
    PERFORM kontor._check_hash(p_new_hash);
    UPDATE kontor.staff SET password_hash = p_new_hash, must_change_password = false WHERE id = v_sid;
    PERFORM kontor._audit_write(v_sid, NULL, 'staff.password_changed', 'staff', v_sid::text, NULL, NULL);
END $$;

CREATE FUNCTION kontor.staff_rehash_own(p_new_hash text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE v_sid bigint := kontor.current_staff_id();
BEGIN
    IF v_sid IS NULL THEN
        RAISE EXCEPTION 'no valid Kontor session' USING ERRCODE = '28000';
    END IF;
    PERFORM kontor._check_hash(p_new_hash);
    UPDATE kontor.staff SET password_hash = p_new_hash WHERE id = v_sid;
    PERFORM kontor._audit_write(v_sid, NULL, 'staff.password_rehashed', 'staff', v_sid::text, NULL, NULL);
END $$;

-- Staff administration -------------------------------------------------------

-- Is the session user the database owner (or a member of it) or a superuser?
CREATE FUNCTION kontor._session_is_owner() RETURNS boolean
LANGUAGE sql STABLE
AS $$
SELECT coalesce((SELECT r.rolsuper OR pg_has_role(r.oid, d.datdba, 'MEMBER')
                 FROM pg_roles r, pg_database d
                 WHERE r.rolname = session_user AND d.datname = current_database()), false)
$$;

-- Returns the acting staff id (NULL for the owner without a session), or raises.
CREATE FUNCTION kontor._require_admin() RETURNS bigint
LANGUAGE plpgsql STABLE
AS $$
DECLARE v_sid bigint;
BEGIN
    IF kontor.caller_role() = 'kontor_admin' THEN
        v_sid := kontor.current_staff_id();
        IF v_sid IS NULL THEN
            RAISE EXCEPTION 'no valid Kontor session' USING ERRCODE = '28000';
        END IF;
        RETURN v_sid;
    ELSIF NOT kontor.caller_is_staff_role() AND kontor.caller_role() = session_user::text
          AND kontor._session_is_owner() THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'only an administrator may manage staff accounts'
        USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE FUNCTION kontor._staff_by_name(p_username text) RETURNS kontor.staff
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE s kontor.staff%ROWTYPE;
BEGIN
    SELECT * INTO s FROM kontor.staff WHERE lower(username) = lower(btrim(p_username)) FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no staff member named "%"', p_username USING ERRCODE = 'no_data_found';
    END IF;
    RETURN s;
END $$;

CREATE FUNCTION kontor.staff_add(p_username text, p_display_name text, p_role text,
                                 p_home_location_code text, p_hash text,
                                 p_must_change boolean DEFAULT true) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_actor bigint := kontor._require_admin();
    v_loc bigint;
    v_id bigint;
BEGIN
    IF p_home_location_code IS NOT NULL AND p_home_location_code <> '' THEN
        SELECT id INTO v_loc FROM kontor.location WHERE code = p_home_location_code;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'unknown location "%"', p_home_location_code
                USING ERRCODE = 'foreign_key_violation';
        END IF;
    END IF;
    PERFORM kontor._check_hash(p_hash);
    INSERT INTO kontor.staff (username, display_name, role, home_location_id, password_hash,
                              must_change_password, updated_by)
        VALUES (lower(btrim(p_username)), btrim(p_display_name), p_role, v_loc, p_hash,
                coalesce(p_must_change, true), v_actor)
        RETURNING id INTO v_id;
    PERFORM kontor._audit_write(v_actor, NULL, 'staff.created', 'staff', v_id::text, NULL,
        jsonb_build_object('username', lower(btrim(p_username)), 'display_name', p_display_name,
                           'role', p_role, 'home_location_id', v_loc,
                           'must_change_password', coalesce(p_must_change, true)));
    RETURN v_id;
END $$;

CREATE FUNCTION kontor.staff_set_password(p_username text, p_hash text,
                                          p_must_change boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_actor bigint := kontor._require_admin();
    s kontor.staff%ROWTYPE := kontor._staff_by_name(p_username);
BEGIN
    PERFORM kontor._check_hash(p_hash);
    UPDATE kontor.staff SET password_hash = p_hash, must_change_password = coalesce(p_must_change, true)
    WHERE id = s.id;
    -- sessions of the account end unless the admin resets their own password
    UPDATE kontor.staff_session SET ended_at = now()
    WHERE staff_id = s.id AND ended_at IS NULL AND s.id IS DISTINCT FROM v_actor;
    PERFORM kontor._audit_write(v_actor, NULL, 'staff.password_set', 'staff', s.id::text, NULL,
        jsonb_build_object('must_change_password', coalesce(p_must_change, true)));
END $$;

CREATE FUNCTION kontor.staff_unlock(p_username text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_actor bigint := kontor._require_admin();
    s kontor.staff%ROWTYPE := kontor._staff_by_name(p_username);
BEGIN
    UPDATE kontor.staff SET failed_attempts = 0, locked_until = NULL WHERE id = s.id;
    PERFORM kontor._audit_write(v_actor, NULL, 'staff.unlocked', 'staff', s.id::text,
        jsonb_build_object('failed_attempts', s.failed_attempts, 'locked_until', s.locked_until),
        jsonb_build_object('failed_attempts', 0, 'locked_until', NULL));
END $$;

CREATE FUNCTION kontor.staff_deactivate(p_username text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_actor bigint := kontor._require_admin();
    s kontor.staff%ROWTYPE := kontor._staff_by_name(p_username);
BEGIN
    IF s.id = v_actor THEN
        RAISE EXCEPTION 'you cannot deactivate your own account' USING ERRCODE = 'check_violation';
    END IF;
    UPDATE kontor.staff SET active = false WHERE id = s.id;
    UPDATE kontor.staff_session SET ended_at = now() WHERE staff_id = s.id AND ended_at IS NULL;
    PERFORM kontor._audit_write(v_actor, NULL, 'staff.deactivated', 'staff', s.id::text,
        jsonb_build_object('active', s.active), jsonb_build_object('active', false));
END $$;

CREATE FUNCTION kontor.staff_activate(p_username text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_actor bigint := kontor._require_admin();
    s kontor.staff%ROWTYPE := kontor._staff_by_name(p_username);
BEGIN
    UPDATE kontor.staff SET active = true, failed_attempts = 0, locked_until = NULL WHERE id = s.id;
    PERFORM kontor._audit_write(v_actor, NULL, 'staff.activated', 'staff', s.id::text,
        jsonb_build_object('active', s.active), jsonb_build_object('active', true));
END $$;

-- Explicit audit events from the console (exports, report runs, ...).
CREATE FUNCTION kontor.audit_append(p_action text, p_entity text, p_entity_id text,
                                    p_before jsonb, p_after jsonb) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE v_sid bigint := kontor.current_staff_id();
BEGIN
    IF v_sid IS NULL AND kontor.caller_is_staff_role() THEN
        RAISE EXCEPTION 'no valid Kontor session' USING ERRCODE = '28000';
    END IF;
    IF p_action IS NULL OR p_action = '' OR p_action LIKE 'auth.%' THEN
        RAISE EXCEPTION 'invalid audit action "%"', p_action USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN kontor._audit_write(v_sid, NULL, p_action, p_entity, p_entity_id, p_before, p_after);
END $$;

-- Generic row audit. Arguments: key columns (comma list, default 'id'),
-- columns whose values are redacted, columns whose change alone is not
-- audited (changed by functions that write their own event).
CREATE FUNCTION kontor.audit_row() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint;
    v_old jsonb;
    v_new jsonb;
    v_before jsonb;
    v_after jsonb;
    v_keys text[] := string_to_array(coalesce(nullif(TG_ARGV[0], ''), 'id'), ',');
    v_redact text[] := coalesce(string_to_array(nullif(TG_ARGV[1], ''), ','), '{}');
    v_ignore text[] := ARRAY['version', 'updated_at', 'updated_by']
                       || coalesce(string_to_array(nullif(TG_ARGV[2], ''), ','), '{}');
    v_eid text;
    v_row jsonb;
BEGIN
    IF NOT kontor.caller_is_staff_role() THEN
        RETURN NULL;                    -- owner, loaders, shop integration: not audited
    END IF;
    v_sid := kontor.current_staff_id();
    IF v_sid IS NULL THEN
        RAISE EXCEPTION 'no valid Kontor session for % on %', kontor.caller_role(), TG_TABLE_NAME
            USING ERRCODE = '28000', HINT = 'call kontor.session_begin(token) after SET LOCAL ROLE';
    END IF;
    IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD); END IF;
    IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW); END IF;
    IF TG_OP = 'UPDATE' THEN
        SELECT jsonb_object_agg(o.key, o.value), jsonb_object_agg(o.key, v_new -> o.key)
          INTO v_before, v_after
        FROM jsonb_each(v_old) o
        WHERE (v_new -> o.key) IS DISTINCT FROM o.value AND NOT o.key = ANY (v_ignore);
        IF v_before IS NULL THEN
            RETURN NULL;
        END IF;
    ELSE
        v_before := v_old;
        v_after := v_new;
    END IF;
    IF cardinality(v_redact) > 0 THEN
        SELECT jsonb_object_agg(key, CASE WHEN key = ANY (v_redact) AND value <> 'null'
                                          THEN '"[redacted]"'::jsonb ELSE value END)
          INTO v_before FROM jsonb_each(v_before);
        SELECT jsonb_object_agg(key, CASE WHEN key = ANY (v_redact) AND value <> 'null'
                                          THEN '"[redacted]"'::jsonb ELSE value END)
          INTO v_after FROM jsonb_each(v_after);
    END IF;
    v_row := coalesce(v_new, v_old);
    SELECT string_agg(v_row ->> k, ':' ORDER BY i) INTO v_eid
    FROM unnest(v_keys) WITH ORDINALITY AS u(k, i);
    PERFORM kontor._audit_write(v_sid, NULL, TG_TABLE_NAME || '.' || lower(TG_OP), TG_TABLE_NAME,
                                v_eid, v_before, v_after);
    RETURN NULL;
END $$;

-- Optimistic locking: every UPDATE bumps version and stamps who and when.
CREATE FUNCTION kontor.touch_row() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
BEGIN
    NEW.version := OLD.version + 1;
    NEW.updated_at := now();
    NEW.updated_by := kontor.current_staff_id();
    RETURN NEW;
END $$;
