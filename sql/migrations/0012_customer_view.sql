-- 0012 the customer view and its edits: the journey and the counters of the
-- view (functions, so their plans are kept per session); the profile, identities and
-- consents are changed through functions that check the row version the
-- editor saw (a change made meanwhile is refused with KX409 naming who and
-- when, never overwritten) and validate what is typed; consent changes are
-- appended with who, when and the source. Privacy: the export names more of
-- what is held, and an erasure reaches every record of the person (also
-- records merged into it) and every free text kept about them; an erased
-- customer cannot be given personal data again.

SET LOCAL search_path = kontor, public;

-- Validation ---------------------------------------------------------------------

-- Raises check_violation with a message for people (constraint names the field).
CREATE FUNCTION kontor._customer_refuse(p_field text, p_message text) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
    RAISE EXCEPTION '%', p_message USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_' || p_field;
END $$;

-- A name, street or city: trimmed, no control characters, at most p_max characters.
CREATE FUNCTION kontor._customer_text(p_field text, p_label text, p_value text, p_max integer)
RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE v text := btrim(coalesce(p_value, ''), E' \t\r\n');
BEGIN
    IF v ~ '[[:cntrl:]]' THEN
        PERFORM kontor._customer_refuse(p_field, p_label || ' may not contain control characters');
    ELSIF length(v) > p_max THEN
        PERFORM kontor._customer_refuse(p_field, format('%s: at most %s characters', p_label, p_max));
    END IF;
    RETURN v;
END $$;

-- Checks an identity value of a kind; returns it trimmed.
CREATE FUNCTION kontor.customer_identity_check(p_kind text, p_value text) RETURNS text
LANGUAGE plpgsql STABLE
AS $$
DECLARE v text := kontor._customer_text('identity', 'the value', p_value, 200);
BEGIN
    IF v = '' THEN
        PERFORM kontor._customer_refuse('identity', 'the value is empty');
    END IF;
    CASE p_kind
    WHEN 'email' THEN
        IF v !~ '^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:].]+$' THEN
            PERFORM kontor._customer_refuse('identity', format('"%s" is not an e-mail address', v));
        END IF;
    WHEN 'phone' THEN
        IF v !~ '^\+?[0-9 ()/.-]+$' OR length(regexp_replace(v, '[^0-9]', '', 'g')) NOT BETWEEN 6 AND 15 THEN
            PERFORM kontor._customer_refuse('identity',
                format('"%s" is not a phone number (digits, spaces, + ( ) / . -; 6 to 15 digits)', v));
        END IF;
    WHEN 'loyalty' THEN
        IF v !~ '^[0-9 ]+$' OR length(replace(v, ' ', '')) NOT BETWEEN 8 AND 20 THEN
            PERFORM kontor._customer_refuse('identity', format('"%s" is not a loyalty card number (8 to 20 digits)', v));
        END IF;
    WHEN 'web_account', 'marketplace_id' THEN
        IF v !~ '^[[:alnum:]._@+-]{2,64}$' THEN
            PERFORM kontor._customer_refuse('identity',
                format('"%s" is not an account name (2 to 64 letters, digits or . _ @ + -)', v));
        END IF;
    ELSE
        PERFORM kontor._customer_refuse('identity', format('"%s" is not a kind of identity', p_kind));
    END CASE;
    RETURN v;
END $$;

-- "the phone number", for messages.
CREATE FUNCTION kontor.customer_identity_label(p_kind text) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
SELECT CASE p_kind WHEN 'email' THEN 'the e-mail address' WHEN 'phone' THEN 'the phone number'
                   WHEN 'loyalty' THEN 'the loyalty card' WHEN 'web_account' THEN 'the web account'
                   WHEN 'marketplace_id' THEN 'the marketplace id' ELSE 'the identity' END
$$;

-- "Ben Scholz at 23.11. 10:42" for a conflict message.
CREATE FUNCTION kontor._changed_by(p_staff bigint, p_at timestamptz) RETURNS text
LANGUAGE sql STABLE
AS $$
SELECT coalesce((SELECT display_name FROM kontor.staff WHERE id = p_staff), 'another system') || ' at '
       || to_char(p_at AT TIME ZONE (kontor.setting_value('business_timezone') #>> '{}'), 'DD.MM. HH24:MI')
$$;

-- The customer to be changed, locked; refuses erased and merged records.
CREATE FUNCTION kontor._customer_for_change(p_id bigint) RETURNS kontor.customer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE c kontor.customer%ROWTYPE;
BEGIN
    SELECT * INTO c FROM kontor.customer WHERE id = p_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no customer %', p_id USING ERRCODE = 'KX404';
    ELSIF c.erased_at IS NOT NULL THEN
        RAISE EXCEPTION 'customer % was erased: nothing personal can be recorded for it', p_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_erased';
    ELSIF c.merged_into IS NOT NULL THEN
        RAISE EXCEPTION 'customer % was merged into customer %: change that record', p_id, c.merged_into
            USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_merged';
    END IF;
    RETURN c;
END $$;

-- The view ----------------------------------------------------------------------
-- Its two heavier parts are functions so that their plans are kept for the
-- session (the console opens customer after customer): planning five
-- joined sources on every open cost more than running them. SECURITY
-- INVOKER: a clerk (p_full false) reads only orders, returns and refunds;
-- asked for the rest, the database refuses (interaction, customer_note).

-- The journey: each source's newest p_limit entries, by customer and time
-- (returns and refunds through the orders' ids, so their indexes serve any
-- number of orders). The caller merges them: ORDER BY at DESC, id DESC LIMIT.
-- "when": DD.MM. HH24:MI this year, else DD.MM.YYYY (business time zone);
-- at: UTC ISO text; open: the screen and key Enter opens ("order K-100001").
CREATE FUNCTION kontor.customer_timeline(p_customer bigint, p_limit integer, p_full boolean)
RETURNS TABLE ("when" text, kind text, via text, what text, cents bigint, status text, open text,
               at text, id bigint)
LANGUAGE plpgsql STABLE
AS $$
#variable_conflict use_column
DECLARE
    v_tz text := (SELECT s.value #>> '{}' FROM kontor.setting s
                  WHERE s.key = 'business_timezone' AND s.scope = '');
    v_year timestamp := date_trunc('year', now() AT TIME ZONE v_tz);
    v_ids bigint[] := ARRAY(SELECT x.id FROM kontor.sales_order x WHERE x.customer_id = p_customer);
BEGIN
    RETURN QUERY
    SELECT kontor._customer_when(so.placed_at, v_tz, v_year), 'order'::text, ch.name,
           'order ' || so.number || ' · ' || CASE so.fulfilment
               WHEN 'click_collect' THEN 'C&C ' || coalesce(l.name, '')
               WHEN 'in_store' THEN 'in store ' || coalesce(l.name, '') ELSE 'shipped' END,
           so.total_cents, so.status, 'order ' || so.number, kontor._customer_iso(so.placed_at), so.id
    FROM kontor.sales_order so JOIN kontor.channel ch ON ch.id = so.channel_id
    LEFT JOIN kontor.location l ON l.id = so.location_id
    WHERE so.customer_id = p_customer ORDER BY so.placed_at DESC LIMIT p_limit;
    -- the value as kontor.return_value (0009) computes it, set-based: a
    -- call per return costs more than the rest of the journey together
    -- (test_customers checks that the two agree)
    RETURN QUERY
    SELECT kontor._customer_when(r.created_at, v_tz, v_year), 'return'::text, ch.name,
           'return ' || r.rma || ' of ' || so.number || coalesce(' at ' || l.name, ''),
           coalesce(round(v.goods * (so.subtotal_cents - so.discount_cents)::numeric
                          / nullif(so.subtotal_cents, 0))::bigint, 0),
           r.status, 'return ' || r.rma, kontor._customer_iso(r.created_at), r.id
    FROM (SELECT * FROM kontor.return_order x WHERE x.order_id = ANY (v_ids)
          ORDER BY x.created_at DESC LIMIT p_limit) r
    JOIN kontor.sales_order so ON so.id = r.order_id
    JOIN kontor.channel ch ON ch.id = r.channel_id
    LEFT JOIN kontor.location l ON l.id = r.location_id
    CROSS JOIN LATERAL (
        SELECT sum(CASE WHEN r.status IN ('requested', 'authorised') THEN rl.qty ELSE rl.qty_received END
                   * ol.unit_price_cents) AS goods
        FROM kontor.return_line rl JOIN kontor.order_line ol ON ol.id = rl.order_line_id
        WHERE rl.return_id = r.id) v;
    RETURN QUERY
    SELECT kontor._customer_when(f.at, v_tz, v_year), 'refund'::text, ch.name,
           'refund of ' || so.number || coalesce(' · ' || r.rma, '') || ' to '
               || CASE f.method WHEN 'paypal' THEN 'PayPal' WHEN 'bank_transfer' THEN 'bank transfer'
                                ELSE f.method END || coalesce(' ' || p.reference, ''),
           f.amount_cents, f.status,
           CASE WHEN r.rma IS NULL THEN 'order ' || so.number ELSE 'return ' || r.rma END,
           kontor._customer_iso(f.at), f.id
    FROM (SELECT * FROM kontor.refund x WHERE x.order_id = ANY (v_ids)
          ORDER BY x.at DESC LIMIT p_limit) f
    JOIN kontor.sales_order so ON so.id = f.order_id
    JOIN kontor.channel ch ON ch.id = so.channel_id
    LEFT JOIN kontor.return_order r ON r.id = f.return_id
    LEFT JOIN kontor.payment p ON p.id = f.payment_id;
    IF NOT p_full THEN
        RETURN;
    END IF;
    RETURN QUERY
    SELECT kontor._customer_when(i.at, v_tz, v_year), 'interaction'::text,
           CASE tp.kind WHEN 'poster' THEN 'Poster' WHEN 'qr' THEN 'QR code'
                        WHEN 'newsletter' THEN 'Newsletter' WHEN 'social_post' THEN 'Social'
                        WHEN 'instore_display' THEN 'In store' WHEN 'print_catalogue' THEN 'Catalogue'
                        WHEN 'app_push' THEN 'App push' ELSE tp.kind END,
           i.kind || ' · ' || coalesce((SELECT c.name FROM kontor.campaign_touchpoint ct
                                        JOIN kontor.campaign c ON c.id = ct.campaign_id
                                        WHERE ct.touchpoint_id = tp.id
                                        ORDER BY c.starts_on DESC NULLS LAST, c.id DESC LIMIT 1) || ' · ', '')
               || tp.name,
           NULL::bigint, ''::text, ''::text, kontor._customer_iso(i.at), i.id
    FROM (SELECT * FROM kontor.interaction x WHERE x.customer_id = p_customer
          ORDER BY x.at DESC LIMIT p_limit) i
    JOIN kontor.touchpoint tp ON tp.id = i.touchpoint_id;
    RETURN QUERY
    SELECT kontor._customer_when(n.created_at, v_tz, v_year), 'note'::text, 'Note'::text,
           coalesce(s.display_name, 'someone') || ': ' || regexp_replace(n.body, '[[:space:]]+', ' ', 'g'),
           NULL::bigint, ''::text, ''::text, kontor._customer_iso(n.created_at), n.id
    FROM (SELECT * FROM kontor.customer_note x WHERE x.customer_id = p_customer
          ORDER BY x.created_at DESC LIMIT p_limit) n
    LEFT JOIN kontor.staff s ON s.id = n.created_by;
END $$;

CREATE FUNCTION kontor._customer_when(p_at timestamptz, p_tz text, p_year timestamp) RETURNS text
LANGUAGE sql STABLE
AS $$
SELECT CASE WHEN p_at AT TIME ZONE p_tz >= p_year THEN to_char(p_at AT TIME ZONE p_tz, 'DD.MM. HH24:MI')
            ELSE to_char(p_at AT TIME ZONE p_tz, 'DD.MM.YYYY') END
$$;

CREATE FUNCTION kontor._customer_iso(p_at timestamptz) RETURNS text
LANGUAGE sql STABLE
AS $$ SELECT to_char(p_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') $$;

-- Counters: orders (all; not cancelled), revenue of those not cancelled,
-- returns (not cancelled or rejected) and their rate per kept order (-1
-- without), entries (what the journey holds in all), open duplicate flags,
-- orders per channel ("Web 7, Stores 4"). A clerk (p_full false): no
-- interactions, notes or duplicate flags.
CREATE FUNCTION kontor.customer_counts(p_customer bigint, p_full boolean)
RETURNS TABLE (orders bigint, kept_orders bigint, revenue_cents bigint, returns bigint,
               return_rate_pct bigint, entries bigint, duplicates bigint, by_channel text)
LANGUAGE plpgsql STABLE
AS $$
DECLARE
    v_orders bigint; v_kept bigint; v_revenue bigint; v_ids bigint[]; v_channels bigint[];
    v_returns bigint; v_returns_all bigint; v_refunds bigint;
    v_more bigint := 0; v_dups bigint := 0; v_by text;
BEGIN
    SELECT count(*), count(*) FILTER (WHERE so.status <> 'cancelled'),
           coalesce(sum(so.total_cents) FILTER (WHERE so.status <> 'cancelled'), 0),
           array_agg(so.id), array_agg(so.channel_id)
    INTO v_orders, v_kept, v_revenue, v_ids, v_channels
    FROM kontor.sales_order so WHERE so.customer_id = p_customer;
    SELECT count(*) FILTER (WHERE r.status NOT IN ('cancelled', 'rejected')), count(*)
    INTO v_returns, v_returns_all
    FROM kontor.return_order r WHERE r.order_id = ANY (v_ids);
    SELECT count(*) INTO v_refunds FROM kontor.refund f WHERE f.order_id = ANY (v_ids);
    SELECT coalesce(string_agg(x.name || ' ' || x.k, ', ' ORDER BY x.k DESC, x.sort_order), '')
    INTO v_by
    FROM (SELECT ch.name, ch.sort_order, count(*) AS k
          FROM unnest(v_channels) AS u(channel_id) JOIN kontor.channel ch ON ch.id = u.channel_id
          GROUP BY ch.name, ch.sort_order) x;
    IF p_full THEN
        v_more := (SELECT count(*) FROM kontor.interaction i WHERE i.customer_id = p_customer)
                  + (SELECT count(*) FROM kontor.customer_note n WHERE n.customer_id = p_customer);
        v_dups := (SELECT count(*) FROM kontor.customer_duplicate d
                   WHERE d.status = 'open' AND p_customer IN (d.customer_a, d.customer_b));
    END IF;
    RETURN QUERY SELECT v_orders, v_kept, v_revenue, v_returns,
                        coalesce(round(100.0 * v_returns / nullif(v_kept, 0))::bigint, -1),
                        v_orders + v_returns_all + v_refunds + v_more, v_dups, v_by;
END $$;

-- Edits ---------------------------------------------------------------------------
-- SECURITY INVOKER: they run with the caller's GRANTs (service, manager).

-- The profile. p_version: the version the editor saw (0: do not check).
-- Empty street, postcode or city are stored as NULL. Returns the version now.
CREATE FUNCTION kontor.customer_update(p_id bigint, p_version integer, p_first text, p_last text,
                                       p_birthdate date, p_street text, p_postcode text,
                                       p_city text, p_country text) RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    c kontor.customer%ROWTYPE := kontor._customer_for_change(p_id);
    v_first text := kontor._customer_text('first_name', 'the first name', p_first, 100);
    v_last text := kontor._customer_text('last_name', 'the last name', p_last, 100);
    v_street text := nullif(kontor._customer_text('street', 'the street', p_street, 200), '');
    v_postcode text := nullif(upper(kontor._customer_text('postcode', 'the postcode', p_postcode, 12)), '');
    v_city text := nullif(kontor._customer_text('city', 'the city', p_city, 100), '');
    v_country text := nullif(upper(kontor._customer_text('country', 'the country', p_country, 2)), '');
BEGIN
    IF p_version IS NOT NULL AND p_version > 0 AND c.version <> p_version THEN
        RAISE EXCEPTION 'customer % was changed by % (now version %): your change was not saved',
            p_id, kontor._changed_by(c.updated_by, c.updated_at), c.version
            USING ERRCODE = 'KX409';
    END IF;
    IF v_first = '' AND v_last = '' THEN
        PERFORM kontor._customer_refuse('last_name', 'a customer needs a first or a last name');
    ELSIF p_birthdate IS NOT NULL AND (p_birthdate > current_date OR p_birthdate < date '1900-01-01') THEN
        PERFORM kontor._customer_refuse('birthdate', 'the birth date must lie between 1900 and today');
    ELSIF v_country IS NOT NULL AND v_country !~ '^[A-Z]{2}$' THEN
        PERFORM kontor._customer_refuse('country', 'the country is a two-letter code (DE, AT, NL)');
    ELSIF v_postcode IS NOT NULL AND coalesce(v_country, 'DE') = 'DE' AND v_postcode !~ '^[0-9]{5}$' THEN
        PERFORM kontor._customer_refuse('postcode', 'a German postcode has five digits');
    ELSIF v_postcode IS NOT NULL AND v_postcode !~ '^[A-Z0-9][A-Z0-9 -]{1,10}$' THEN
        PERFORM kontor._customer_refuse('postcode', 'the postcode has letters, digits, spaces or dashes');
    END IF;
    IF (c.first_name, c.last_name, c.birthdate, c.street, c.postcode, c.city, c.country)
       IS NOT DISTINCT FROM (v_first, v_last, p_birthdate, v_street, v_postcode, v_city, v_country) THEN
        RETURN c.version;               -- nothing changed: no new version
    END IF;
    UPDATE kontor.customer
    SET first_name = v_first, last_name = v_last, birthdate = p_birthdate, street = v_street,
        postcode = v_postcode, city = v_city, country = v_country
    WHERE id = p_id
    RETURNING version INTO c.version;
    RETURN c.version;
END $$;

-- Adds (p_id NULL) or corrects an identity. p_version: the version of the
-- identity the editor saw (0: do not check). Returns the identity's id.
CREATE FUNCTION kontor.customer_identity_save(p_customer bigint, p_id bigint, p_version integer,
                                              p_kind text, p_value text, p_source text,
                                              p_verified boolean) RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    c kontor.customer%ROWTYPE := kontor._customer_for_change(p_customer);
    i kontor.customer_identity%ROWTYPE;
    v_source text := nullif(kontor._customer_text('identity', 'the source', p_source, 40), '');
    v_value text;
    v_other bigint;
    v_id bigint;
BEGIN
    IF p_id IS NOT NULL THEN
        SELECT * INTO i FROM kontor.customer_identity WHERE id = p_id FOR UPDATE;
        IF NOT FOUND OR i.customer_id <> p_customer THEN
            RAISE EXCEPTION 'customer % has no identity %', p_customer, p_id USING ERRCODE = 'KX404';
        END IF;
        IF p_version IS NOT NULL AND p_version > 0 AND i.version <> p_version THEN
            RAISE EXCEPTION '% of customer % was changed by %: it is now %; your change was not saved',
                kontor.customer_identity_label(i.kind), p_customer,
                kontor._changed_by(i.updated_by, i.updated_at),
                CASE WHEN i.retired_at IS NOT NULL THEN 'retired' ELSE '"' || i.value || '"' END
                USING ERRCODE = 'KX409';
        END IF;
        IF i.retired_at IS NOT NULL THEN
            RAISE EXCEPTION '% "%" was retired when duplicates were merged', kontor.customer_identity_label(i.kind), i.value
                USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_identity';
        END IF;
        p_kind := i.kind;
    END IF;
    v_value := kontor.customer_identity_check(p_kind, p_value);
    -- the customer holds it already; an account key (web, marketplace) is
    -- someone else's (e-mail, phone and loyalty card may be shared: 0011)
    SELECT customer_id INTO v_other FROM kontor.customer_identity
    WHERE kind = p_kind AND value_norm = kontor.identity_norm(p_kind, v_value) AND retired_at IS NULL
      AND id IS DISTINCT FROM p_id
      AND (customer_id = p_customer OR kind IN ('web_account', 'marketplace_id'))
    ORDER BY customer_id = p_customer DESC
    LIMIT 1;
    IF v_other = p_customer THEN
        RAISE EXCEPTION 'customer % has % "%" already', p_customer, kontor.customer_identity_label(p_kind),
            v_value USING ERRCODE = 'unique_violation', CONSTRAINT = 'customer_identity_own_key';
    ELSIF v_other IS NOT NULL THEN
        RAISE EXCEPTION '% "%" belongs to customer %', kontor.customer_identity_label(p_kind), v_value,
            v_other USING ERRCODE = 'unique_violation', CONSTRAINT = 'customer_identity_account_key';
    END IF;
    IF p_id IS NULL THEN
        INSERT INTO kontor.customer_identity (customer_id, kind, value, source, verified)
        VALUES (p_customer, p_kind, v_value, v_source, coalesce(p_verified, false))
        RETURNING id INTO v_id;
        RETURN v_id;
    END IF;
    IF (i.value, i.source, i.verified) IS DISTINCT FROM (v_value, coalesce(v_source, i.source),
                                                         coalesce(p_verified, i.verified)) THEN
        UPDATE kontor.customer_identity
        SET value = v_value, source = coalesce(v_source, i.source), verified = coalesce(p_verified, i.verified)
        WHERE id = p_id;
    END IF;
    RETURN p_id;
END $$;

-- Records a consent given or withdrawn (appended: who and when are stamped).
-- p_seen: the id of the record in force for this purpose and channel that
-- the editor saw (NULL: none); when another was recorded meanwhile, KX409.
-- Returns the id of the record now in force (unchanged when it already says
-- the same).
CREATE FUNCTION kontor.consent_set(p_customer bigint, p_purpose text, p_channel text,
                                   p_granted boolean, p_source text, p_seen bigint) RETURNS bigint
LANGUAGE plpgsql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    c kontor.customer%ROWTYPE;
    cur kontor.consent%ROWTYPE;
    v_channel bigint;
    v_source text := kontor._customer_text('consent_source', 'the source', p_source, 120);
    v_id bigint;
BEGIN
    SELECT * INTO c FROM kontor.customer WHERE id = p_customer FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no customer %', p_customer USING ERRCODE = 'KX404';
    ELSIF c.merged_into IS NOT NULL THEN
        RAISE EXCEPTION 'customer % was merged into customer %: change that record', p_customer, c.merged_into
            USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_merged';
    ELSIF c.erased_at IS NOT NULL AND p_granted THEN
        RAISE EXCEPTION 'customer % was erased: no consent can be given', p_customer
            USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_erased';
    END IF;
    IF p_purpose IS NULL OR p_purpose NOT IN ('newsletter', 'sms', 'post', 'phone', 'profiling', 'app_push') THEN
        PERFORM kontor._customer_refuse('consent', format('"%s" is not a consent purpose', p_purpose));
    END IF;
    IF v_source = '' THEN
        PERFORM kontor._customer_refuse('consent_source',
            'say where the consent was given or withdrawn (e.g. "phone call", "store counter")');
    END IF;
    SELECT id INTO v_channel FROM kontor.channel WHERE code = lower(btrim(p_channel));
    IF NOT FOUND THEN
        PERFORM kontor._customer_refuse('consent', format('"%s" is not a channel', p_channel));
    END IF;
    SELECT * INTO cur FROM kontor.consent
    WHERE customer_id = p_customer AND purpose = p_purpose AND channel_id = v_channel
    ORDER BY at DESC, id DESC LIMIT 1;
    IF cur.id IS DISTINCT FROM p_seen THEN
        RAISE EXCEPTION 'the % consent via % was changed by %: it is now % (%); your change was not saved',
            p_purpose, lower(btrim(p_channel)), kontor._changed_by(cur.recorded_by, cur.at),
            CASE WHEN cur.granted THEN 'granted' ELSE 'withdrawn' END, cur.source
            USING ERRCODE = 'KX409';
    END IF;
    IF cur.id IS NOT NULL AND cur.granted = p_granted THEN
        RETURN cur.id;
    END IF;
    INSERT INTO kontor.consent (customer_id, purpose, channel_id, granted, source)
    VALUES (p_customer, p_purpose, v_channel, p_granted, v_source)
    RETURNING id INTO v_id;
    RETURN v_id;
END $$;

-- Erased stays erased ------------------------------------------------------------
-- Whatever path a write takes (these functions, a merge, a future import),
-- an erased customer is not given a name, contact data, notes or consents again.

CREATE FUNCTION kontor.customer_erased_guard() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE v_erased timestamptz;
BEGIN
    IF TG_TABLE_NAME = 'customer' THEN
        IF OLD.erased_at IS NOT NULL
           AND ((NEW.first_name, NEW.last_name, NEW.birthdate, NEW.street, NEW.postcode, NEW.city, NEW.country)
                IS DISTINCT FROM (OLD.first_name, OLD.last_name, OLD.birthdate, OLD.street, OLD.postcode,
                                  OLD.city, OLD.country)
                OR NEW.erased_at IS NULL) THEN
            RAISE EXCEPTION 'customer % was erased: nothing personal can be recorded for it', OLD.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_erased';
        END IF;
        RETURN NEW;
    END IF;
    IF TG_TABLE_NAME = 'consent' THEN
        IF NOT (to_jsonb(NEW) ->> 'granted')::boolean THEN
            RETURN NEW;                 -- withdrawing is always possible
        END IF;
    END IF;
    SELECT erased_at INTO v_erased FROM kontor.customer WHERE id = NEW.customer_id;
    IF v_erased IS NOT NULL THEN
        RAISE EXCEPTION 'customer % was erased: nothing personal can be recorded for it', NEW.customer_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_erased';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER customer_03_erased BEFORE UPDATE ON kontor.customer
    FOR EACH ROW EXECUTE FUNCTION kontor.customer_erased_guard();
CREATE TRIGGER customer_identity_03_erased BEFORE INSERT OR UPDATE ON kontor.customer_identity
    FOR EACH ROW EXECUTE FUNCTION kontor.customer_erased_guard();
CREATE TRIGGER customer_note_03_erased BEFORE INSERT OR UPDATE ON kontor.customer_note
    FOR EACH ROW EXECUTE FUNCTION kontor.customer_erased_guard();
CREATE TRIGGER consent_03_erased BEFORE INSERT OR UPDATE ON kontor.consent
    FOR EACH ROW EXECUTE FUNCTION kontor.customer_erased_guard();

-- Free text about a customer is not copied into the audit log: the fact,
-- who and when are kept, the text is redacted (as customer notes already
-- are), so an erasure does not leave it behind in the append-only log.
DROP TRIGGER zz_audit ON kontor.order_note;
CREATE TRIGGER zz_audit AFTER INSERT OR UPDATE OR DELETE ON kontor.order_note
    FOR EACH ROW EXECUTE FUNCTION kontor.audit_row('id', 'body', '');
DROP TRIGGER zz_audit ON kontor.customer_duplicate;
CREATE TRIGGER zz_audit AFTER INSERT OR UPDATE OR DELETE ON kontor.customer_duplicate
    FOR EACH ROW EXECUTE FUNCTION kontor.audit_row('id', 'note', '');
DROP TRIGGER zz_audit ON kontor.interaction;
CREATE TRIGGER zz_audit AFTER INSERT OR UPDATE OR DELETE ON kontor.interaction
    FOR EACH ROW EXECUTE FUNCTION kontor.audit_row('id', 'visitor_id', '');

-- Erasure ---------------------------------------------------------------------------
-- The person's records: the customer and every record merged into it (at any
-- depth: a merged record keeps its own name, address and retired identities).
-- Orders, payments, refunds and returns stay for the accounts; the texts kept
-- about the person go: identities (also retired ones), customer notes, the
-- notes on their orders, duplicate-flag notes, queued message contents,
-- visitor ids; granted consents are withdrawn (source 'erasure'). Erasing a
-- merged record is refused: the person lives on in the record it went into.
CREATE OR REPLACE FUNCTION kontor.customer_erase(p_customer_id bigint, p_reason text) RETURNS void
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint := kontor._require_role('manager');
    c kontor.customer%ROWTYPE;
    v_group bigint[];
    v_consents integer;
    v_ids integer;
    v_notes integer;
    v_order_notes integer;
BEGIN
    IF kontor.is_blank(p_reason) THEN
        RAISE EXCEPTION 'an erasure needs a reason' USING ERRCODE = 'check_violation';
    END IF;
    SELECT * INTO c FROM kontor.customer WHERE id = p_customer_id FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no customer %', p_customer_id USING ERRCODE = 'no_data_found';
    ELSIF c.erased_at IS NOT NULL THEN
        RAISE EXCEPTION 'customer % is already erased', p_customer_id USING ERRCODE = 'check_violation';
    ELSIF c.merged_into IS NOT NULL THEN
        RAISE EXCEPTION 'customer % was merged into customer %: erase that record (it erases both)',
            p_customer_id, c.merged_into USING ERRCODE = 'check_violation', CONSTRAINT = 'customer_merged';
    END IF;
    WITH RECURSIVE g(id) AS (
        SELECT p_customer_id
        UNION
        SELECT m.id FROM kontor.customer m JOIN g ON m.merged_into = g.id)
    SELECT array_agg(id ORDER BY id) INTO v_group FROM g;
    PERFORM 1 FROM kontor.customer WHERE id = ANY (v_group) ORDER BY id FOR UPDATE;

    INSERT INTO kontor.consent (customer_id, purpose, channel_id, granted, source, recorded_by)
    SELECT customer_id, purpose, channel_id, false, 'erasure', v_sid
    FROM (SELECT DISTINCT ON (customer_id, purpose, channel_id) customer_id, purpose, channel_id, granted
          FROM kontor.consent WHERE customer_id = ANY (v_group)
          ORDER BY customer_id, purpose, channel_id, at DESC, id DESC) cur
    WHERE granted;
    GET DIAGNOSTICS v_consents = ROW_COUNT;
    DELETE FROM kontor.customer_identity WHERE customer_id = ANY (v_group);
    GET DIAGNOSTICS v_ids = ROW_COUNT;
    DELETE FROM kontor.customer_note WHERE customer_id = ANY (v_group);
    GET DIAGNOSTICS v_notes = ROW_COUNT;
    UPDATE kontor.order_note n SET body = '(erased with the customer)'
    FROM kontor.sales_order so
    WHERE so.id = n.order_id AND so.customer_id = ANY (v_group) AND n.body <> '(erased with the customer)';
    GET DIAGNOSTICS v_order_notes = ROW_COUNT;
    UPDATE kontor.customer_duplicate SET note = NULL
    WHERE (customer_a = ANY (v_group) OR customer_b = ANY (v_group)) AND note IS NOT NULL;
    UPDATE kontor.customer_duplicate SET status = 'dismissed'
    WHERE (customer_a = ANY (v_group) OR customer_b = ANY (v_group)) AND status = 'open';
    UPDATE kontor.notification_outbox SET payload = '{}'
    WHERE (customer_id = ANY (v_group)
           OR order_id IN (SELECT id FROM kontor.sales_order WHERE customer_id = ANY (v_group)))
      AND payload <> '{}';
    UPDATE kontor.interaction SET visitor_id = NULL
    WHERE customer_id = ANY (v_group) AND visitor_id IS NOT NULL;
    UPDATE kontor.customer
    SET first_name = '', last_name = '(erased)', birthdate = NULL, street = NULL, postcode = NULL,
        city = NULL, country = NULL, erased_at = now()
    WHERE id = ANY (v_group);
    PERFORM kontor._audit_write(v_sid, NULL, 'customer.erased', 'customer', p_customer_id::text, NULL,
        jsonb_build_object('reason', btrim(p_reason), 'records', to_jsonb(v_group),
                           'consents_withdrawn', v_consents, 'identities_deleted', v_ids,
                           'notes_deleted', v_notes, 'order_notes_erased', v_order_notes));
END $$;

-- Export ------------------------------------------------------------------------------
-- Everything held about a customer as one JSON document (privacy request):
-- the profile, records merged into it, identities (also retired ones),
-- consents with their channel, orders with lines, payments and refunds,
-- returns with lines, interactions with their touchpoint, notes and the
-- messages queued for the customer.
CREATE OR REPLACE FUNCTION kontor.customer_export(p_customer_id bigint) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_sid bigint := kontor._require_role('service', 'manager');
    v_group bigint[];
    v_doc jsonb;
BEGIN
    WITH RECURSIVE g(id) AS (
        SELECT p_customer_id
        UNION
        SELECT m.id FROM kontor.customer m JOIN g ON m.merged_into = g.id)
    SELECT array_agg(id) INTO v_group FROM g;
    SELECT jsonb_build_object(
        'exported_at', now(),
        'customer', to_jsonb(c) - 'name_norm' - 'name_phon' - 'first_phon'
                    || jsonb_build_object('home_channel', (SELECT code FROM kontor.channel WHERE id = c.home_channel_id)),
        'merged_records', (SELECT coalesce(jsonb_agg(to_jsonb(m) - 'name_norm' - 'name_phon' - 'first_phon'
                                                     ORDER BY m.id), '[]')
                           FROM kontor.customer m WHERE m.id = ANY (v_group) AND m.id <> c.id),
        'identities', (SELECT coalesce(jsonb_agg(to_jsonb(i) - 'value_norm' ORDER BY i.id), '[]')
                       FROM kontor.customer_identity i WHERE i.customer_id = ANY (v_group)),
        'consents', (SELECT coalesce(jsonb_agg(to_jsonb(x) || jsonb_build_object('channel', ch.code)
                                               ORDER BY x.at, x.id), '[]')
                     FROM kontor.consent x LEFT JOIN kontor.channel ch ON ch.id = x.channel_id
                     WHERE x.customer_id = c.id),
        'orders', (SELECT coalesce(jsonb_agg(to_jsonb(o) || jsonb_build_object(
                       'channel', (SELECT code FROM kontor.channel WHERE id = o.channel_id),
                       'location', (SELECT code FROM kontor.location WHERE id = o.location_id),
                       'lines', (SELECT coalesce(jsonb_agg(to_jsonb(ol) ORDER BY ol.line_no), '[]')
                                 FROM kontor.order_line ol WHERE ol.order_id = o.id),
                       'payments', (SELECT coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.at, p.id), '[]')
                                    FROM kontor.payment p WHERE p.order_id = o.id),
                       'refunds', (SELECT coalesce(jsonb_agg(to_jsonb(f) - 'idempotency_key' ORDER BY f.at, f.id), '[]')
                                   FROM kontor.refund f WHERE f.order_id = o.id),
                       'notes', (SELECT coalesce(jsonb_agg(jsonb_build_object('at', n.created_at, 'body', n.body)
                                                           ORDER BY n.created_at, n.id), '[]')
                                 FROM kontor.order_note n WHERE n.order_id = o.id))
                       ORDER BY o.placed_at, o.id), '[]')
                   FROM kontor.sales_order o WHERE o.customer_id = c.id),
        'returns', (SELECT coalesce(jsonb_agg(to_jsonb(r) || jsonb_build_object('order_number', o.number, 'lines',
                        (SELECT coalesce(jsonb_agg(to_jsonb(rl) ORDER BY rl.id), '[]')
                         FROM kontor.return_line rl WHERE rl.return_id = r.id))
                        ORDER BY r.created_at, r.id), '[]')
                    FROM kontor.return_order r JOIN kontor.sales_order o ON o.id = r.order_id
                    WHERE o.customer_id = c.id),
        'interactions', (SELECT coalesce(jsonb_agg(to_jsonb(it) || jsonb_build_object(
                             'touchpoint', tp.name, 'touchpoint_kind', tp.kind, 'tracking_code', tp.tracking_code)
                             ORDER BY it.at, it.id), '[]')
                         FROM kontor.interaction it JOIN kontor.touchpoint tp ON tp.id = it.touchpoint_id
                         WHERE it.customer_id = c.id),
        'notes', (SELECT coalesce(jsonb_agg(to_jsonb(n) ORDER BY n.created_at, n.id), '[]')
                  FROM kontor.customer_note n WHERE n.customer_id = c.id),
        'messages', (SELECT coalesce(jsonb_agg(jsonb_build_object('channel', x.channel, 'kind', x.kind,
                                                                  'payload', x.payload, 'created_at', x.created_at,
                                                                  'sent_at', x.sent_at)
                                               ORDER BY x.created_at, x.id), '[]')
                     FROM kontor.notification_outbox x WHERE x.customer_id = c.id))
    INTO v_doc
    FROM kontor.customer c WHERE c.id = p_customer_id;
    IF v_doc IS NULL THEN
        RAISE EXCEPTION 'no customer %', p_customer_id USING ERRCODE = 'no_data_found';
    END IF;
    PERFORM kontor._audit_write(v_sid, NULL, 'customer.exported', 'customer', p_customer_id::text, NULL, NULL);
    RETURN v_doc;
END $$;

-- Grants ---------------------------------------------------------------------------------

REVOKE ALL ON FUNCTION kontor._customer_refuse(text, text), kontor._customer_text(text, text, text, integer),
                       kontor.customer_identity_check(text, text), kontor.customer_identity_label(text),
                       kontor._changed_by(bigint, timestamptz), kontor._customer_for_change(bigint),
                       kontor.customer_update(bigint, integer, text, text, date, text, text, text, text),
                       kontor.customer_identity_save(bigint, bigint, integer, text, text, text, boolean),
                       kontor.consent_set(bigint, text, text, boolean, text, bigint),
                       kontor.customer_erased_guard(), kontor.customer_timeline(bigint, integer, boolean),
                       kontor._customer_when(timestamptz, text, timestamp), kontor._customer_iso(timestamptz),
                       kontor.customer_counts(bigint, boolean)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kontor._customer_refuse(text, text), kontor._customer_text(text, text, text, integer),
                          kontor.customer_identity_check(text, text), kontor.customer_identity_label(text),
                          kontor._changed_by(bigint, timestamptz), kontor._customer_for_change(bigint),
                          kontor.customer_update(bigint, integer, text, text, date, text, text, text, text),
                          kontor.customer_identity_save(bigint, bigint, integer, text, text, text, boolean),
                          kontor.consent_set(bigint, text, text, boolean, text, bigint)
    TO kontor_service, kontor_manager;
GRANT EXECUTE ON FUNCTION kontor.customer_timeline(bigint, integer, boolean),
                          kontor._customer_when(timestamptz, text, timestamp), kontor._customer_iso(timestamptz),
                          kontor.customer_counts(bigint, boolean)
    TO kontor_clerk, kontor_service, kontor_manager;
