-- Customers' identities, consents and duplicate flags; campaign interactions.

-- A customer exists before the first order (new customers join every day).
UPDATE kontor.customer c
SET created_at = f.first_at - make_interval(mins => 3 + (c.id % 240)::integer),
    updated_at = f.first_at - make_interval(mins => 3 + (c.id % 240)::integer)
FROM (SELECT customer_id, min(placed_at) AS first_at FROM kontor.sales_order
      WHERE customer_id > 100 GROUP BY customer_id) f
WHERE c.id = f.customer_id AND c.created_at > f.first_at - interval '3 minutes';

-- Identities -------------------------------------------------------------------------
-- E-mail addresses from the names; the same address twice gets a number.
CREATE UNLOGGED TABLE kontor_gen.email AS
WITH base AS (
    SELECT cu.id,
           coalesce(cu.latin_first, regexp_replace(lower(kontor_gen.translit(cu.first_name)), '[^a-z]', '', 'g')) AS f,
           coalesce(cu.latin_last, regexp_replace(lower(kontor_gen.translit(cu.last_name)), '[^a-z]', '', 'g')) AS l,
           cu.birthdate, kontor_gen.u(151, cu.id) AS v
    FROM kontor_gen.cust cu
    WHERE kontor_gen.u(150, cu.id) < 0.92
), lp AS (
    SELECT id,
           CASE WHEN v < 0.45 THEN f || '.' || l WHEN v < 0.6 THEN f || l
                WHEN v < 0.72 THEN left(f, 1) || '.' || l WHEN v < 0.82 THEN f || '_' || l
                WHEN v < 0.92 THEN f || '.' || l || coalesce(to_char(birthdate, 'YY'), (10 + id % 89)::text)
                ELSE l || '.' || f END AS lp,
           (ARRAY['example.de', 'example.com', 'example.net', 'example.org', 'mail.example.de', 'web.example'])
               [kontor_gen.pick(kontor_gen.u(152, id), '{0,0.3,0.5,0.65,0.75,0.9}')] AS dom
    FROM base
), allm AS (
    SELECT id, lp, dom FROM lp
    UNION ALL
    SELECT 0, split_part(value_norm, '@', 1), split_part(value_norm, '@', 2)
    FROM kontor.customer_identity WHERE kind = 'email'
)
SELECT id, lp || CASE WHEN rn > 1 THEN '.' || rn ELSE '' END || '@' || dom AS email
FROM (SELECT id, lp, dom, row_number() OVER (PARTITION BY lp, dom ORDER BY id) AS rn FROM allm) x
WHERE id > 0;
CREATE UNIQUE INDEX ON kontor_gen.email (id);

INSERT INTO kontor.customer_identity (customer_id, kind, value, source, verified, created_at, retired_at, updated_at)
SELECT c.id, v.kind, v.value, v.source, v.verified, least(c.created_at + v.after, coalesce(c.merged_at, now())),
       c.merged_at, coalesce(c.merged_at, least(c.created_at + v.after, now()))
FROM kontor.customer c
JOIN kontor.channel hc ON hc.id = c.home_channel_id
LEFT JOIN kontor_gen.dup d ON d.id = c.id
LEFT JOIN kontor_gen.email e ON e.id = coalesce(d.orig, c.id)
LEFT JOIN kontor_gen.city ci ON ci.city = c.city
CROSS JOIN LATERAL (SELECT (10000000 + (c.id * 48271) % 90000000)::text AS s,
                           (20000000 + (c.id * 48271) % 70000000)::text AS n,
                           kontor_gen.u(153, c.id) AS pf) k
CROSS JOIN LATERAL (VALUES
    ('email',
     CASE WHEN d.id IS NULL THEN e.email
          WHEN e.email IS NOT NULL AND kontor_gen.u(154, c.id) < 0.5 THEN replace(e.email, '@', '+shop@') END,
     CASE WHEN d.id IS NULL THEN hc.code ELSE 'store' END, kontor_gen.u(155, c.id) < 0.8, interval '0'),
    ('phone',
     CASE WHEN d.id IS NULL AND kontor_gen.u(156, c.id) < 0.55 THEN
         CASE WHEN kontor_gen.u(157, c.id) < 0.7 OR ci.area IS NULL THEN
                  (SELECT CASE WHEN k.pf < 0.35 THEN '+49 ' || p || ' ' || k.s
                               WHEN k.pf < 0.6 THEN '0' || p || ' ' || k.s
                               WHEN k.pf < 0.75 THEN '0' || p || '/' || k.s
                               WHEN k.pf < 0.9 THEN '+49' || p || k.s
                               ELSE '0' || p || '-' || left(k.s, 4) || ' ' || right(k.s, 4) END
                   FROM (SELECT (ARRAY['151', '152', '157', '159', '160', '162', '163', '170', '171', '172', '173',
                                       '174', '175', '176', '177', '178', '179'])
                                [1 + floor(kontor_gen.u(158, c.id) * 17)::integer] AS p) pp)
              ELSE CASE WHEN k.pf < 0.5 THEN '0' || ci.area || ' ' || k.s
                        WHEN k.pf < 0.8 THEN '+49 ' || ci.area || ' ' || k.s
                        ELSE '(0' || ci.area || ') ' || k.s END END END,
     hc.code, kontor_gen.u(159, c.id) < 0.5, interval '0'),
    ('loyalty',
     CASE WHEN d.id IS NOT NULL OR kontor_gen.u(160, c.id) < CASE WHEN hc.code = 'store' THEN 0.85 ELSE 0.3 END
          THEN '4000 ' || left(k.n, 4) || ' ' || right(k.n, 4) END,
     'store', true, make_interval(days => floor(kontor_gen.u(161, c.id) * 200)::integer)),
    ('web_account',
     CASE WHEN d.id IS NULL AND kontor_gen.u(162, c.id) < CASE WHEN hc.code IN ('web', 'app') THEN 0.8 ELSE 0.25 END
          THEN coalesce(left(e.email, 1), 'k')
               || regexp_replace(lower(kontor_gen.translit(c.last_name)), '[^a-z]', '', 'g') || c.id END,
     CASE WHEN hc.code = 'app' THEN 'app' ELSE 'web' END, true, interval '0'),
    ('marketplace_id',
     CASE WHEN d.id IS NULL AND (hc.code = 'marketplace' OR kontor_gen.u(163, c.id) < 0.05)
          THEN 'MP' || (100000000 + (c.id * 48271) % 900000000) END,
     'marketplace', true, interval '0')) AS v(kind, value, source, verified, after)
WHERE c.id > 100 AND v.value IS NOT NULL
ORDER BY c.id, v.kind;

-- Consents ---------------------------------------------------------------------------
INSERT INTO kontor.consent (customer_id, purpose, channel_id, granted, source, at)
SELECT c.id, v.purpose, coalesce(v.ch, c.home_channel_id), v.granted, v.source, least(v.at, now())
FROM kontor.customer c
JOIN kontor.channel hc ON hc.id = c.home_channel_id
CROSS JOIN LATERAL (SELECT CASE hc.code WHEN 'web' THEN 'web signup form' WHEN 'app' THEN 'app onboarding'
                                        WHEN 'store' THEN 'store counter' WHEN 'marketplace' THEN 'checkout'
                                        WHEN 'phone' THEN 'phone order' WHEN 'social' THEN 'instagram lead form'
                                        ELSE 'catalogue order card' END AS src,
                           c.created_at + make_interval(secs => 60 + kontor_gen.u(170, c.id) * 600) AS t,
                           kontor_gen.u(171, c.id) < CASE WHEN hc.code IN ('web', 'app') THEN 0.6 ELSE 0.4 END AS nl) s
CROSS JOIN LATERAL (VALUES
    ('newsletter', s.nl, s.src, s.t, NULL::bigint),
    ('newsletter', CASE WHEN s.nl AND kontor_gen.u(172, c.id) < 0.12 THEN false END, 'unsubscribe link',
        s.t + make_interval(secs => kontor_gen.u(173, c.id) * extract(epoch FROM now() - s.t)),
        (SELECT id FROM kontor_gen.ch WHERE code = 'web')),
    ('sms', CASE WHEN kontor_gen.u(174, c.id) < 0.1 THEN true WHEN kontor_gen.u(174, c.id) < 0.25 THEN false END,
        s.src, s.t, NULL),
    ('post', CASE WHEN kontor_gen.u(175, c.id) < CASE WHEN hc.code = 'store' THEN 0.5 ELSE 0.3 END THEN true END,
        s.src, s.t, NULL),
    ('app_push', CASE WHEN hc.code = 'app' AND kontor_gen.u(176, c.id) < 0.7 THEN true END, s.src, s.t, NULL),
    ('profiling', CASE WHEN kontor_gen.u(177, c.id) < 0.25 THEN true END, s.src, s.t, NULL),
    ('phone', CASE WHEN kontor_gen.u(178, c.id) < 0.04 THEN true END, s.src, s.t, NULL))
    AS v(purpose, granted, source, at, ch)
WHERE c.id > 100 AND c.merged_into IS NULL AND v.granted IS NOT NULL
ORDER BY c.id, v.at, v.purpose, v.granted DESC;

-- Duplicate flags: merged ones, open ones for the manager, a dismissed one.
INSERT INTO kontor.customer_duplicate (customer_a, customer_b, status, note, flagged_by, flagged_at,
                                       resolved_by, resolved_at, version, updated_at)
SELECT d.orig, d.id,
       CASE d.kind WHEN 0 THEN 'merged' WHEN 4 THEN 'dismissed' ELSE 'open' END,
       CASE d.kind WHEN 0 THEN 'same phone, loyalty card from the store'
                   WHEN 4 THEN 'different people: same name, other birthday'
                   ELSE 'same address, name spelt differently' END,
       tm.service[1 + floor(kontor_gen.u(180, d.id) * cardinality(tm.service))::integer], f.at,
       CASE WHEN d.kind IN (0, 4) THEN tm.maren END,
       CASE WHEN d.kind = 0 THEN c.merged_at WHEN d.kind = 4 THEN f.at + interval '1 day' END,
       CASE WHEN d.kind IN (0, 4) THEN 2 ELSE 1 END,
       CASE WHEN d.kind = 0 THEN c.merged_at WHEN d.kind = 4 THEN f.at + interval '1 day' ELSE f.at END
FROM kontor_gen.dup d
JOIN kontor.customer c ON c.id = d.id
CROSS JOIN kontor_gen.team tm
CROSS JOIN LATERAL (SELECT CASE WHEN d.kind = 0 THEN c.merged_at - interval '2 days'
                                ELSE now() - interval '2 days' - kontor_gen.u(181, d.id) * interval '20 days' END AS at) f
WHERE d.kind <= 4
ORDER BY f.at;

-- Interactions -----------------------------------------------------------------------
CREATE TABLE kontor_gen.tp_cum AS
SELECT array_agg(lo ORDER BY idx) AS cum
FROM (SELECT idx, coalesce(sum(w) OVER (ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                  / sum(w) OVER () AS lo FROM kontor_gen.tp) x;

INSERT INTO kontor.interaction (touchpoint_id, customer_id, visitor_id, kind, at)
SELECT tp.touchpoint_id,
       CASE WHEN kontor_gen.u(191, i) < CASE WHEN tp.kind IN ('newsletter', 'app_push') THEN 0.92 ELSE 0.25 END
            THEN 101 + ((floor(p.customers * power(kontor_gen.u(192, i), 1.2))::bigint) * 7919) % p.customers END,
       'v-' || lpad(to_hex(hashint8extended(floor(kontor_gen.u(193, i) * greatest(1, p.interactions / 3))::bigint, 7)
                           & 281474976710655), 12, '0'),
       CASE tp.kind
           WHEN 'poster' THEN CASE WHEN kontor_gen.u(194, i) < 0.85 THEN 'scanned' ELSE 'visited' END
           WHEN 'qr' THEN 'scanned'
           WHEN 'newsletter' THEN CASE WHEN kontor_gen.u(194, i) < 0.65 THEN 'viewed' ELSE 'clicked' END
           WHEN 'social_post' THEN (ARRAY['viewed', 'clicked', 'reserved'])[kontor_gen.pick(kontor_gen.u(194, i), '{0,0.7,0.95}')]
           WHEN 'instore_display' THEN (ARRAY['viewed', 'scanned', 'reserved'])[kontor_gen.pick(kontor_gen.u(194, i), '{0,0.5,0.9}')]
           WHEN 'print_catalogue' THEN CASE WHEN kontor_gen.u(194, i) < 0.6 THEN 'viewed' ELSE 'scanned' END
           ELSE CASE WHEN kontor_gen.u(194, i) < 0.7 THEN 'viewed' ELSE 'clicked' END END,
       tp.live_from + make_interval(secs => extract(epoch FROM tp.live_to - tp.live_from)
           * CASE WHEN tp.kind IN ('newsletter', 'app_push') THEN power(kontor_gen.u(195, i), 3) ELSE kontor_gen.u(195, i) END)
FROM kontor_gen.param p
CROSS JOIN kontor_gen.tp_cum tc
CROSS JOIN generate_series(1, p.interactions) AS i
JOIN kontor_gen.tp tp ON tp.idx = kontor_gen.pick(kontor_gen.u(190, i), tc.cum)
WHERE tp.live_to > tp.live_from;

-- The touch before an attributed order: the customer clicked, scanned or reserved.
INSERT INTO kontor.interaction (touchpoint_id, customer_id, kind, at)
SELECT a.touchpoint_id, o.cust,
       CASE a.kind WHEN 'poster' THEN 'scanned' WHEN 'qr' THEN 'scanned' WHEN 'print_catalogue' THEN 'scanned'
                   WHEN 'instore_display' THEN 'reserved' ELSE 'clicked' END,
       greatest(tp.live_from, o.t0 - kontor_gen.mins(196, o.id, 2, 4320))
FROM kontor_gen.oattr a
JOIN kontor_gen.o o ON o.id = a.order_id
JOIN kontor_gen.tp tp ON tp.touchpoint_id = a.touchpoint_id
WHERE o.cust IS NOT NULL
ORDER BY 4;
