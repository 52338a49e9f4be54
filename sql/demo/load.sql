-- Kontor demo / benchmark data: "Nordhafen Schuh & Mode".
--
--   psql -X -q -v ON_ERROR_STOP=1 [-v scale=test|S|M|L] -d DB -f sql/demo/load.sql
--
-- Run as the database owner (a superuser: the bulk load skips triggers with
-- session_replication_role = replica and checks the invariants itself at the
-- end). Loads into an empty, migrated database, in one transaction.
--
-- Scales (customers / orders / campaign interactions / days of history):
--   test     300 /      1,500 /      3,000 /  90   test template, < 3 s
--   S      5,000 /     20,000 /     40,000 /  90   the demo (default)
--   M    200,000 /  1,000,000 /  2,000,000 / 365   benchmarks
--   L  1,000,000 / 10,000,000 / 10,000,000 / 730   benchmarks
--
-- Deterministic: every random choice is a hash of (purpose, row number)
-- (kontor_gen.u), so the same scale and run date give the same data, in any
-- order and in parallel. Times are relative to now() (the transaction start):
-- there is activity today up to the current time of day, never in the future.
-- The people and records of doc SCENARIOS.md are in gen_scenario.sql with
-- fixed ids, numbers and codes at every scale.

\if :{?scale}
\else
\set scale S
\endif

\set QUIET on
\o /dev/null
SET client_min_messages = warning;
BEGIN;
SET LOCAL search_path = kontor, public;
SET LOCAL session_replication_role = replica;
SET LOCAL kontor.bulk = 'on';
SET LOCAL work_mem = '128MB';
SET LOCAL jit = off;
SET LOCAL maintenance_work_mem = '512MB';
SET LOCAL TimeZone = 'Europe/Berlin';

\ir gen_setup.sql
INSERT INTO kontor_gen.param (scale, customers, orders, interactions, days)
SELECT scale, customers, orders, interactions, days
FROM (VALUES ('test', 300, 1500, 3000, 90),
             ('S', 5000, 20000, 40000, 90),
             ('M', 200000, 1000000, 2000000, 365),
             ('L', 1000000, 10000000, 10000000, 730)) AS v(scale, customers, orders, interactions, days)
WHERE v.scale = upper(:'scale') OR (v.scale = 'test' AND lower(:'scale') = 'test');
SELECT kontor_gen.assert((SELECT count(*) = 1 FROM kontor_gen.param),
                         'unknown scale "' || :'scale' || '" (use test, S, M or L)');
SELECT kontor_gen.assert(NOT EXISTS (SELECT 1 FROM kontor.sales_order)
                         AND NOT EXISTS (SELECT 1 FROM kontor.customer)
                         AND NOT EXISTS (SELECT 1 FROM kontor.staff),
                         'the database already holds data: load the demo into a fresh, migrated database');

\ir gen_reference.sql
\ir gen_customers.sql
\ir gen_orders.sql
\ir gen_returns.sql
\ir gen_finish_orders.sql
\ir gen_scenario.sql
\ir gen_marketing.sql
\ir gen_finish.sql

COMMIT;
ANALYZE;
\o
