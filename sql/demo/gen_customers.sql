-- Customers. Ids 1..100 are kept for the scenario people (gen_scenario.sql);
-- generated customers are 101 .. 100+C; their duplicate records (the same
-- person again, registered at a store with a loyalty card) follow.

CREATE TABLE kontor_gen.cust AS
WITH p AS (SELECT * FROM kontor_gen.param), n AS (SELECT * FROM kontor_gen.name_cum),
     cc AS (SELECT * FROM kontor_gen.city_cum)
SELECT 100 + i AS id, i,
       coalesce(k.first_name, n.first_names[kontor_gen.pick(kontor_gen.u(12, i), n.first_cum)]) AS first_name,
       coalesce(k.last_name, n.last_names[kontor_gen.pick(kontor_gen.u(13, i), n.last_cum)]) AS last_name,
       k.latin_first, k.latin_last,
       kontor_gen.pick(kontor_gen.u(15, i), cc.cum) AS city_idx,
       kontor_gen.u(19, i) < 0.82 AS has_address,
       CASE WHEN kontor_gen.u(20, i) < 0.8 THEN
           current_date - (365.25 * (18 + floor(62 * (kontor_gen.u(21, i) + kontor_gen.u(23, i)) / 2)))::integer
                        - floor(kontor_gen.u(22, i) * 365)::integer END AS birthdate,
       kontor_gen.pick(kontor_gen.u(24, i), ARRAY[0, 0.36, 0.58, 0.88, 0.94, 0.96, 0.985]::float8[]) AS home_ch,
       CASE WHEN kontor_gen.u(25, i) < 0.3
            THEN now() - kontor_gen.u(26, i) * make_interval(days => p.days)
            ELSE now() - make_interval(days => p.days)
                 - kontor_gen.u(26, i) * (interval '6 years' - make_interval(days => p.days)) END AS created_at
FROM p, n, cc, generate_series(1, p.customers) AS i
LEFT JOIN kontor_gen.cjk_name k ON kontor_gen.u(11, i) < 0.006 AND k.idx = 1 + floor(kontor_gen.u(14, i) * 8);

INSERT INTO kontor.customer (id, first_name, last_name, birthdate, street, postcode, city, country,
                             home_channel_id, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT c.id, c.first_name, c.last_name, c.birthdate,
       CASE WHEN c.has_address THEN
           (SELECT s.name FROM kontor_gen.street s WHERE s.idx = 1 + floor(kontor_gen.u(16, c.i) * 32))
           || ' ' || (1 + floor(kontor_gen.u(17, c.i) ^ 2 * 120))::integer END,
       CASE WHEN c.has_address THEN
           ci.postcodes[1 + floor(kontor_gen.u(18, c.i) * cardinality(ci.postcodes))::integer] END,
       CASE WHEN c.has_address OR kontor_gen.u(27, c.i) < 0.5 THEN ci.city END,
       ci.country, ch.id, c.created_at, c.created_at
FROM kontor_gen.cust c
JOIN kontor_gen.city ci ON ci.idx = c.city_idx
JOIN kontor_gen.ch ch ON ch.idx = c.home_ch
ORDER BY c.id;

-- Duplicates: about 1.5 % of the customers registered a second time at a
-- store (loyalty card), with the name typed differently (Müller -> Mueller,
-- Meyer -> Meier, an initial, capitals). kind: 0 merged already, 1-3 flagged
-- as possible duplicates, 4 dismissed, else not noticed yet.
CREATE TABLE kontor_gen.dup AS
SELECT 100 + p.customers + j AS id, j, j % 10 AS kind,
       100 + 1 + ((j - 1) * 104729) % p.customers AS orig
FROM kontor_gen.param p, generate_series(1, greatest(3, round(p.customers * 0.015)::integer)) AS j;

INSERT INTO kontor.customer (id, first_name, last_name, birthdate, street, postcode, city, country,
                             home_channel_id, created_at, updated_at, merged_into, merged_at)
OVERRIDING SYSTEM VALUE
SELECT d.id,
       CASE WHEN kontor_gen.translit(o.first_name || o.last_name) <> o.first_name || o.last_name
                 OR o.first_name ~ '[^\x01-\x7f]' THEN kontor_gen.translit(o.first_name)
            WHEN kontor_gen.u(40, d.j) < 0.5 THEN left(o.first_name, 1) || '.'
            ELSE o.first_name END,
       CASE WHEN kontor_gen.translit(o.first_name || o.last_name) <> o.first_name || o.last_name
                 OR o.first_name ~ '[^\x01-\x7f]' THEN kontor_gen.translit(o.last_name)
            ELSE coalesce(CASE o.last_name WHEN 'Meyer' THEN 'Meier' WHEN 'Meier' THEN 'Meyer'
                              WHEN 'Schmidt' THEN 'Schmitt' WHEN 'Schmitt' THEN 'Schmidt'
                              WHEN 'Hoffmann' THEN 'Hofmann' WHEN 'Hofmann' THEN 'Hoffmann'
                              WHEN 'Mayer' THEN 'Maier' WHEN 'Maier' THEN 'Mayer'
                              WHEN 'Janssen' THEN 'Jansen' WHEN 'Petersen' THEN 'Peterson'
                              WHEN 'Schulz' THEN 'Schultz' WHEN 'Thiessen' THEN 'Thießen' END,
                          upper(o.last_name)) END,
       CASE WHEN kontor_gen.u(41, d.j) < 0.6 THEN o.birthdate END,
       CASE WHEN kontor_gen.u(42, d.j) < 0.7 THEN o.street END,
       CASE WHEN kontor_gen.u(42, d.j) < 0.7 THEN o.postcode END,
       o.city, o.country, (SELECT id FROM kontor_gen.ch WHERE code = 'store'),
       now() - kontor_gen.u(43, d.j) * make_interval(days => (SELECT days FROM kontor_gen.param)),
       now() - kontor_gen.u(43, d.j) * make_interval(days => (SELECT days FROM kontor_gen.param)),
       CASE WHEN d.kind = 0 THEN d.orig END,
       CASE WHEN d.kind = 0 THEN now() - kontor_gen.u(44, d.j) * interval '10 days' END
FROM kontor_gen.dup d JOIN kontor.customer o ON o.id = d.orig
ORDER BY d.id;
UPDATE kontor.customer c SET created_at = least(c.created_at, c.merged_at - interval '1 day'),
                             updated_at = c.merged_at, version = 2
WHERE c.merged_into IS NOT NULL;
