-- Reference data: locations, staff, products, campaigns and touchpoints, and
-- the word lists (names, streets, cities) the generator draws from.

-- Channels in the order the generator numbers them (1 web .. 7 print).
CREATE TABLE kontor_gen.ch AS
SELECT v.idx, c.id, c.code, v.share
FROM (VALUES (1, 'web', 0.34), (2, 'app', 0.22), (3, 'store', 0.30), (4, 'marketplace', 0.09),
             (5, 'phone', 0.02), (6, 'social', 0.02), (7, 'print', 0.01)) AS v(idx, code, share)
JOIN kontor.channel c ON c.code = v.code;
SELECT kontor_gen.assert((SELECT count(*) = 7 FROM kontor_gen.ch), 'channels missing');

-- Locations --------------------------------------------------------------------
-- w_store: share of store sales; w_cc: share of click & collect pickups.
CREATE TABLE kontor_gen.loc (
    idx integer PRIMARY KEY, code text, name text, city text, kind text,
    w_store float8, w_cc float8, area text, id bigint);
INSERT INTO kontor_gen.loc (idx, code, name, city, kind, w_store, w_cc, area) VALUES
    (1,  'HB-01',  'Bremen',               'Bremen',      'store',        18, 20, '421'),
    (2,  'HH-01',  'Hamburg',              'Hamburg',     'store',        20, 20, '40'),
    (3,  'HH-02',  'Hamburg-Altona',       'Hamburg',     'store',         9,  8, '40'),
    (4,  'H-01',   'Hannover',             'Hannover',    'store',        12, 10, '511'),
    (5,  'OL-01',  'Oldenburg',            'Oldenburg',   'store',         7,  6, '441'),
    (6,  'KI-01',  'Kiel',                 'Kiel',        'store',         7,  6, '431'),
    (7,  'HL-01',  'Lübeck',               'Lübeck',      'store',         7,  6, '451'),
    (8,  'OS-01',  'Osnabrück',            'Osnabrück',   'store',         6,  5, '541'),
    (9,  'BHV-01', 'Bremerhaven',          'Bremerhaven', 'store',         4,  3, '471'),
    (10, 'HRO-01', 'Rostock',              'Rostock',     'store',         6,  5, '381'),
    (11, 'WH-01',  'Zentrallager Achim',   'Achim',       'warehouse',     0,  0, '4202'),
    (12, 'PP-01',  'Abholstation Bremen Hbf', 'Bremen',   'pickup_point',  0,  6, '421');
INSERT INTO kontor.location (code, name, city, kind, updated_at)
SELECT code, name, city, kind, now() - interval '3 years' FROM kontor_gen.loc ORDER BY idx;
UPDATE kontor_gen.loc g SET id = l.id FROM kontor.location l WHERE l.code = g.code;

-- Staff ----------------------------------------------------------------------
-- The four demo accounts (password "demo") and, without any usable password
-- and inactive, the colleagues who appear in order and return histories.
INSERT INTO kontor.staff (username, display_name, role, home_location_id, password_hash,
                          must_change_password, active, created_at, updated_at)
SELECT v.username, v.display_name, v.role, l.id,
       CASE WHEN v.demo THEN '$argon2id$v=19$m=65536,t=2,p=1$GKRoWK0u/WjbtCIn5qFrWw$pO7bCbGuz1OuuKlfjet3ospwqXKZ6dlixPzlHOBxsAg' END,
       false, v.demo, now() - v.since, now() - v.since
FROM (VALUES
    (1,  'admin',           'Administrator',     'admin',   NULL,     true,  interval '3 years'),
    (2,  'manager',         'Maren Jensen',      'manager', 'HB-01',  true,  interval '3 years'),
    (3,  'service',         'Ben Scholz',        'service', 'HH-01',  true,  interval '2 years'),
    (4,  'clerk',           'Anna Kruse',        'clerk',   'HB-01',  true,  interval '1 year'),
    (5,  'jonas.behrens',   'Jonas Behrens',     'clerk',   'HB-01',  false, interval '2 years'),
    (6,  'tim.hansen',      'Tim Hansen',        'clerk',   'HH-01',  false, interval '2 years'),
    (7,  'svenja.petersen', 'Svenja Petersen',   'clerk',   'HH-02',  false, interval '2 years'),
    (8,  'murat.yilmaz',    'Murat Yılmaz',      'clerk',   'H-01',   false, interval '2 years'),
    (9,  'frauke.janssen',  'Frauke Janßen',     'clerk',   'OL-01',  false, interval '2 years'),
    (10, 'jan.carstens',    'Jan Carstens',      'clerk',   'KI-01',  false, interval '2 years'),
    (11, 'nele.wulf',       'Nele Wulf',         'clerk',   'HL-01',  false, interval '2 years'),
    (12, 'kai.brinkmann',   'Kai Brinkmann',     'clerk',   'OS-01',  false, interval '2 years'),
    (13, 'inga.thiessen',   'Inga Thiessen',     'clerk',   'BHV-01', false, interval '2 years'),
    (14, 'ole.krueger',     'Ole Krüger',        'clerk',   'HRO-01', false, interval '2 years'),
    (15, 'dirk.lange',      'Dirk Lange',        'clerk',   'WH-01',  false, interval '3 years'),
    (16, 'carla.dietz',     'Carla Dietz',       'service', 'HH-01',  false, interval '2 years'),
    (17, 'tobias.heine',    'Tobias Heine',      'service', 'HB-01',  false, interval '2 years'),
    (18, 'henrik.olsen',    'Henrik Olsen',      'manager', 'HH-01',  false, interval '3 years'))
    AS v(n, username, display_name, role, loc, demo, since)
LEFT JOIN kontor.location l ON l.code = v.loc
ORDER BY v.n;

-- Who does the work at a location, in customer service, as a manager.
CREATE TABLE kontor_gen.loc_staff AS
SELECT l.id AS location_id, array_agg(s.id ORDER BY s.id) AS ids
FROM kontor.location l JOIN kontor.staff s ON s.home_location_id = l.id AND s.role = 'clerk'
GROUP BY l.id;
CREATE TABLE kontor_gen.team AS
SELECT (SELECT array_agg(id ORDER BY id) FROM kontor.staff WHERE role = 'service') AS service,
       (SELECT array_agg(id ORDER BY id) FROM kontor.staff WHERE role = 'manager') AS manager,
       (SELECT id FROM kontor.staff WHERE username = 'service') AS ben,
       (SELECT id FROM kontor.staff WHERE username = 'manager') AS maren,
       (SELECT id FROM kontor.staff WHERE username = 'clerk') AS anna;

-- Products ---------------------------------------------------------------------
-- Models: prefix-number, name, colour, price in cents, kind (shoe sizes
-- 36-46, fashion S-XL, or one size) and popularity.
CREATE TABLE kontor_gen.model (sku text, name text, colour text, price bigint, kind text, pop float8);
INSERT INTO kontor_gen.model VALUES
    ('SNK-2041', 'Nordhafen Runner, white',          'white',      8995, 'shoe', 12),
    ('SNK-2042', 'Nordhafen Runner, black',          'black',      8995, 'shoe', 8),
    ('SNK-2043', 'Nordhafen Runner, navy',           'navy',       8995, 'shoe', 5),
    ('SNK-2050', 'Deich Court Sneaker, white',       'white',      7995, 'shoe', 7),
    ('SNK-2051', 'Deich Court Sneaker, sand',        'sand',       7995, 'shoe', 4),
    ('SNK-2060', 'Hafen Trail Sneaker, olive',       'olive',     10995, 'shoe', 4),
    ('SNK-2070', 'Canvas Low, ecru',                 'ecru',       4995, 'shoe', 5),
    ('SNK-2071', 'Canvas Low, red',                  'red',        4995, 'shoe', 2),
    ('BOT-3110', 'Chelsea Boot, brown',              'brown',     12990, 'shoe', 6),
    ('BOT-3111', 'Chelsea Boot, black',              'black',     12990, 'shoe', 6),
    ('BOT-3120', 'Lace-up Boot, cognac',             'cognac',    14990, 'shoe', 4),
    ('BOT-3130', 'Rain Boot Sturmflut, yellow',      'yellow',     5995, 'shoe', 3),
    ('BOT-3140', 'Winter Boot lined, dark brown',    'dark brown', 16900, 'shoe', 3),
    ('BOT-3150', 'Leather Boot, black',              'black',     22900, 'shoe', 2),
    ('LOA-4010', 'Loafer, burgundy',                 'burgundy',   9995, 'shoe', 2),
    ('LOA-4020', 'Derby Shoe, black',                'black',     11900, 'shoe', 2),
    ('SAN-4510', 'Sandal, tan',                      'tan',        5995, 'shoe', 1),
    ('BAL-4610', 'Ballet Flat, nude',                'nude',       6995, 'shoe', 2),
    ('SLP-4710', 'Felt Slipper, grey',               'grey',       3495, 'shoe', 2),
    ('WCT-5101', 'Wool Coat, camel',                 'camel',     34900, 'fashion', 2),
    ('WCT-5102', 'Wool Coat, navy',                  'navy',      34900, 'fashion', 1),
    ('JKT-5201', 'Rain Jacket Friesennerz, yellow',  'yellow',    12900, 'fashion', 3),
    ('JKT-5202', 'Quilted Jacket, olive',            'olive',     15900, 'fashion', 2),
    ('KNT-5301', 'Merino Pullover, navy',            'navy',       4995, 'fashion', 4),
    ('KNT-5302', 'Merino Pullover, grey',            'grey',       4995, 'fashion', 3),
    ('KNT-5310', 'Cable Knit Cardigan, ecru',        'ecru',       7995, 'fashion', 2),
    ('SHR-5401', 'Breton Shirt, navy/white',         'navy/white', 3995, 'fashion', 3),
    ('TSH-5501', 'Basic T-Shirt, white',             'white',      1995, 'fashion', 4),
    ('TSH-5502', 'Basic T-Shirt, black',             'black',      1995, 'fashion', 3),
    ('HOS-5601', 'Chino, sand',                      'sand',       6995, 'fashion', 2),
    ('HOS-5602', 'Jeans Straight, blue',             'blue',       8995, 'fashion', 3),
    ('SCK-0001', 'Socks, single pair',               NULL,          495, 'one', 3),
    ('SCK-0003', 'Socks, 3-pack',                    NULL,         1200, 'one', 8),
    ('SCK-0010', 'Wool Socks, 2-pack',               NULL,         1695, 'one', 3),
    ('ACC-0101', 'Shoe Care Set',                    NULL,         2495, 'one', 2),
    ('ACC-0102', 'Waterproofing Spray',              NULL,          995, 'one', 4),
    ('ACC-0103', 'Insoles Comfort',                  NULL,         1495, 'one', 2),
    ('ACC-0201', 'Leather Belt, brown',              'brown',      3995, 'one', 1),
    ('ACC-0301', 'Beanie, navy',                     'navy',       2495, 'one', 2),
    ('ACC-0302', 'Scarf, grey wool',                 'grey',       3495, 'one', 1),
    ('ACC-0401', 'Tote Bag Nordhafen',               'natural',    1495, 'one', 2);

CREATE TABLE kontor_gen.size (kind text, size text, ord integer, w float8);
INSERT INTO kontor_gen.size
SELECT 'shoe', s::text, s, (ARRAY[3, 5, 8, 10, 10, 9, 10, 11, 10, 7, 4])[s - 35] FROM generate_series(36, 46) s
UNION ALL
SELECT 'fashion', s, o, w FROM (VALUES ('S', 1, 2.0), ('M', 2, 3.5), ('L', 3, 3.0), ('XL', 4, 1.5)) v(s, o, w)
UNION ALL SELECT 'one', NULL, 1, 1;

INSERT INTO kontor.product (sku, name, size, colour, price_cents, active, updated_at)
SELECT m.sku || coalesce('-' || s.size, ''), m.name, s.size, m.colour, m.price,
       NOT (m.sku = 'SNK-2071' AND s.size IN ('36', '46')), now() - interval '200 days'
FROM kontor_gen.model m JOIN kontor_gen.size s ON s.kind = m.kind
ORDER BY m.sku, s.ord;

-- Popularity of each product (model popularity x size share), cumulative.
CREATE TABLE kontor_gen.prod AS
SELECT id, sku, price_cents, kind, w, row_number() OVER (ORDER BY id) AS idx,
       coalesce(sum(w) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
           / sum(w) OVER () AS lo
FROM (SELECT p.id, p.sku, p.price_cents, m.kind,
             m.pop * s.w / sum(s.w) OVER (PARTITION BY m.sku) AS w
      FROM kontor.product p
      JOIN kontor_gen.model m ON m.sku = left(p.sku, 8)
      JOIN kontor_gen.size s ON s.kind = m.kind AND s.size IS NOT DISTINCT FROM p.size) x;
SELECT kontor_gen.assert((SELECT count(*) FROM kontor_gen.prod) = (SELECT count(*) FROM kontor.product),
                         'product popularity does not cover the catalogue');
CREATE TABLE kontor_gen.prod_cum AS SELECT array_agg(lo ORDER BY idx) AS cum FROM kontor_gen.prod;

-- Campaigns and touchpoints (dates relative to today) -----------------------------
INSERT INTO kontor.campaign (name, status, starts_on, ends_on, budget_cents, target, created_at, created_by, updated_at)
SELECT v.name, v.status, current_date + v.s, current_date + v.e, v.budget, v.target,
       now() - make_interval(days => 14 - v.s), (SELECT maren FROM kontor_gen.team),
       now() - make_interval(days => greatest(0, least(-v.s, 60)))
FROM (VALUES
    (1, 'Spring Sneakers 2026', 'active', -35, 25, 4800000,
        'Sneaker buyers 18-35 in Bremen and Hamburg; launch of the Nordhafen Runner'),
    (2, 'November Edit', 'active', -22, 7, 1200000, 'Newsletter and app subscribers: the autumn/winter edit'),
    (3, 'Nordhafen Streetstyle (Instagram)', 'active', -50, NULL, 900000, 'Instagram followers, 18-30'),
    (4, 'Autumn Boots', 'ended', -85, -40, 2500000, 'Boots for the rainy season, stores in the north'),
    (5, 'Winter Catalogue', 'active', -30, 60, 1800000, 'Catalogue households 45+'),
    (6, 'Kiel Store Reopening', 'paused', -15, 30, 400000, 'Kiel and surroundings'),
    (7, 'Black Week', 'draft', 4, 11, 3000000, 'All customers with marketing consent'))
    AS v(n, name, status, s, e, budget, target)
ORDER BY v.n;

INSERT INTO kontor.touchpoint (kind, name, channel_id, location_id, tracking_code, created_at, updated_at)
SELECT v.kind, v.name, c.id, l.id, v.code, now() - interval '60 days', now() - interval '60 days'
FROM (VALUES
    (1,  'poster',          'Poster Bremen Hbf (QR)',               'print',  'HB-01', 'SS26-HB-HBF'),
    (2,  'poster',          'Poster Hamburg Hbf (QR)',              'print',  'HH-01', 'SS26-HH-HBF'),
    (3,  'social_post',     'Instagram post: Runner drop',          'social', NULL,    'SS26-IG-RUNNER'),
    (4,  'newsletter',      'Newsletter Spring Sneakers',           'web',    NULL,    'SS26-NL'),
    (5,  'instore_display', 'Runner wall, Bremen store',            'store',  'HB-01', 'SS26-HB-DISPLAY'),
    (6,  'app_push',        'App push: The Runner is back',         'app',    NULL,    'SS26-PUSH'),
    (7,  'newsletter',      'Newsletter November Edit',             'web',    NULL,    'NOV-NL'),
    (8,  'app_push',        'App push: November Edit',              'app',    NULL,    'NOV-PUSH'),
    (9,  'social_post',     'Instagram post: Streetstyle Hamburg',  'social', NULL,    'IG-STREET-01'),
    (10, 'social_post',     'Instagram reel: Rain-ready',           'social', NULL,    'IG-STREET-02'),
    (11, 'social_post',     'Instagram story: Bremen store',        'social', 'HB-01', 'IG-STREET-03'),
    (12, 'instore_display', 'Boots display, Hamburg store',         'store',  'HH-01', 'AB-HH-DISPLAY'),
    (13, 'poster',          'Poster Oldenburg Lange Strasse (QR)',  'print',  'OL-01', 'AB-OL-POSTER'),
    (14, 'newsletter',      'Newsletter Autumn Boots',              'web',    NULL,    'AB-NL'),
    (15, 'print_catalogue', 'Winter catalogue (QR inside)',         'print',  NULL,    'CAT-WINTER'),
    (16, 'qr',              'QR sticker, Kiel shop window',         'store',  'KI-01', 'KI-REOPEN-QR'),
    (17, 'app_push',        'App push: Black Week preview',         'app',    NULL,    'BW-PUSH'))
    AS v(n, kind, name, ch, loc, code)
JOIN kontor.channel c ON c.code = v.ch
LEFT JOIN kontor.location l ON l.code = v.loc
ORDER BY v.n;

INSERT INTO kontor.campaign_touchpoint (campaign_id, touchpoint_id)
SELECT c.id, t.id
FROM (VALUES ('Spring Sneakers 2026', 'SS26-HB-HBF'), ('Spring Sneakers 2026', 'SS26-HH-HBF'),
             ('Spring Sneakers 2026', 'SS26-IG-RUNNER'), ('Spring Sneakers 2026', 'SS26-NL'),
             ('Spring Sneakers 2026', 'SS26-HB-DISPLAY'), ('Spring Sneakers 2026', 'SS26-PUSH'),
             ('November Edit', 'NOV-NL'), ('November Edit', 'NOV-PUSH'), ('November Edit', 'IG-STREET-02'),
             ('Nordhafen Streetstyle (Instagram)', 'IG-STREET-01'),
             ('Nordhafen Streetstyle (Instagram)', 'IG-STREET-02'),
             ('Nordhafen Streetstyle (Instagram)', 'IG-STREET-03'),
             ('Autumn Boots', 'AB-HH-DISPLAY'), ('Autumn Boots', 'AB-OL-POSTER'), ('Autumn Boots', 'AB-NL'),
             ('Winter Catalogue', 'CAT-WINTER'), ('Kiel Store Reopening', 'KI-REOPEN-QR'),
             ('Black Week', 'BW-PUSH')) AS v(campaign, code)
JOIN kontor.campaign c ON c.name = v.campaign
JOIN kontor.touchpoint t ON t.tracking_code = v.code;

-- Touchpoints with the campaign they are counted for, the period they are
-- live (within the history), the weight for anonymous interactions, and
-- what kind of interaction they produce.
CREATE TABLE kontor_gen.tp AS
SELECT row_number() OVER (ORDER BY t.id) AS idx, t.id AS touchpoint_id, t.kind, t.tracking_code,
       t.location_id, c.id AS campaign_id, c.name AS campaign,
       greatest(c.starts_on::timestamptz, now() - make_interval(days => (SELECT days FROM kontor_gen.param))) AS live_from,
       least(coalesce(c.ends_on + 1, current_date + 1)::timestamptz, now()) AS live_to,
       CASE t.kind WHEN 'newsletter' THEN 14 WHEN 'social_post' THEN 9 WHEN 'app_push' THEN 7
                   WHEN 'poster' THEN 4 WHEN 'instore_display' THEN 3 WHEN 'print_catalogue' THEN 4
                   ELSE 1 END::float8 AS w
FROM kontor.touchpoint t
JOIN LATERAL (SELECT c.* FROM kontor.campaign_touchpoint ct JOIN kontor.campaign c ON c.id = ct.campaign_id
              WHERE ct.touchpoint_id = t.id ORDER BY c.starts_on LIMIT 1) c ON true
WHERE c.starts_on <= current_date AND c.status <> 'draft';

-- Which touchpoints an order of a channel can be attributed to.
CREATE TABLE kontor_gen.attr AS
SELECT ch.idx AS ch, tp.touchpoint_id, tp.campaign_id, tp.live_from, tp.live_to, tp.kind,
       CASE WHEN tp.kind = 'poster' THEN 3 WHEN tp.kind = 'newsletter' THEN 4 ELSE 2 END::float8 AS w
FROM kontor_gen.tp
JOIN kontor_gen.ch ON ch.code = ANY (CASE tp.kind
        WHEN 'poster' THEN ARRAY['app', 'web']
        WHEN 'qr' THEN ARRAY['store', 'app']
        WHEN 'newsletter' THEN ARRAY['web', 'app']
        WHEN 'social_post' THEN ARRAY['social', 'app', 'web']
        WHEN 'instore_display' THEN ARRAY['store', 'app']
        WHEN 'print_catalogue' THEN ARRAY['print', 'phone', 'web']
        WHEN 'app_push' THEN ARRAY['app'] END);

-- Names --------------------------------------------------------------------------
CREATE TABLE kontor_gen.first_name (name text, w float8);
INSERT INTO kontor_gen.first_name VALUES
    ('Anna', 8), ('Maria', 6), ('Laura', 6), ('Julia', 7), ('Lena', 6), ('Lea', 5), ('Sarah', 6),
    ('Katharina', 6), ('Sabine', 7), ('Petra', 5), ('Monika', 4), ('Claudia', 5), ('Stefanie', 5),
    ('Nicole', 5), ('Andrea', 5), ('Birgit', 4), ('Kerstin', 4), ('Heike', 4), ('Susanne', 5),
    ('Christina', 4), ('Jana', 4), ('Lisa', 6), ('Hannah', 5), ('Emma', 5), ('Mia', 5), ('Sophie', 5),
    ('Marie', 6), ('Charlotte', 3), ('Johanna', 3), ('Frieda', 2), ('Greta', 2), ('Ida', 2), ('Zoë', 2),
    ('Anke', 3), ('Frauke', 2), ('Wiebke', 2), ('Inken', 2), ('Maren', 2), ('Jördis', 1), ('Gesa', 1),
    ('Hélène', 1), ('Chloé', 1), ('Renée', 1), ('Ayşe', 2), ('Elif', 2), ('Zeynep', 2), ('Agnieszka', 1),
    ('Małgorzata', 1), ('Ana', 1), ('Irina', 1), ('Olga', 1), ('Ingrid', 2), ('Ursula', 2), ('Bärbel', 1),
    ('Thomas', 7), ('Michael', 7), ('Andreas', 6), ('Stefan', 6), ('Christian', 6), ('Peter', 5),
    ('Frank', 5), ('Markus', 5), ('Jürgen', 4), ('Klaus', 4), ('Uwe', 3), ('Jens', 4), ('Sven', 4),
    ('Dirk', 4), ('Torsten', 3), ('Jan', 6), ('Tim', 5), ('Lukas', 6), ('Finn', 5), ('Leon', 5),
    ('Paul', 5), ('Jonas', 5), ('Niklas', 4), ('Felix', 5), ('Max', 5), ('Ben', 4), ('Noah', 3),
    ('Elias', 3), ('Henrik', 2), ('Malte', 2), ('Hauke', 2), ('Sönke', 2), ('Björn', 3), ('Jörg', 3),
    ('Günter', 2), ('Hans-Jürgen', 1), ('Karl-Heinz', 1), ('Mehmet', 2), ('Murat', 2), ('Emre', 1),
    ('José', 1), ('François', 1), ('Luca', 1), ('Piotr', 1), ('Tomasz', 1), ('Bernd', 2), ('Horst', 1),
    ('Ole', 2), ('Hinnerk', 1), ('Fiete', 1), ('Matthias', 4), ('Timo', 3), ('Kai', 3);

CREATE TABLE kontor_gen.last_name (name text, w float8);
INSERT INTO kontor_gen.last_name VALUES
    ('Müller', 100), ('Schmidt', 80), ('Schneider', 55), ('Fischer', 50), ('Weber', 45), ('Meyer', 45),
    ('Wagner', 40), ('Becker', 38), ('Schulz', 37), ('Hoffmann', 36), ('Schäfer', 30), ('Koch', 29),
    ('Bauer', 29), ('Richter', 28), ('Klein', 27), ('Wolf', 26), ('Schröder', 26), ('Neumann', 25),
    ('Schwarz', 24), ('Zimmermann', 23), ('Braun', 22), ('Krüger', 22), ('Hofmann', 21),
    ('Hartmann', 21), ('Lange', 20), ('Schmitt', 20), ('Werner', 20), ('Schmitz', 19), ('Krause', 19),
    ('Meier', 19), ('Lehmann', 18), ('Schmid', 18), ('Schulze', 18), ('Maier', 17), ('Köhler', 17),
    ('Herrmann', 17), ('König', 16), ('Walter', 16), ('Mayer', 16), ('Huber', 15), ('Kaiser', 15),
    ('Fuchs', 15), ('Peters', 15), ('Lang', 14), ('Scholz', 14), ('Möller', 14), ('Weiß', 14),
    ('Jung', 13), ('Hahn', 13), ('Schubert', 13), ('Vogel', 12), ('Friedrich', 12), ('Keller', 12),
    ('Günther', 12), ('Frank', 11), ('Berger', 11), ('Winkler', 11), ('Roth', 11), ('Beck', 11),
    ('Lorenz', 10), ('Baumann', 10), ('Franke', 10), ('Albrecht', 10), ('Schuster', 10), ('Simon', 10),
    ('Ludwig', 9), ('Böhm', 9), ('Winter', 9), ('Kraus', 9), ('Martin', 9), ('Schumacher', 9),
    ('Krämer', 9), ('Vogt', 9), ('Stein', 8), ('Jäger', 8), ('Otto', 8), ('Sommer', 8), ('Groß', 8),
    ('Seidel', 8), ('Heinrich', 8), ('Brandt', 8), ('Haas', 7), ('Schreiber', 7), ('Graf', 7),
    ('Schulte', 7), ('Dietrich', 7), ('Ziegler', 7), ('Kuhn', 7), ('Kühn', 7), ('Pohl', 7), ('Engel', 7),
    ('Horn', 7), ('Busch', 7), ('Bergmann', 7), ('Thomas', 6), ('Voigt', 6), ('Sauer', 6), ('Arnold', 6),
    ('Wolff', 6), ('Pfeiffer', 6), ('Jensen', 8), ('Petersen', 9), ('Hansen', 9), ('Janssen', 8),
    ('Janßen', 5), ('Carstens', 4), ('Thiessen', 4), ('Lüders', 4), ('Ohlsen', 3), ('Detjen', 3),
    ('Gerdes', 4), ('Harms', 5), ('Wübben', 2), ('Oltmanns', 3), ('Eilers', 3), ('Bruns', 4),
    ('Behrens', 6), ('Wulf', 4), ('Ahrens', 5), ('Heitmann', 3), ('Rathje', 2), ('Brinkmann', 5),
    ('Hinrichs', 4), ('Dreyer', 3), ('Wessels', 2), ('Schütt', 3), ('Möhring', 2), ('Bührmann', 2),
    ('Vorwerk', 1), ('Yılmaz', 5), ('Kaya', 4), ('Demir', 3), ('Şahin', 3),
    ('Çelik', 2), ('Öztürk', 2), ('Nowak', 4), ('Kowalski', 3), ('Wiśniewski', 2), ('Popescu', 2),
    ('Rossi', 2), ('García', 2), ('Fernández', 1), ('Dubois', 1), ('Lefèvre', 1), ('Nguyen', 3),
    ('Ivanov', 2), ('Petrović', 2), ('Andersen', 2), ('Ødegaard', 1), ('de Vries', 2),
    ('van der Berg', 1), ('O''Connor', 1), ('Smith', 1);

-- East Asian names, written as they are (family name in last_name), with
-- the romanisation used for e-mail addresses and accounts.
CREATE TABLE kontor_gen.cjk_name (idx integer, first_name text, last_name text, latin_first text, latin_last text);
INSERT INTO kontor_gen.cjk_name VALUES
    (1, '花子', '山田', 'hanako', 'yamada'), (2, '健', '佐藤', 'ken', 'sato'),
    (3, '美咲', '鈴木', 'misaki', 'suzuki'), (4, '伟', '王', 'wei', 'wang'),
    (5, '芳', '李', 'fang', 'li'), (6, '秀英', '张', 'xiuying', 'zhang'),
    (7, '민준', '김', 'minjun', 'kim'), (8, '서연', '박', 'seoyeon', 'park');

CREATE TABLE kontor_gen.name_cum AS
SELECT (SELECT array_agg(name ORDER BY name, w) FROM kontor_gen.first_name) AS first_names,
       (SELECT array_agg(lo ORDER BY name, w) FROM (
            SELECT name, w, coalesce(sum(w) OVER (ORDER BY name, w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                   / sum(w) OVER () AS lo FROM kontor_gen.first_name) x) AS first_cum,
       (SELECT array_agg(name ORDER BY name, w) FROM kontor_gen.last_name) AS last_names,
       (SELECT array_agg(lo ORDER BY name, w) FROM (
            SELECT name, w, coalesce(sum(w) OVER (ORDER BY name, w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
                   / sum(w) OVER () AS lo FROM kontor_gen.last_name) x) AS last_cum;

-- Cities: where customers live (weights), postcodes, phone area code.
CREATE TABLE kontor_gen.city (idx integer, city text, country text, postcodes text[], area text, w float8);
INSERT INTO kontor_gen.city VALUES
    (1,  'Bremen',      'DE', '{28195,28203,28205,28209,28211,28213,28215,28217,28219,28237,28259,28277,28755}', '421', 18),
    (2,  'Hamburg',     'DE', '{20095,20144,20249,20354,20535,21029,22041,22085,22297,22359,22587,22765,22769}', '40', 25),
    (3,  'Hannover',    'DE', '{30159,30161,30163,30167,30169,30173,30449,30519,30625}', '511', 10),
    (4,  'Oldenburg',   'DE', '{26121,26122,26123,26129,26131,26133}', '441', 6),
    (5,  'Kiel',        'DE', '{24103,24105,24106,24109,24113,24118,24143,24148}', '431', 6),
    (6,  'Lübeck',      'DE', '{23552,23554,23556,23558,23560,23562,23564,23568}', '451', 5),
    (7,  'Osnabrück',   'DE', '{49074,49076,49078,49080,49082,49084,49088,49090}', '541', 5),
    (8,  'Bremerhaven', 'DE', '{27568,27570,27572,27574,27576,27578,27580}', '471', 4),
    (9,  'Rostock',     'DE', '{18055,18057,18059,18069,18106,18107,18119,18147}', '381', 5),
    (10, 'Delmenhorst', 'DE', '{27749,27751,27753,27755}', '4221', 2),
    (11, 'Achim',       'DE', '{28832}', '4202', 1),
    (12, 'Verden',      'DE', '{27283}', '4231', 1),
    (13, 'Stade',       'DE', '{21680,21682,21684}', '4141', 1),
    (14, 'Lüneburg',    'DE', '{21335,21337,21339}', '4131', 2),
    (15, 'Cuxhaven',    'DE', '{27472,27474,27476}', '4721', 1),
    (16, 'Schwerin',    'DE', '{19053,19055,19057,19059,19061,19063}', '385', 2),
    (17, 'Flensburg',   'DE', '{24937,24939,24941,24943}', '461', 2),
    (18, 'Berlin',      'DE', '{10115,10178,10243,10437,10623,10999,12043,13347}', '30', 3),
    (19, 'München',     'DE', '{80331,80469,80538,80796,81369,81675}', '89', 1.5),
    (20, 'Köln',        'DE', '{50667,50672,50733,50823,50937}', '221', 1.5),
    (21, 'Wien',        'AT', '{1010,1040,1070,1090,1120}', NULL, 0.5),
    (22, 'Groningen',   'NL', '{9711,9712,9725,9741}', NULL, 0.5);
CREATE TABLE kontor_gen.city_cum AS
SELECT array_agg(lo ORDER BY idx) AS cum, count(*)::integer AS n
FROM (SELECT idx, coalesce(sum(w) OVER (ORDER BY idx ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0)
             / sum(w) OVER () AS lo FROM kontor_gen.city) x;

CREATE TABLE kontor_gen.street AS
SELECT row_number() OVER () AS idx, s AS name
FROM unnest(ARRAY['Hauptstraße', 'Bahnhofstraße', 'Schulstraße', 'Gartenstraße', 'Lindenstraße',
                  'Kirchstraße', 'Am Deich', 'Hafenstraße', 'Parkallee', 'Rosenweg', 'Birkenweg',
                  'Am Markt', 'Wallstraße', 'Friesenstraße', 'Mühlenweg', 'Lange Reihe', 'Feldstraße',
                  'Goethestraße', 'Schillerstraße', 'Am Wall', 'Deichstraße', 'Bergstraße', 'Uhlandstraße',
                  'Wilhelm-Raabe-Weg', 'Heinrich-Heine-Straße', 'Grüner Weg', 'Eichenallee',
                  'Fährstraße', 'Brückenstraße', 'Theodor-Storm-Straße', 'Königstraße', 'Moorweg']) AS s;
