-- The people and records of doc SCENARIOS.md, identical at every scale:
-- customers 1-17, orders K-100001 .. K-100023 (ids 1-23), returns 1-6.

-- d days ago at local time hh:mm (Europe/Berlin).
CREATE FUNCTION kontor_gen.day_at(d integer, t text) RETURNS timestamptz
LANGUAGE sql STABLE AS $$ SELECT ((current_date - d) + t::time) AT TIME ZONE 'Europe/Berlin' $$;

-- Customers ----------------------------------------------------------------------
INSERT INTO kontor.customer (id, first_name, last_name, birthdate, street, postcode, city, country,
                             home_channel_id, created_at, updated_at)
OVERRIDING SYSTEM VALUE
SELECT v.id, v.fn, v.ln, v.bd::date, v.street, v.pc, v.city, 'DE',
       (SELECT id FROM kontor.channel WHERE code = v.ch), now() - v.since::interval, now() - v.since::interval
FROM (VALUES
    (1,  'Jürgen',    'Müller',    '1977-05-14', 'Schwachhauser Heerstraße 41', '28209', 'Bremen',   'web',   '7 years 8 months 21 days'),
    (2,  'Juergen',   'Mueller',   '1977-05-14', 'Schwachhauser Heerstr. 41',   '28209', 'Bremen',   'store', '140 days'),
    (3,  'Katharina', 'Schröder',  '1985-09-02', 'Eppendorfer Weg 112',         '20259', 'Hamburg',  'web',   '3 years 2 months'),
    (4,  'Zoë',       'Hartmann',  '1994-01-23', 'Lehmweg 7',                   '20251', 'Hamburg',  'store', '2 years 5 months'),
    (5,  'Paul',      'Neumann',   '1968-11-30', 'Am Dobben 15',                '28203', 'Bremen',   'web',   '4 years 1 month'),
    (6,  'Lena',      'Vogt',      '2001-06-18', 'Humboldtstraße 88',           '28203', 'Bremen',   'app',   '11 months'),
    (7,  'Björn',     'Schröder',  '1989-03-07', 'Lange Straße 3',              '26122', 'Oldenburg', 'marketplace', '1 year 9 months'),
    (8,  '花子',       '山田',       '1992-08-08', 'Mühlenkamp 30',               '22303', 'Hamburg',  'store', '1 year 2 months'),
    (9,  'Sabine',    'Köhler',    '1973-02-14', 'Parkallee 201',               '28213', 'Bremen',   'web',   '5 years 3 months'),
    (10, 'Hélène',    'Dubois',    '1990-12-01', 'Contrescarpe 22',             '28195', 'Bremen',   'web',   '2 years 1 month'),
    (11, 'José',      'García',    '1983-04-19', 'Vor dem Steintor 140',        '28203', 'Bremen',   'app',   '1 year 6 months'),
    (12, 'Mia',       'Schulte',   '1999-10-10', 'Friesenstraße 60',            '28203', 'Bremen',   'app',   '8 months'),
    (13, 'Thomas',    'Becker',    '1971-07-04', 'Am Wall 175',                 '28195', 'Bremen',   'web',   '6 years'),
    (14, 'Greta',     'Lüders',    '1997-05-27', 'Osterdeich 55',               '28203', 'Bremen',   'app',   '1 year 1 month'),
    (15, 'Finn',      'Petersen',  '1995-09-15', 'Sielwall 9',                  '28203', 'Bremen',   'web',   '2 years 8 months'),
    (16, 'Malte',     'Brinkmann', '1980-01-31', 'Gröpelinger Heerstraße 300',  '28237', 'Bremen',   'web',   '3 years'),
    (17, 'Ayşe',      'Yılmaz',    '1987-12-12', 'Osterstraße 140',             '20255', 'Hamburg',  'app',   '1 year 4 months'))
    AS v(id, fn, ln, bd, street, pc, city, ch, since);

-- Customer 2 is Jürgen again, registered at the Hamburg till with a loyalty
-- card: the same phone number typed another way, a mistyped e-mail domain.
-- Phone, e-mail and loyalty card may be shared between customers (0011), so
-- the duplicate suggestions find the pair by the phone as well as by name,
-- address and birthdate.
INSERT INTO kontor.customer_identity (customer_id, kind, value, source, verified, created_at, updated_at)
SELECT v.cid, v.kind, v.value, v.source, v.verified, c.created_at + v.after::interval, c.created_at + v.after::interval
FROM (VALUES
    (1,  'email',          'juergen.mueller@example.de',    'web',         true,  '0 days'),
    (1,  'phone',          '+49 421 1234567',               'web',         true,  '0 days'),
    (1,  'loyalty',        '4000 1234 5678',                'store',       true,  '400 days'),
    (1,  'web_account',    'jm1977',                        'web',         true,  '0 days'),
    (2,  'loyalty',        '4000 1111 2222',                'store',       false, '0 days'),
    (2,  'email',          'juergen.mueller@example.com',   'store',       false, '0 days'),
    (2,  'phone',          '0421 / 123 45 67',              'store',       false, '0 days'),
    (3,  'email',          'k.schroeder@example.de',        'web',         true,  '0 days'),
    (3,  'phone',          '040 7654321',                   'web',         true,  '0 days'),
    (3,  'web_account',    'kathi_hh',                      'web',         true,  '0 days'),
    (4,  'email',          'zoe.hartmann@example.net',      'store',       true,  '0 days'),
    (4,  'phone',          '0170 5550101',                  'store',       false, '0 days'),
    (4,  'loyalty',        '4000 1000 0004',                'store',       true,  '0 days'),
    (5,  'email',          'paul.neumann@example.de',       'web',         true,  '0 days'),
    (5,  'phone',          '+49 421 7654321',               'web',         false, '0 days'),
    (5,  'web_account',    'pneumann',                      'web',         true,  '0 days'),
    (6,  'email',          'lena.vogt@example.com',         'app',         true,  '0 days'),
    (6,  'phone',          '+49 151 5550106',               'app',         true,  '0 days'),
    (6,  'web_account',    'lenavogt01',                    'app',         true,  '0 days'),
    (7,  'email',          'bjoern.schroeder@example.org',  'marketplace', true,  '0 days'),
    (7,  'marketplace_id', 'MP099999907',                   'marketplace', true,  '0 days'),
    (7,  'phone',          '0441 5550107',                  'marketplace', false, '0 days'),
    (8,  'email',          'hanako.yamada@example.jp',      'store',       true,  '0 days'),
    (8,  'loyalty',        '4000 1000 0008',                'store',       true,  '0 days'),
    (9,  'email',          'sabine.koehler@example.de',     'web',         true,  '0 days'),
    (9,  'phone',          '0421 5550109',                  'web',         true,  '0 days'),
    (9,  'loyalty',        '4000 1000 0009',                'store',       true,  '30 days'),
    (9,  'web_account',    'sabine.k',                      'web',         true,  '0 days'),
    (10, 'email',          'helene.dubois@example.fr',      'web',         true,  '0 days'),
    (10, 'web_account',    'hdubois',                       'web',         true,  '0 days'),
    (11, 'email',          'jose.garcia@example.es',        'app',         true,  '0 days'),
    (11, 'phone',          '+49 176 5550111',               'app',         true,  '0 days'),
    (12, 'email',          'mia.schulte@example.de',        'app',         true,  '0 days'),
    (12, 'phone',          '0157 5550112',                  'app',         true,  '0 days'),
    (13, 'email',          'thomas.becker@example.de',      'web',         true,  '0 days'),
    (13, 'web_account',    'tbecker71',                     'web',         true,  '0 days'),
    (14, 'email',          'greta.lueders@example.de',      'app',         true,  '0 days'),
    (14, 'phone',          '+49 160 5550114',               'app',         true,  '0 days'),
    (15, 'email',          'finn.petersen@example.de',      'web',         true,  '0 days'),
    (15, 'web_account',    'finnp',                         'web',         true,  '0 days'),
    (16, 'email',          'malte.brinkmann@example.de',    'web',         true,  '0 days'),
    (16, 'phone',          '0421 5550116',                  'web',         false, '0 days'),
    (17, 'email',          'ayse.yilmaz@example.de',        'app',         true,  '0 days'),
    (17, 'phone',          '+49 172 5550117',               'app',         true,  '0 days'))
    AS v(cid, kind, value, source, verified, after)
JOIN kontor.customer c ON c.id = v.cid;

INSERT INTO kontor.consent (customer_id, purpose, channel_id, granted, source, at, recorded_by)
SELECT v.cid, v.purpose, (SELECT id FROM kontor.channel WHERE code = v.ch), v.granted, v.source,
       CASE WHEN v.ago IS NULL THEN c.created_at + interval '3 minutes' ELSE now() - v.ago::interval END,
       (SELECT id FROM kontor.staff WHERE username = v.staff)
FROM (VALUES
    (1, 'newsletter', 'web',   true,  'web signup form', '2 years 8 months 21 days', NULL),
    (1, 'sms',        'web',   false, 'web signup form', '2 years 8 months 21 days', NULL),
    (1, 'post',       'store', true,  'store counter',   '400 days', 'clerk'),
    (1, 'app_push',   'app',   true,  'app onboarding',  '200 days', NULL),
    (1, 'profiling',  'web',   true,  'web signup form', '2 years 8 months 21 days', NULL),
    (2, 'post',       'store', true,  'store counter',   '140 days', 'tim.hansen'),
    (3, 'newsletter', 'web',   true,  'checkout',        NULL, NULL),
    (4, 'newsletter', 'store', true,  'store counter',   NULL, 'tim.hansen'),
    (4, 'newsletter', 'store', false, 'unsubscribe link', '3 months', NULL),
    (6, 'newsletter', 'app',   true,  'app onboarding',  NULL, NULL),
    (6, 'app_push',   'app',   true,  'app onboarding',  NULL, NULL),
    (9, 'newsletter', 'web',   true,  'web signup form', NULL, NULL),
    (9, 'sms',        'web',   true,  'web signup form', NULL, NULL),
    (9, 'post',       'store', true,  'store counter',   '5 years', 'clerk'),
    (9, 'profiling',  'web',   true,  'web signup form', NULL, NULL),
    (11, 'app_push',  'app',   true,  'app onboarding',  NULL, NULL),
    (12, 'newsletter','app',   true,  'app onboarding',  NULL, NULL),
    (14, 'app_push',  'app',   true,  'app onboarding',  NULL, NULL),
    (16, 'newsletter','web',   true,  'checkout',        NULL, NULL))
    AS v(cid, purpose, ch, granted, source, ago, staff)
JOIN kontor.customer c ON c.id = v.cid;

INSERT INTO kontor.customer_note (customer_id, body, created_at, created_by)
VALUES (2, 'Phone given at the till: 0421 / 123 45 67 (loyalty card issued in Hamburg)',
        now() - interval '140 days', (SELECT id FROM kontor.staff WHERE username = 'tim.hansen'));

-- Orders ---------------------------------------------------------------------------
CREATE TABLE kontor_gen.sorder (id bigint, ch text, loc text, cust bigint, ful text, pm text, ref text,
                                campaign text, tp text, pickup text);
INSERT INTO kontor_gen.sorder VALUES
    (1,  'app',         'HB-01', 1,  'click_collect', 'card',        '****4242', 'Spring Sneakers 2026', 'SS26-HB-HBF', 'JM4242'),
    (2,  'web',         NULL,    1,  'ship',          'paypal',      'PAYID-JM7K2Q', 'November Edit', 'NOV-NL', NULL),
    (3,  'store',       'HB-01', 1,  'in_store',      'card',        '****4242', NULL, NULL, NULL),
    (4,  'web',         NULL,    1,  'ship',          'card',        '****4242', NULL, NULL, NULL),
    (5,  'app',         NULL,    1,  'ship',          'paypal',      'PAYID-JM5X3R', NULL, NULL, NULL),
    (6,  'store',       'HH-01', 2,  'in_store',      'cash',        NULL, NULL, NULL, NULL),
    (7,  'web',         NULL,    3,  'ship',          'card',        '****1881', NULL, NULL, NULL),
    (8,  'store',       'HH-01', 4,  'in_store',      'card',        '****5309', NULL, NULL, NULL),
    (9,  'web',         NULL,    16, 'ship',          'invoice',     'INV-100009', NULL, NULL, NULL),
    (10, 'app',         'HB-01', 6,  'click_collect', 'paypal',      'PAYID-LV2P8N', 'Nordhafen Streetstyle (Instagram)', 'IG-STREET-03', NULL),
    (11, 'web',         'HB-01', 10, 'click_collect', 'card',        '****7733', NULL, NULL, NULL),
    (12, 'app',         'HB-01', 11, 'click_collect', 'card',        '****9021', 'Spring Sneakers 2026', 'SS26-PUSH', NULL),
    (13, 'web',         'HB-01', 5,  'click_collect', 'paypal',      'PAYID-PN6W4T', NULL, NULL, NULL),
    (14, 'app',         'HB-01', 12, 'click_collect', 'paypal',      'PAYID-MS3K9D', NULL, NULL, NULL),
    (15, 'web',         'HB-01', 13, 'click_collect', 'card',        '****6060', NULL, NULL, NULL),
    (16, 'app',         'HB-01', 14, 'click_collect', 'card',        '****3141', 'Spring Sneakers 2026', 'SS26-HB-HBF', NULL),
    (17, 'web',         'HB-01', 15, 'click_collect', 'paypal',      'PAYID-FP8V2M', NULL, NULL, NULL),
    (18, 'store',       'HH-01', 8,  'in_store',      'card',        '****2718', NULL, NULL, NULL),
    (19, 'marketplace', NULL,    7,  'ship',          'marketplace', 'MKT-3000000019', NULL, NULL, NULL),
    (20, 'web',         NULL,    9,  'ship',          'card',        '****5150', NULL, NULL, NULL),
    (21, 'app',         'HH-01', 9,  'click_collect', 'card',        '****5150', NULL, NULL, NULL),
    (22, 'app',         'HH-01', 17, 'click_collect', 'paypal',      'PAYID-AY4H7Q', NULL, NULL, NULL),
    (23, 'store',       'HH-01', 3,  'in_store',      'cash',        NULL, NULL, NULL, NULL);

-- History: (order, when, to status, who, source, note); "placed" first.
CREATE TABLE kontor_gen.sevent (order_id integer, at timestamptz, to_status text, staff text, source text, note text);
INSERT INTO kontor_gen.sevent VALUES
    (1,  now() - interval '40 minutes',         'placed',           NULL, 'app', NULL),
    (1,  now() - interval '39 minutes',         'paid',             NULL, 'psp', NULL),
    (2,  kontor_gen.day_at(21, '19:12'),        'placed',           NULL, 'web', NULL),
    (2,  kontor_gen.day_at(21, '19:13'),        'paid',             NULL, 'psp', NULL),
    (2,  kontor_gen.day_at(20, '07:40'),        'picking',          NULL, 'wms', NULL),
    (2,  kontor_gen.day_at(20, '11:05'),        'shipped',          NULL, 'wms', NULL),
    (2,  kontor_gen.day_at(19, '13:22'),        'delivered',        NULL, 'carrier', NULL),
    (2,  kontor_gen.day_at(12, '16:24'),        'partially_returned', 'tim.hansen', 'console', 'return R-4TQ8ZP'),
    (3,  kontor_gen.day_at(9, '12:30'),         'placed',           NULL, 'pos', NULL),
    (3,  kontor_gen.day_at(9, '12:31'),         'paid',             NULL, 'pos', NULL),
    (3,  kontor_gen.day_at(9, '12:31:40'),      'completed',        NULL, 'pos', NULL),
    (4,  kontor_gen.day_at(60, '20:47'),        'placed',           NULL, 'web', NULL),
    (4,  kontor_gen.day_at(60, '20:48'),        'paid',             NULL, 'psp', NULL),
    (4,  kontor_gen.day_at(59, '08:15'),        'picking',          NULL, 'wms', NULL),
    (4,  kontor_gen.day_at(59, '12:40'),        'shipped',          NULL, 'wms', NULL),
    (4,  kontor_gen.day_at(58, '10:02'),        'delivered',        NULL, 'carrier', NULL),
    (5,  kontor_gen.day_at(80, '21:30'),        'placed',           NULL, 'app', NULL),
    (5,  kontor_gen.day_at(80, '21:31'),        'paid',             NULL, 'psp', NULL),
    (5,  kontor_gen.day_at(79, '09:10'),        'picking',          NULL, 'wms', NULL),
    (5,  kontor_gen.day_at(79, '14:55'),        'shipped',          NULL, 'wms', NULL),
    (5,  kontor_gen.day_at(77, '11:41'),        'delivered',        NULL, 'carrier', NULL),
    (6,  kontor_gen.day_at(35, '17:05'),        'placed',           NULL, 'pos', NULL),
    (6,  kontor_gen.day_at(35, '17:06'),        'paid',             NULL, 'pos', NULL),
    (6,  kontor_gen.day_at(35, '17:06:30'),     'completed',        NULL, 'pos', NULL),
    (7,  kontor_gen.day_at(12, '21:14'),        'placed',           NULL, 'web', NULL),
    (7,  kontor_gen.day_at(12, '21:15'),        'paid',             NULL, 'psp', NULL),
    (7,  kontor_gen.day_at(11, '07:30'),        'picking',          NULL, 'wms', NULL),
    (7,  kontor_gen.day_at(11, '10:45'),        'shipped',          NULL, 'wms', NULL),
    (7,  kontor_gen.day_at(10, '14:20'),        'delivered',        NULL, 'carrier', NULL),
    (7,  kontor_gen.day_at(3, '09:40'),         'returned',         NULL, 'wms', 'return R-7K2Q9M'),
    (8,  now() - interval '41 days 5 hours',    'placed',           NULL, 'pos', NULL),
    (8,  now() - interval '41 days 4 hours 59 minutes', 'paid',     NULL, 'pos', NULL),
    (8,  now() - interval '41 days 4 hours 58 minutes', 'completed', NULL, 'pos', NULL),
    (9,  kontor_gen.day_at(10, '18:02'),        'placed',           NULL, 'web', NULL),
    (9,  kontor_gen.day_at(10, '18:03'),        'paid',             NULL, 'psp', NULL),
    (9,  kontor_gen.day_at(9, '08:00'),         'picking',          NULL, 'wms', NULL),
    (9,  kontor_gen.day_at(9, '11:30'),         'shipped',          NULL, 'wms', NULL),
    (9,  kontor_gen.day_at(8, '12:12'),         'delivered',        NULL, 'carrier', NULL),
    (9,  kontor_gen.day_at(3, '10:05'),         'partially_returned', NULL, 'wms', 'return R-9HX3TD'),
    (10, now() - interval '6 minutes',          'placed',           NULL, 'app', NULL),
    (11, now() - interval '20 hours',           'placed',           NULL, 'web', NULL),
    (11, now() - interval '19 hours 58 minutes', 'paid',            NULL, 'psp', NULL),
    (11, now() - interval '25 minutes',         'picking',          'clerk', 'console', NULL),
    (12, kontor_gen.day_at(2, '18:40'),         'placed',           NULL, 'app', NULL),
    (12, kontor_gen.day_at(2, '18:41'),         'paid',             NULL, 'psp', NULL),
    (12, kontor_gen.day_at(1, '10:20'),         'picking',          'clerk', 'console', NULL),
    (12, kontor_gen.day_at(1, '10:34'),         'ready_for_pickup', 'clerk', 'console', NULL),
    (13, kontor_gen.day_at(7, '20:05'),         'placed',           NULL, 'web', NULL),
    (13, kontor_gen.day_at(7, '20:06'),         'paid',             NULL, 'psp', NULL),
    (13, kontor_gen.day_at(6, '10:12'),         'picking',          'jonas.behrens', 'console', NULL),
    (13, kontor_gen.day_at(6, '10:31'),         'ready_for_pickup', 'jonas.behrens', 'console', NULL),
    (14, kontor_gen.day_at(2, '07:55'),         'placed',           NULL, 'app', NULL),
    (14, kontor_gen.day_at(2, '07:56'),         'paid',             NULL, 'psp', NULL),
    (14, kontor_gen.day_at(2, '10:15'),         'picking',          'clerk', 'console', NULL),
    (14, kontor_gen.day_at(2, '10:29'),         'ready_for_pickup', 'clerk', 'console', NULL),
    (14, now() - interval '14 hours',           'collected',        'clerk', 'console', NULL),
    (15, kontor_gen.day_at(20, '12:00'),        'placed',           NULL, 'web', NULL),
    (15, kontor_gen.day_at(20, '12:01'),        'paid',             NULL, 'psp', NULL),
    (15, kontor_gen.day_at(19, '10:40'),        'picking',          'jonas.behrens', 'console', NULL),
    (15, kontor_gen.day_at(19, '10:58'),        'ready_for_pickup', 'jonas.behrens', 'console', NULL),
    (15, kontor_gen.day_at(4, '10:05'),         'cancelled',        'clerk', 'console', 'not collected within 14 days'),
    (16, kontor_gen.day_at(16, '22:10'),        'placed',           NULL, 'app', NULL),
    (16, kontor_gen.day_at(16, '22:11'),        'paid',             NULL, 'psp', NULL),
    (16, kontor_gen.day_at(15, '10:30'),        'picking',          'clerk', 'console', NULL),
    (16, kontor_gen.day_at(15, '10:48'),        'ready_for_pickup', 'clerk', 'console', NULL),
    (16, kontor_gen.day_at(14, '17:20'),        'collected',        'clerk', 'console', NULL),
    (16, kontor_gen.day_at(8, '11:02'),         'returned',         'clerk', 'console', 'return ' || 'R-' || kontor_gen.code31((5::bigint * 387420489 + 12345) % 887503681, 6)),
    (17, kontor_gen.day_at(11, '09:15'),        'placed',           NULL, 'web', NULL),
    (17, kontor_gen.day_at(11, '09:16'),        'paid',             NULL, 'psp', NULL),
    (17, kontor_gen.day_at(10, '10:05'),        'picking',          'jonas.behrens', 'console', NULL),
    (17, kontor_gen.day_at(10, '10:20'),        'ready_for_pickup', 'jonas.behrens', 'console', NULL),
    (17, kontor_gen.day_at(9, '16:45'),         'collected',        'clerk', 'console', NULL),
    (17, kontor_gen.day_at(1, '15:10'),         'partially_returned', 'clerk', 'console', 'return ' || 'R-' || kontor_gen.code31((6::bigint * 387420489 + 12345) % 887503681, 6)),
    (18, kontor_gen.day_at(1, '16:05'),         'placed',           NULL, 'pos', NULL),
    (18, kontor_gen.day_at(1, '16:06'),         'paid',             NULL, 'pos', NULL),
    (18, kontor_gen.day_at(1, '16:06:30'),      'completed',        NULL, 'pos', NULL),
    (19, now() - interval '5 hours',            'placed',           NULL, 'marketplace', NULL),
    (19, now() - interval '4 hours 59 minutes', 'paid',             NULL, 'marketplace', NULL),
    (19, now() - interval '2 hours',            'picking',          NULL, 'wms', NULL),
    (20, kontor_gen.day_at(30, '10:10'),        'placed',           NULL, 'web', NULL),
    (20, kontor_gen.day_at(30, '10:11'),        'paid',             NULL, 'psp', NULL),
    (20, kontor_gen.day_at(29, '09:00'),        'picking',          NULL, 'wms', NULL),
    (20, kontor_gen.day_at(29, '13:00'),        'shipped',          NULL, 'wms', NULL),
    (20, kontor_gen.day_at(28, '11:30'),        'delivered',        NULL, 'carrier', NULL),
    (21, kontor_gen.day_at(17, '08:20'),        'placed',           NULL, 'app', NULL),
    (21, kontor_gen.day_at(17, '08:21'),        'paid',             NULL, 'psp', NULL),
    (21, kontor_gen.day_at(16, '10:40'),        'picking',          'tim.hansen', 'console', NULL),
    (21, kontor_gen.day_at(16, '11:00'),        'ready_for_pickup', 'tim.hansen', 'console', NULL),
    (21, kontor_gen.day_at(15, '18:10'),        'collected',        'tim.hansen', 'console', NULL),
    (22, kontor_gen.day_at(8, '19:30'),         'placed',           NULL, 'app', NULL),
    (22, kontor_gen.day_at(8, '19:31'),         'paid',             NULL, 'psp', NULL),
    (22, kontor_gen.day_at(7, '10:25'),         'picking',          'tim.hansen', 'console', NULL),
    (22, kontor_gen.day_at(7, '10:50'),         'ready_for_pickup', 'tim.hansen', 'console', NULL),
    (23, kontor_gen.day_at(50, '15:45'),        'placed',           NULL, 'pos', NULL),
    (23, kontor_gen.day_at(50, '15:46'),        'paid',             NULL, 'pos', NULL),
    (23, kontor_gen.day_at(50, '15:46:30'),     'completed',        NULL, 'pos', NULL);

CREATE TABLE kontor_gen.sline (order_id integer, line_no integer, sku text, qty integer);
INSERT INTO kontor_gen.sline VALUES
    (1, 1, 'SNK-2041-42', 1), (1, 2, 'SCK-0003', 1),
    (2, 1, 'BOT-3110-42', 1), (2, 2, 'KNT-5301-L', 1),
    (3, 1, 'SCK-0010', 1), (3, 2, 'ACC-0102', 1),
    (4, 1, 'JKT-5201-L', 1),
    (5, 1, 'SNK-2042-42', 1),
    (6, 1, 'KNT-5302-L', 1), (6, 2, 'SCK-0003', 1),
    (7, 1, 'WCT-5101-M', 1),
    (8, 1, 'BOT-3120-38', 1),
    (9, 1, 'BOT-3150-43', 1), (9, 2, 'ACC-0101', 1),
    (10, 1, 'SNK-2050-38', 1),
    (11, 1, 'KNT-5310-M', 1),
    (12, 1, 'SNK-2060-44', 1), (12, 2, 'ACC-0102', 1),
    (13, 1, 'BOT-3111-44', 1),
    (14, 1, 'BAL-4610-39', 1),
    (15, 1, 'SNK-2043-43', 1),
    (16, 1, 'SNK-2041-39', 1),
    (17, 1, 'SNK-2042-43', 1), (17, 2, 'SCK-0003', 1),
    (18, 1, 'WCT-5102-S', 1), (18, 2, 'ACC-0302', 1),
    (19, 1, 'HOS-5602-L', 1),
    (20, 1, 'KNT-5301-M', 1), (20, 2, 'TSH-5501-M', 1),
    (21, 1, 'BOT-3130-39', 1),
    (22, 1, 'SNK-2070-38', 1),
    (23, 1, 'TSH-5502-M', 1);

INSERT INTO kontor.order_line (id, order_id, line_no, product_id, sku, name, size, qty, unit_price_cents)
OVERRIDING SYSTEM VALUE
SELECT l.order_id * 8 + l.line_no, l.order_id, l.line_no, p.id, p.sku, p.name, p.size, l.qty, p.price_cents
FROM kontor_gen.sline l JOIN kontor.product p ON p.sku = l.sku;
SELECT kontor_gen.assert((SELECT count(*) FROM kontor.order_line WHERE order_id <= 100)
                         = (SELECT count(*) FROM kontor_gen.sline), 'scenario order line with unknown SKU');

INSERT INTO kontor.sales_order (id, number, channel_id, location_id, customer_id, fulfilment, status,
    status_note, status_changed_at, subtotal_cents, shipping_cents, discount_cents, total_cents,
    campaign_id, touchpoint_id, pickup_code, placed_at, version, updated_at, updated_by)
OVERRIDING SYSTEM VALUE
SELECT o.id, 'K-' || (100000 + o.id), ch.id, l.id, o.cust, o.ful, last.to_status, last.note, last.at,
       t.subtotal, t.shipping, 0, t.subtotal + t.shipping, c.id, tp.id,
       CASE WHEN o.ful = 'click_collect'
            THEN coalesce(o.pickup, kontor_gen.code31((o.id * 594823321 + 777) % 887503681, 6)) END,
       first.at, cnt.n, last.at, st.id
FROM kontor_gen.sorder o
JOIN kontor.channel ch ON ch.code = o.ch
LEFT JOIN kontor.location l ON l.code = o.loc
LEFT JOIN kontor.campaign c ON c.name = o.campaign
LEFT JOIN kontor.touchpoint tp ON tp.tracking_code = o.tp
CROSS JOIN LATERAL (SELECT sum(ol.qty * ol.unit_price_cents) AS subtotal,
                           CASE WHEN o.ful = 'ship' AND o.ch <> 'marketplace'
                                     AND sum(ol.qty * ol.unit_price_cents) < 5000 THEN 495 ELSE 0 END AS shipping
                    FROM kontor.order_line ol WHERE ol.order_id = o.id) t
CROSS JOIN LATERAL (SELECT * FROM kontor_gen.sevent e WHERE e.order_id = o.id ORDER BY e.at DESC LIMIT 1) last
CROSS JOIN LATERAL (SELECT * FROM kontor_gen.sevent e WHERE e.order_id = o.id ORDER BY e.at LIMIT 1) first
CROSS JOIN LATERAL (SELECT count(*)::integer AS n FROM kontor_gen.sevent e WHERE e.order_id = o.id) cnt
LEFT JOIN kontor.staff st ON st.username = last.staff;

INSERT INTO kontor.order_event (order_id, at, from_status, to_status, staff_id, source, note)
SELECT e.order_id, e.at, lag(e.to_status) OVER (PARTITION BY e.order_id ORDER BY e.at, e.ctid),
       e.to_status, s.id, e.source, e.note
FROM kontor_gen.sevent e LEFT JOIN kontor.staff s ON s.username = e.staff
ORDER BY e.order_id, e.at;

INSERT INTO kontor.order_note (order_id, body, created_at, created_by)
SELECT v.order_id, v.body, v.at, s.id
FROM (VALUES (12, 'shelf B3', kontor_gen.day_at(1, '10:35'), 'clerk'),
             (13, 'shelf A1', kontor_gen.day_at(6, '10:32'), 'jonas.behrens'),
             (13, 'customer called: comes on Saturday', kontor_gen.day_at(3, '15:02'), 'service'),
             (22, 'shelf C2', kontor_gen.day_at(7, '10:51'), 'tim.hansen')) AS v(order_id, body, at, staff)
JOIN kontor.staff s ON s.username = v.staff;

-- Payments: captured once paid (Lena's new order is only authorised);
-- Thomas Becker's uncollected order was refunded when it was cancelled.
INSERT INTO kontor.payment (id, order_id, method, amount_cents, status, reference, at, version, updated_at)
OVERRIDING SYSTEM VALUE
SELECT so.id, so.id, o.pm, so.total_cents, CASE WHEN so.status = 'placed' THEN 'authorised' ELSE 'captured' END,
       o.ref, coalesce(paid.at, so.placed_at + interval '5 seconds'),
       CASE WHEN so.status = 'placed' THEN 1 ELSE 2 END, coalesce(paid.at, so.placed_at + interval '5 seconds')
FROM kontor_gen.sorder o JOIN kontor.sales_order so ON so.id = o.id
LEFT JOIN kontor_gen.sevent paid ON paid.order_id = o.id AND paid.to_status = 'paid';

INSERT INTO kontor.refund (order_id, return_id, payment_id, amount_cents, method, idempotency_key, status,
                           created_by, at, updated_at)
VALUES (15, NULL, 15, 8995, 'card', 'demo-cancel-15', 'done', (SELECT anna FROM kontor_gen.team),
        kontor_gen.day_at(4, '10:05'), kontor_gen.day_at(4, '10:05'));

-- Returns ----------------------------------------------------------------------------
-- 1 R-4TQ8ZP  Jürgen's web order, pullover returned at the Hamburg store, refunded 49.95
-- 2 R-7K2Q9M  Katharina Schröder's wool coat (349.00), inspected, waiting for service's refund
--             (over the service limit of 200.00: asks for approval)
-- 3 R-2M8WQX  Zoë Hartmann, store purchase 41 days ago: outside the window, approval asked
-- 4 R-9HX3TD  Malte Brinkmann's leather boots (229.00): inspected, approval asked by Ben Scholz
-- 5 (code)    Greta Lüders: app order collected in Bremen, returned at the Bremen store, refunded
-- 6 (code)    Finn Petersen: web click & collect, sneakers back at the Bremen counter, not inspected
INSERT INTO kontor.return_order (id, rma, order_id, channel_id, location_id, status, status_note, reason,
    refund_method, outside_window, days_since_delivery, needs_approval, approval_note,
    approval_requested_by, approval_requested_at, created_by, created_at, version, updated_at, updated_by)
OVERRIDING SYSTEM VALUE
SELECT v.id, coalesce(v.rma, 'R-' || kontor_gen.code31((v.id::bigint * 387420489 + 12345) % 887503681, 6)), v.order_id,
       ch.id, l.id, v.status, NULL, v.reason, v.method, v.ow,
       floor(extract(epoch FROM v.created - d.at) / 86400)::integer,
       v.approval, v.note, ask.id, CASE WHEN v.approval THEN v.asked END, cr.id, v.created, v.version,
       v.updated, upd.id
FROM (VALUES
    (1, 'R-4TQ8ZP', 2, 'store', 'HH-01', 'refunded', 'too large', 'original', false, false, NULL, NULL,
        NULL::timestamptz, 'tim.hansen', kontor_gen.day_at(12, '16:20'), 5, kontor_gen.day_at(11, '10:05'), 'service'),
    (2, 'R-7K2Q9M', 7, 'web', 'WH-01', 'inspected', 'coat, seam torn', 'original', false, false, NULL, NULL,
        NULL, 'service', kontor_gen.day_at(7, '11:30'), 4, kontor_gen.day_at(2, '14:10'), 'dirk.lange'),
    (3, 'R-2M8WQX', 8, 'store', 'HH-01', 'requested', 'gift, does not fit', 'original', true, true,
        'gift, receipt late', 'service', now() - interval '2 hours 50 minutes', 'service',
        now() - interval '2 hours 50 minutes', 1, now() - interval '2 hours 50 minutes', NULL),
    (4, 'R-9HX3TD', 9, 'web', 'WH-01', 'inspected', 'boots, sole came loose', 'original', false, true,
        'boots, sole came loose', 'service', now() - interval '1 hour 30 minutes', NULL,
        kontor_gen.day_at(6, '09:00'), 5, now() - interval '1 hour 30 minutes', 'service'),
    (5, NULL, 16, 'store', 'HB-01', 'refunded', 'too small', 'original', false, false, NULL, NULL,
        NULL, 'clerk', kontor_gen.day_at(8, '11:00'), 5, kontor_gen.day_at(7, '09:30'), 'service'),
    (6, NULL, 17, 'store', 'HB-01', 'received', 'too small', 'original', false, false, NULL, NULL,
        NULL, 'clerk', kontor_gen.day_at(1, '15:08'), 3, kontor_gen.day_at(1, '15:10'), 'clerk'))
    AS v(id, rma, order_id, ch, loc, status, reason, method, ow, approval, note, ask, asked, creator,
         created, version, updated, updater)
JOIN kontor.channel ch ON ch.code = v.ch
JOIN kontor.location l ON l.code = v.loc
CROSS JOIN LATERAL (SELECT max(e.at) AS at FROM kontor_gen.sevent e
                    WHERE e.order_id = v.order_id AND e.to_status IN ('delivered', 'collected', 'completed')) d
LEFT JOIN kontor.staff ask ON ask.username = v.ask
LEFT JOIN kontor.staff cr ON cr.username = v.creator
LEFT JOIN kontor.staff upd ON upd.username = v.updater;

INSERT INTO kontor.return_line (id, return_id, order_line_id, qty, reason, condition, restocked, version, updated_at)
OVERRIDING SYSTEM VALUE
SELECT v.ol, v.rid, v.ol, 1, v.reason, v.cond, v.restocked, CASE WHEN v.cond IS NULL THEN 1 ELSE 2 END, v.at
FROM (VALUES (2 * 8 + 2,  1, 'too large',               'resellable', true,  kontor_gen.day_at(12, '16:30')),
             (7 * 8 + 1,  2, 'seam torn at the pocket', 'defective',  false, kontor_gen.day_at(2, '14:10')),
             (8 * 8 + 1,  3, 'gift, does not fit',      NULL,         false, now() - interval '2 hours 50 minutes'),
             (9 * 8 + 1,  4, 'sole came loose',         'defective',  false, kontor_gen.day_at(2, '09:15')),
             (16 * 8 + 1, 5, 'too small',               'resellable', true,  kontor_gen.day_at(8, '11:10')),
             (17 * 8 + 1, 6, 'too small',               NULL,         false, kontor_gen.day_at(1, '15:10')))
    AS v(ol, rid, reason, cond, restocked, at);

INSERT INTO kontor.refund (order_id, return_id, payment_id, amount_cents, method, idempotency_key, status,
                           created_by, at, updated_at)
VALUES (2, 1, 2, 4995, 'paypal', 'demo-return-1', 'done', (SELECT ben FROM kontor_gen.team),
        kontor_gen.day_at(11, '10:05'), kontor_gen.day_at(11, '10:05')),
       (16, 5, 16, 8995, 'card', 'demo-return-5', 'done', (SELECT ben FROM kontor_gen.team),
        kontor_gen.day_at(7, '09:30'), kontor_gen.day_at(7, '09:30'));

-- Journeys: the newsletter click and poster scan before Jürgen's orders, and
-- a few more touches of the scenario people.
INSERT INTO kontor.interaction (touchpoint_id, customer_id, visitor_id, kind, at)
SELECT t.id, v.cid, NULL, v.kind, v.at
FROM (VALUES
    (1, 'NOV-NL',       'viewed',  kontor_gen.day_at(21, '08:01')),
    (1, 'NOV-NL',       'clicked', kontor_gen.day_at(21, '08:03')),
    (1, 'SS26-PUSH',    'viewed',  kontor_gen.day_at(3, '19:20')),
    (1, 'SS26-HB-HBF',  'scanned', kontor_gen.day_at(1, '17:12')),
    (14, 'SS26-HB-HBF', 'scanned', kontor_gen.day_at(17, '08:05')),
    (11, 'SS26-PUSH',   'clicked', kontor_gen.day_at(2, '18:35')),
    (6, 'IG-STREET-03', 'viewed',  now() - interval '1 hour'),
    (6, 'IG-STREET-03', 'reserved', now() - interval '8 minutes'),
    (9, 'NOV-NL',       'viewed',  kontor_gen.day_at(21, '12:30')),
    (9, 'CAT-WINTER',   'scanned', kontor_gen.day_at(25, '20:10')),
    (3, 'NOV-NL',       'clicked', kontor_gen.day_at(20, '07:45')),
    (16, 'AB-NL',       'clicked', kontor_gen.day_at(80, '09:00'))) AS v(cid, code, kind, at)
JOIN kontor.touchpoint t ON t.tracking_code = v.code
WHERE v.at <= now();
