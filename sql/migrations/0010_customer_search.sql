-- 0010 customer search: find a customer the way staff hear them, from one
-- text — an order or RMA number, a customer id, an e-mail address, a phone
-- number in any format or a fragment of it, a loyalty card, a web account,
-- or a name, misspelt or not — ranked, best first, and index-backed at a
-- million customers with thousands sharing a surname.
--
-- Names are matched through keys, not by ranking every customer by trigram
-- similarity (about 200 ms at 1,000,000 customers with common surnames):
--   1. name_key() folds a name so that Müller, Mueller and Muller, or
--      Thießen and Thiessen, are one key; btree indexes on the keys of the
--      last and first name answer exact names in registration order.
--   2. customer_name_word holds each distinct key once (with its Kölner
--      Phonetik code): a misspelt word is matched against this small
--      vocabulary — same phonetic code, prefix, trigram similarity — and
--      the best candidate keys are looked up in the btree indexes again.
--      The vocabulary grows with the number of distinct names, not with the
--      number of customers.
-- Identities are matched by their normalised value (btree), fragments by a
-- trigram index per kind (phones, e-mails, cards).
--
-- customer_search() is SECURITY DEFINER: clerks may not read customer or
-- customer_identity, yet must find people by name, loyalty card and order
-- number. What it returns is decided in the database by the caller's role:
-- roles without SELECT on customer_identity (clerks) get masked contact
-- data only, and cannot search by e-mail, phone or fragments of a card.
-- Running as the owner also means no row-level-security policy stands
-- between the search and its indexes (pg_trgm's operators are not
-- leakproof); the tests check the plans as each role.

SET LOCAL search_path = kontor, public;

-- Keys -------------------------------------------------------------------------

-- The search key of a name: accents dropped and lower case (norm_plain),
-- then the German transliterations folded back (ae→a, oe→o, ue→u, ss→s), so
-- "Müller", "Mueller" and "MULLER" are all "muller". Used on both sides
-- (stored names and what staff type), so a fold like "Manuel"→"manul" is
-- harmless.
CREATE FUNCTION kontor.name_key(p text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
SELECT replace(replace(replace(replace(kontor.norm_plain(p), 'ae', 'a'), 'oe', 'o'), 'ue', 'u'), 'ss', 's')
$$;

-- Registration order within a name: the longest-standing customer first,
-- and a later duplicate record right after the original. The city key
-- trails, and the raw columns are included, so "Müller Bremen" filters the
-- Müllers by city inside the index (an index-only scan) instead of
-- fetching every Müller's row. Erased customers are not searched by name.
CREATE INDEX customer_last_key_idx ON kontor.customer
    (kontor.name_key(last_name), id, kontor.name_key(city)) INCLUDE (last_name, city)
    WHERE erased_at IS NULL;
CREATE INDEX customer_full_key_idx ON kontor.customer
    (kontor.name_key(last_name), kontor.name_key(first_name), id, kontor.name_key(city))
    INCLUDE (last_name, first_name, city) WHERE erased_at IS NULL;
CREATE INDEX customer_first_key_idx ON kontor.customer
    (kontor.name_key(first_name), id, kontor.name_key(city)) INCLUDE (first_name, city)
    WHERE erased_at IS NULL;
-- Whether a word is a city someone lives in ("Müller Bremen").
CREATE INDEX customer_city_key_idx ON kontor.customer (kontor.name_key(city)) INCLUDE (city)
    WHERE erased_at IS NULL;

-- Fragments of phones, e-mails and cards, each kind in its own trigram
-- index. They replace the one over every identity (0002, used by nothing
-- else), in which a phone fragment "4000" waded through every loyalty card
-- starting 4000.
DROP INDEX kontor.customer_identity_norm_trgm;
CREATE INDEX customer_identity_phone_trgm ON kontor.customer_identity
    USING gin (value_norm public.gin_trgm_ops) WHERE kind = 'phone' AND retired_at IS NULL;
CREATE INDEX customer_identity_email_trgm ON kontor.customer_identity
    USING gin (value_norm public.gin_trgm_ops) WHERE kind = 'email' AND retired_at IS NULL;
CREATE INDEX customer_identity_loyalty_trgm ON kontor.customer_identity
    USING gin (value_norm public.gin_trgm_ops) WHERE kind = 'loyalty' AND retired_at IS NULL;

-- The vocabulary of name keys -------------------------------------------------------
-- kind 'l' last names, 'f' first names, each key once. Writers only ever
-- add a key that is missing (ON CONFLICT DO NOTHING locks nothing that
-- exists), so registrations of the same surname never wait for each other,
-- and a long bulk load blocks nobody. A name that no (not erased) customer
-- carries any more is deleted, so an erased customer's rare name does not
-- stay behind. customers: how many carried the key at the last rebuild (1
-- for a key added since) — it only orders candidates, common names first.
-- A key missing after a race (the last Dubois erased while another is
-- registered) costs only misspelt searches for that name until the next
-- Dubois or a rebuild: exact names never depend on the vocabulary.
CREATE TABLE kontor.customer_name_word (
    kind       char(1) NOT NULL CHECK (kind IN ('l', 'f')),
    key        text NOT NULL CHECK (key <> ''),
    phon       text NOT NULL,
    customers  integer NOT NULL DEFAULT 1,
    PRIMARY KEY (kind, key)
);
CREATE INDEX customer_name_word_phon_idx ON kontor.customer_name_word (kind, phon);
CREATE INDEX customer_name_word_trgm ON kontor.customer_name_word USING gin (key public.gin_trgm_ops);

-- Adds the missing keys of p_new; deletes the last and first names of
-- p_old that no customer carries any more (each an index-only probe).
-- Both sets as [{kind, key}].
CREATE FUNCTION kontor._customer_name_words_sync(p_new jsonb, p_old jsonb) RETURNS void
LANGUAGE sql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
INSERT INTO kontor.customer_name_word (kind, key, phon)
SELECT DISTINCT r.kind, r.key, kontor.koelner_phonetik(r.key)
FROM jsonb_to_recordset(coalesce(p_new, '[]')) AS r(kind text, key text)
WHERE r.key <> ''
ORDER BY r.kind, r.key
ON CONFLICT (kind, key) DO NOTHING;
DELETE FROM kontor.customer_name_word w
USING jsonb_to_recordset(coalesce(p_old, '[]')) AS r(kind text, key text)
WHERE w.kind = 'l' AND r.kind = 'l' AND w.key = r.key
  AND NOT EXISTS (SELECT 1 FROM kontor.customer c
                  WHERE kontor.name_key(c.last_name) = w.key AND c.erased_at IS NULL);
DELETE FROM kontor.customer_name_word w
USING jsonb_to_recordset(coalesce(p_old, '[]')) AS r(kind text, key text)
WHERE w.kind = 'f' AND r.kind = 'f' AND w.key = r.key
  AND NOT EXISTS (SELECT 1 FROM kontor.customer c
                  WHERE kontor.name_key(c.first_name) = w.key AND c.erased_at IS NULL);
$$;

-- Statement-level: one insert per statement, however many rows it wrote
-- (the demo generator inserts a million customers in one statement).
CREATE FUNCTION kontor.customer_name_words_sync() RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_new jsonb;
    v_old jsonb;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT jsonb_agg(DISTINCT jsonb_build_object('kind', k.kind, 'key', k.key)) INTO v_new
        FROM new_rows n
        CROSS JOIN LATERAL (VALUES ('l', kontor.name_key(n.last_name)),
                                   ('f', kontor.name_key(n.first_name))) AS k(kind, key)
        WHERE n.erased_at IS NULL AND k.key <> '';
    ELSIF TG_OP = 'DELETE' THEN
        SELECT jsonb_agg(DISTINCT jsonb_build_object('kind', k.kind, 'key', k.key)) INTO v_old
        FROM old_rows o
        CROSS JOIN LATERAL (VALUES ('l', kontor.name_key(o.last_name)),
                                   ('f', kontor.name_key(o.first_name))) AS k(kind, key);
    ELSE
        -- only rows whose names or erasure changed
        SELECT jsonb_agg(DISTINCT jsonb_build_object('kind', k.kind, 'key', k.key)) INTO v_new
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES ('l', kontor.name_key(n.last_name)),
                                   ('f', kontor.name_key(n.first_name))) AS k(kind, key)
        WHERE n.erased_at IS NULL AND k.key <> ''
          AND (o.first_name, o.last_name, o.erased_at IS NULL)
              IS DISTINCT FROM (n.first_name, n.last_name, n.erased_at IS NULL);
        SELECT jsonb_agg(DISTINCT jsonb_build_object('kind', k.kind, 'key', k.key)) INTO v_old
        FROM old_rows o JOIN new_rows n ON n.id = o.id
        CROSS JOIN LATERAL (VALUES ('l', kontor.name_key(o.last_name)),
                                   ('f', kontor.name_key(o.first_name))) AS k(kind, key)
        WHERE (o.first_name, o.last_name, o.erased_at IS NULL)
              IS DISTINCT FROM (n.first_name, n.last_name, n.erased_at IS NULL);
    END IF;
    IF v_new IS NOT NULL OR v_old IS NOT NULL THEN
        PERFORM kontor._customer_name_words_sync(v_new, v_old);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER customer_name_words_ins AFTER INSERT ON kontor.customer
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kontor.customer_name_words_sync();
CREATE TRIGGER customer_name_words_upd AFTER UPDATE ON kontor.customer
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kontor.customer_name_words_sync();
CREATE TRIGGER customer_name_words_del AFTER DELETE ON kontor.customer
    REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION kontor.customer_name_words_sync();

-- The demo loader (and any bulk load) runs with session_replication_role =
-- replica to skip triggers; these fire anyway, the vocabulary being part of
-- the customer table's meaning (and adding a key twice is harmless, so a
-- logical-replication subscriber may fire them too).
ALTER TABLE kontor.customer ENABLE ALWAYS TRIGGER customer_name_words_ins;
ALTER TABLE kontor.customer ENABLE ALWAYS TRIGGER customer_name_words_upd;
ALTER TABLE kontor.customer ENABLE ALWAYS TRIGGER customer_name_words_del;

-- Builds the vocabulary anew from the customers (the owner's repair tool,
-- e.g. after a load with the triggers disabled; also fills it for the
-- customers already there when this migration runs). Returns the keys.
CREATE FUNCTION kontor.customer_name_words_rebuild() RETURNS integer
LANGUAGE plpgsql VOLATILE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    v_n integer;
BEGIN
    LOCK TABLE kontor.customer_name_word IN EXCLUSIVE MODE;
    DELETE FROM kontor.customer_name_word;
    INSERT INTO kontor.customer_name_word (kind, key, phon, customers)
    SELECT k.kind, k.key, kontor.koelner_phonetik(k.key), count(*)
    FROM kontor.customer c
    CROSS JOIN LATERAL (VALUES ('l', kontor.name_key(c.last_name)),
                               ('f', kontor.name_key(c.first_name))) AS k(kind, key)
    WHERE c.erased_at IS NULL AND k.key <> ''
    GROUP BY k.kind, k.key;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    RETURN v_n;
END $$;
SELECT kontor.customer_name_words_rebuild();
-- statistics for the new expression indexes (the planner's row counts)
ANALYZE kontor.customer;
ANALYZE kontor.customer_name_word;

-- Search ---------------------------------------------------------------------------

CREATE TYPE kontor.customer_search_hit AS (
    customer_id  bigint,
    match        text,
    matched      text,
    score        integer
);

-- The customer a record stands for: itself, or the survivor of its merges.
CREATE FUNCTION kontor._customer_survivor(p_id bigint) RETURNS bigint
LANGUAGE sql STABLE
SET search_path = kontor, public, pg_temp
AS $$
WITH RECURSIVE chain(id, merged_into, depth) AS (
    SELECT id, merged_into, 0 FROM kontor.customer WHERE id = p_id
    UNION ALL
    SELECT c.id, c.merged_into, chain.depth + 1
    FROM chain JOIN kontor.customer c ON c.id = chain.merged_into
    WHERE chain.depth < 16
)
SELECT id FROM chain WHERE merged_into IS NULL OR depth = 16 ORDER BY depth LIMIT 1
$$;

-- The lookups a name calls for, best first. The typed parts: the whole
-- text, and every split of the words into two parts. For each part and
-- kind, candidate keys from the vocabulary: the key itself, keys that sound
-- the same (Kölner Phonetik), keys that begin with it (typing goes on; an
-- initial), keys with similar trigrams — each with a quality in (0, 1],
-- common names first among equals, at most a few (three times as many for
-- one or two letters, which begin many names). The lookups: the whole text
-- as a last or a first name; first + last name from a split, in both
-- orders; each part of a split alone as a last name (a first name nobody
-- has). score = 100 × quality × weight; match is the weaker part's.
-- PL/pgSQL for its cached plan (one statement, planned once per session).
CREATE FUNCTION kontor._customer_name_probes(p_words text[])
RETURNS TABLE (lkey text, fkey text, score integer, match text)
LANGUAGE plpgsql STABLE ROWS 40
SET search_path = kontor, public, pg_temp
SET pg_trgm.similarity_threshold = 0.25
AS $$
#variable_conflict use_column
BEGIN
    RETURN QUERY
    WITH part AS (
        SELECT 0 AS idx, 'w' AS role, k.kind, array_to_string(p_words, ' ') AS t, k.n
        FROM (VALUES ('l', 6), ('f', 3)) AS k(kind, n)
        UNION ALL
        SELECT i, r.role, r.kind,
               CASE WHEN r.role = 'a' THEN array_to_string(p_words[1:i], ' ')
                    ELSE array_to_string(p_words[i + 1:cardinality(p_words)], ' ') END, 4
        FROM generate_series(1, least(cardinality(p_words) - 1, 4)) AS i,
             (VALUES ('a', 'f'), ('a', 'l'), ('b', 'f'), ('b', 'l')) AS r(role, kind)
    ), cand AS (
        SELECT part.idx, part.role, part.kind, c.key, c.quality, c.match
        FROM part
        CROSS JOIN LATERAL (
            SELECT y.key, y.quality, y.match
            FROM (
                SELECT DISTINCT ON (x.key) x.key, x.quality, x.match, x.customers
                FROM (
                    -- the typed key itself, known to the vocabulary or not
                    SELECT part.t AS key, 1.0::float8 AS quality, 'name exact' AS match,
                           coalesce((SELECT w.customers FROM kontor.customer_name_word w
                                     WHERE w.kind = part.kind AND w.key = part.t), 0) AS customers
                    UNION ALL
                    (SELECT w.key, 0.5 + 0.4 * public.similarity(w.key, part.t), 'phonetic', w.customers
                     FROM kontor.customer_name_word w
                     WHERE w.kind = part.kind AND w.phon = kontor.koelner_phonetik(part.t)
                       AND w.key <> part.t AND kontor.koelner_phonetik(part.t) <> ''
                     ORDER BY 2 DESC, w.customers DESC LIMIT 20)
                    UNION ALL
                    (SELECT w.key, 0.45 + 0.3 * length(part.t) / length(w.key), 'name begins', w.customers
                     FROM kontor.customer_name_word w
                     WHERE w.kind = part.kind AND w.key LIKE part.t || '%' AND w.key <> part.t
                     ORDER BY w.customers DESC LIMIT 3 * part.n)
                    UNION ALL
                    (SELECT w.key, 0.2 + 0.5 * public.similarity(w.key, part.t), 'similar', w.customers
                     FROM kontor.customer_name_word w
                     WHERE w.kind = part.kind AND w.key OPERATOR(public.%) part.t
                       AND w.key <> part.t AND length(part.t) >= 3
                     ORDER BY 2 DESC, w.customers DESC LIMIT 20)
                ) x
                ORDER BY x.key, x.quality DESC
            ) y
            ORDER BY y.quality DESC, y.customers DESC, y.key
            LIMIT CASE WHEN length(part.t) <= 2 THEN 3 * part.n ELSE part.n END
        ) c
        WHERE part.t <> ''
    ), probe AS (
        SELECT c.key AS lkey, NULL::text AS fkey,
               c.quality * CASE c.role WHEN 'w' THEN 0.85 WHEN 'b' THEN 0.55 ELSE 0.5 END AS q, c.match
        FROM cand c WHERE c.kind = 'l'
        UNION ALL
        SELECT NULL, c.key, c.quality * 0.6, c.match FROM cand c WHERE c.kind = 'f' AND c.role = 'w'
        UNION ALL
        SELECT l.key, f.key, (f.quality + l.quality) / 2 * CASE WHEN f.role = 'a' THEN 0.9 ELSE 0.88 END,
               CASE WHEN f.quality < l.quality THEN f.match ELSE l.match END
        FROM cand f JOIN cand l ON l.idx = f.idx AND l.kind = 'l' AND l.role <> f.role
        WHERE f.kind = 'f' AND f.role <> 'w'
    )
    SELECT probe.lkey, probe.fkey, round(100 * max(probe.q))::integer,
           (array_agg(probe.match ORDER BY probe.q DESC))[1]
    FROM probe
    GROUP BY probe.lkey, probe.fkey
    ORDER BY 3 DESC, 1, 2;
END $$;

-- Name hits, probe by probe, best first; each probe an index(-only) scan
-- in registration order. Stops as soon as p_limit customers (with what
-- p_have already holds) score higher than the next probe could: a common
-- surname costs one probe, not one per similar name. p_city: only
-- customers in that city (a city key), or NULL.
CREATE FUNCTION kontor._customer_search_names(p_words text[], p_limit integer, p_city text,
                                              p_have kontor.customer_search_hit[])
RETURNS kontor.customer_search_hit[]
LANGUAGE plpgsql STABLE
SET search_path = kontor, public, pg_temp
AS $$
DECLARE
    r record;
    v_hits kontor.customer_search_hit[] := '{}';
    v_all kontor.customer_search_hit[] := coalesce(p_have, '{}');
BEGIN
    FOR r IN SELECT * FROM kontor._customer_name_probes(p_words) LOOP
        EXIT WHEN (SELECT count(DISTINCT h.customer_id) FROM unnest(v_all) h
                   WHERE h.score > r.score) >= p_limit;
        IF r.fkey IS NULL THEN
            v_hits := ARRAY(
                SELECT ROW(c.id, r.match, NULL, r.score)::kontor.customer_search_hit
                FROM kontor.customer c
                WHERE kontor.name_key(c.last_name) = r.lkey AND c.erased_at IS NULL
                  AND (p_city IS NULL OR kontor.name_key(c.city) = p_city)
                ORDER BY kontor.name_key(c.last_name), c.id LIMIT p_limit);
        ELSIF r.lkey IS NULL THEN
            v_hits := ARRAY(
                SELECT ROW(c.id, r.match, NULL, r.score)::kontor.customer_search_hit
                FROM kontor.customer c
                WHERE kontor.name_key(c.first_name) = r.fkey AND c.erased_at IS NULL
                  AND (p_city IS NULL OR kontor.name_key(c.city) = p_city)
                ORDER BY kontor.name_key(c.first_name), c.id LIMIT p_limit);
        ELSE
            v_hits := ARRAY(
                SELECT ROW(c.id, r.match, NULL, r.score)::kontor.customer_search_hit
                FROM kontor.customer c
                WHERE kontor.name_key(c.last_name) = r.lkey
                  AND kontor.name_key(c.first_name) = r.fkey AND c.erased_at IS NULL
                  AND (p_city IS NULL OR kontor.name_key(c.city) = p_city)
                ORDER BY kontor.name_key(c.last_name), kontor.name_key(c.first_name), c.id
                LIMIT p_limit);
        END IF;
        v_all := v_all || v_hits;
    END LOOP;
    RETURN v_all[coalesce(cardinality(p_have), 0) + 1:];
END $$;

-- The search. Columns:
--   id           the customer (for a merged record: the survivor)
--   name         "first last", or "(erased customer)"
--   city
--   contact      e-mail · phone; masked for roles that may not read identities
--   match        number, id, email, email part, phone, phone part, loyalty,
--                loyalty part, account, name exact, name begins, phonetic, similar
--   matched      what matched, when it is not the name: "K-100001",
--                "+49 421 1234567", "4000 1234 5678" (masked for clerks)
--   score        0..100, the order of the list (ties: registration order)
--   erased       the customer was erased (found by an order or id only)
--   merged_from  the merged record that matched, when it was not the survivor
--   orders       how many orders the customer has
-- Scores: explicit id (#17, id:17) and order/RMA number 100, e-mail 98,
-- phone and loyalty card 97, account 96, plain digits as an order number
-- 92; name: exact full name 90, exact last name 85, sounding alike or
-- misspelt lower; fragments of an e-mail 80, a phone 75, a card 72; plain
-- digits as a customer id 70. At most p_limit rows (1..200).
CREATE FUNCTION kontor.customer_search(p_text text, p_limit integer DEFAULT 50)
RETURNS TABLE (id bigint, name text, city text, contact text, match text, matched text,
               score integer, erased boolean, merged_from bigint, orders bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER ROWS 50
SET search_path = kontor, public, pg_temp
SET jit = off
AS $$
#variable_conflict use_column
DECLARE
    v_text   text := left(btrim(regexp_replace(coalesce(p_text, ''), '\s+', ' ', 'g')), 200);
    v_lower  text;
    v_digits text;
    v_limit  integer := least(greatest(coalesce(p_limit, 50), 1), 200);
    v_full   boolean := has_table_privilege(kontor.caller_role(), 'kontor.customer_identity', 'SELECT');
    v_hits   kontor.customer_search_hit[] := '{}';
    v_frag   text;
    v_n      integer;
    v_words  text[];
    v_city   text;
    v_names  kontor.customer_search_hit[] := '{}';
    v_m      text[];
BEGIN
    v_lower := lower(v_text);
    v_digits := regexp_replace(v_text, '[^0-9]', '', 'g');
    IF v_text = '' THEN
        RETURN;
    END IF;

    -- a customer id: "#17", "id:17", "id 17"; plain digits too, ranked low
    v_m := regexp_match(v_lower, '^(#|id *:? *)?([0-9]{1,18})$');
    IF v_m IS NOT NULL THEN
        v_hits := v_hits || ARRAY(
            SELECT ROW(c.id, 'id', '#' || c.id, CASE WHEN v_m[1] IS NULL THEN 70 ELSE 100 END)::kontor.customer_search_hit
            FROM kontor.customer c WHERE c.id = v_m[2]::bigint);
        IF v_m[1] IS NOT NULL THEN
            v_text := '';   -- asked for an id: nothing else
        END IF;
    END IF;

    -- an order number: "K-100001", "k100001", or its digits
    v_m := regexp_match(v_lower, '^(k *-? *)?([0-9]{5,10})$');
    IF v_m IS NOT NULL AND v_text <> '' THEN
        v_hits := v_hits || ARRAY(
            SELECT ROW(so.customer_id, 'number', so.number,
                       CASE WHEN v_m[1] IS NULL THEN 92 ELSE 100 END)::kontor.customer_search_hit
            FROM kontor.sales_order so
            WHERE so.number = 'K-' || v_m[2] AND so.customer_id IS NOT NULL);
    END IF;

    -- an RMA: "R-7K2Q9M", or the six characters when one is a digit
    v_m := regexp_match(upper(v_text), '^(R-)?([23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6})$');
    IF v_m IS NOT NULL AND (v_m[1] IS NOT NULL OR v_m[2] ~ '[0-9]') THEN
        v_hits := v_hits || ARRAY(
            SELECT ROW(so.customer_id, 'number', r.rma || ' (' || so.number || ')', 100)::kontor.customer_search_hit
            FROM kontor.return_order r JOIN kontor.sales_order so ON so.id = r.order_id
            WHERE r.rma = 'R-' || v_m[2] AND so.customer_id IS NOT NULL);
    END IF;

    -- a loyalty card: its digits, whole (every role) or a fragment
    IF v_text ~ '^[0-9 ./-]+$' AND length(v_digits) >= 8 THEN
        v_hits := v_hits || ARRAY(
            SELECT ROW(i.customer_id, 'loyalty',
                       CASE WHEN v_full THEN i.value ELSE '**** ' || right(i.value_norm, 4) END, 97)::kontor.customer_search_hit
            FROM kontor.customer_identity i
            WHERE i.kind = 'loyalty' AND i.value_norm = v_digits AND i.retired_at IS NULL);
    END IF;

    -- Fragments: the matches come from the trigram index (OFFSET 0 keeps the
    -- planner from walking customer ids instead), at most 1000 of them are
    -- read (a fragment matching more identifies nobody: "0421" is Bremen),
    -- and the first by registration taken.
    IF v_full THEN
        -- e-mail: the whole address, or a part of one ("mueller@", "j.mueller")
        -- (the trigram index is asked for the part before the "@" only: the
        -- trigrams of a common domain are in every other address)
        IF v_text ~ '^\S+$' AND v_text ~ '[@._]' AND length(v_text) >= 3 THEN
            v_n := cardinality(v_hits);
            v_hits := v_hits || ARRAY(
                SELECT ROW(i.customer_id, 'email', i.value, 98)::kontor.customer_search_hit
                FROM kontor.customer_identity i
                WHERE i.kind = 'email' AND i.value_norm = v_lower AND i.retired_at IS NULL);
            v_frag := split_part(v_lower, '@', 1);   -- a domain alone finds nobody
            IF cardinality(v_hits) = v_n AND length(v_frag) >= 3 THEN
                v_hits := v_hits || ARRAY(
                    SELECT ROW(i.customer_id, 'email part', i.value, 80)::kontor.customer_search_hit
                    FROM (SELECT * FROM (SELECT i.customer_id, i.value FROM kontor.customer_identity i
                          WHERE i.value_norm LIKE '%' || replace(replace(replace(v_frag, '\', '\\'), '%', '\%'), '_', '\_') || '%'
                            AND strpos(i.value_norm, v_lower) > 0
                            AND i.kind = 'email' AND i.retired_at IS NULL
                          OFFSET 0) f LIMIT 1000) i
                    ORDER BY i.customer_id LIMIT v_limit);
            END IF;
        END IF;

        -- web account or marketplace buyer id, exactly
        IF v_text ~ '^\S+$' THEN
            v_hits := v_hits || ARRAY(
                SELECT ROW(i.customer_id, 'account', i.value, 96)::kontor.customer_search_hit
                FROM kontor.customer_identity i
                WHERE i.kind IN ('web_account', 'marketplace_id') AND i.value_norm = v_lower
                  AND i.retired_at IS NULL);
        END IF;

        -- a phone number in any format, or a fragment of at least 4 digits
        -- (a national "0421 12" is looked for as "4942112")
        IF v_text ~ '^\+?[0-9 ()./-]+$' AND length(v_digits) >= 4 THEN
            v_hits := v_hits || ARRAY(
                SELECT ROW(i.customer_id, 'phone', i.value, 97)::kontor.customer_search_hit
                FROM kontor.customer_identity i
                WHERE i.kind = 'phone' AND i.value_norm = kontor.identity_norm('phone', v_text)
                  AND i.retired_at IS NULL);
            v_frag := CASE WHEN left(v_text, 1) = '+' THEN v_digits
                           WHEN left(v_digits, 2) = '00' THEN substr(v_digits, 3)
                           WHEN left(v_digits, 1) = '0' THEN '49' || substr(v_digits, 2)
                           ELSE v_digits END;
            IF length(v_frag) >= 4 THEN
                v_hits := v_hits || ARRAY(
                    SELECT ROW(i.customer_id, 'phone part', i.value, 75)::kontor.customer_search_hit
                    FROM (SELECT * FROM (SELECT i.customer_id, i.value FROM kontor.customer_identity i
                          WHERE i.value_norm LIKE '%' || v_frag || '%' AND i.kind = 'phone'
                            AND i.retired_at IS NULL
                            AND i.value_norm <> kontor.identity_norm('phone', v_text)
                          OFFSET 0) f LIMIT 1000) i
                    ORDER BY i.customer_id LIMIT v_limit);
            END IF;
            IF length(v_digits) >= 5 THEN
                v_hits := v_hits || ARRAY(
                    SELECT ROW(i.customer_id, 'loyalty part', i.value, 72)::kontor.customer_search_hit
                    FROM (SELECT * FROM (SELECT i.customer_id, i.value FROM kontor.customer_identity i
                          WHERE i.value_norm LIKE '%' || v_digits || '%' AND i.kind = 'loyalty'
                            AND i.retired_at IS NULL AND i.value_norm <> v_digits
                          OFFSET 0) f LIMIT 1000) i
                    ORDER BY i.customer_id LIMIT v_limit);
            END IF;
        END IF;
    END IF;

    -- names: up to five words of letters (not an address, not a number)
    IF v_text ~ '[[:alpha:]]' AND v_text !~ '@' AND cardinality(v_hits) = 0
       OR v_text ~ '^[^0-9@]+$' THEN
        v_words := ARRAY(SELECT w FROM unnest(regexp_split_to_array(kontor.name_key(v_text), ' ')) w
                         WHERE w <> '' AND w !~ '[0-9]');
        -- "Müller Bremen": a last word that is a city narrows the names to it
        IF cardinality(v_words) BETWEEN 2 AND 6 THEN
            SELECT v_words[cardinality(v_words)] INTO v_city
            WHERE EXISTS (SELECT 1 FROM kontor.customer c
                          WHERE kontor.name_key(c.city) = v_words[cardinality(v_words)]
                            AND c.erased_at IS NULL);
            IF v_city IS NOT NULL THEN
                v_names := kontor._customer_search_names(v_words[1:cardinality(v_words) - 1],
                                                         v_limit, v_city, v_hits);
            END IF;
        END IF;
        IF cardinality(v_names) = 0 AND cardinality(v_words) BETWEEN 1 AND 5 THEN
            v_names := kontor._customer_search_names(v_words, v_limit, NULL, v_hits);
        END IF;
        v_hits := v_hits || v_names;
    END IF;

    RETURN QUERY
    WITH hit AS (   -- each hit with the customer it stands for (merges followed)
        SELECT h.customer_id, h.match, h.matched, h.score,
               CASE WHEN c1.merged_into IS NULL THEN c1.id
                    WHEN c2.merged_into IS NULL THEN c2.id
                    ELSE kontor._customer_survivor(c2.id) END AS survivor
        FROM unnest(v_hits) h
        JOIN kontor.customer c1 ON c1.id = h.customer_id
        LEFT JOIN kontor.customer c2 ON c2.id = c1.merged_into
    ), best AS (
        SELECT DISTINCT ON (hit.survivor) hit.*
        FROM hit WHERE hit.survivor IS NOT NULL
        ORDER BY hit.survivor, hit.score DESC, (hit.customer_id = hit.survivor) DESC
    ), top AS (
        SELECT * FROM best ORDER BY best.score DESC, best.survivor LIMIT v_limit
    )
    SELECT c.id,
           CASE WHEN c.erased_at IS NOT NULL THEN '(erased customer)'
                ELSE btrim(c.first_name || ' ' || c.last_name) END,
           c.city,
           CASE WHEN c.erased_at IS NOT NULL THEN NULL
                WHEN v_full THEN nullif(concat_ws(' · ',
                    (SELECT i.value FROM kontor.customer_identity i
                     WHERE i.customer_id = c.id AND i.kind = 'email' AND i.retired_at IS NULL
                     ORDER BY i.created_at DESC, i.id DESC LIMIT 1),
                    (SELECT i.value FROM kontor.customer_identity i
                     WHERE i.customer_id = c.id AND i.kind = 'phone' AND i.retired_at IS NULL
                     ORDER BY i.created_at DESC, i.id DESC LIMIT 1)), '')
                ELSE (SELECT nullif(concat_ws(' · ', m.email_masked, m.phone_masked), '')
                      FROM kontor.customer_masked m WHERE m.id = c.id) END,
           t.match, t.matched, t.score, c.erased_at IS NOT NULL,
           CASE WHEN t.customer_id <> t.survivor THEN t.customer_id END,
           (SELECT count(*) FROM kontor.sales_order so WHERE so.customer_id = c.id)
    FROM top t JOIN kontor.customer c ON c.id = t.survivor
    ORDER BY t.score DESC, c.id;
END $$;

-- Grants ---------------------------------------------------------------------------
REVOKE ALL ON kontor.customer_name_word FROM PUBLIC;
REVOKE ALL ON FUNCTION kontor.name_key(text), kontor._customer_name_words_sync(jsonb, jsonb),
                       kontor.customer_name_words_sync(), kontor.customer_name_words_rebuild(),
                       kontor._customer_survivor(bigint), kontor._customer_name_probes(text[]),
                       kontor._customer_search_names(text[], integer, text, kontor.customer_search_hit[]),
                       kontor.customer_search(text, integer)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION kontor.name_key(text) TO kontor_clerk, kontor_service, kontor_manager;
GRANT EXECUTE ON FUNCTION kontor.customer_search(text, integer)
    TO kontor_clerk, kontor_service, kontor_manager;
