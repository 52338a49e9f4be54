-- Prints the permission matrix of doc/roles.md from the database itself:
--   psql -XAt -d kontor -f sql/test/roles_matrix.sql
-- Compare with the table in doc/roles.md (sorted by kind, then object).
-- types of the kontor schema in signatures print qualified, as the tests see them
SET search_path = public;
WITH roles(r, ord) AS (VALUES ('kontor_clerk', 1), ('kontor_service', 2), ('kontor_manager', 3), ('kontor_admin', 4)),
rels AS (
    SELECT c.oid, c.relname::text AS object, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS kind
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'kontor' AND c.relkind IN ('r', 'p', 'v', 'm')
),
rel_cells AS (
    SELECT rels.object, rels.kind, roles.ord,
           coalesce(nullif(concat_ws(' ',
               CASE WHEN has_table_privilege(roles.r, rels.oid, 'SELECT') THEN 'S'
                    WHEN has_any_column_privilege(roles.r, rels.oid, 'SELECT') THEN 'S*' END,
               CASE WHEN has_table_privilege(roles.r, rels.oid, 'INSERT') THEN 'I'
                    WHEN has_any_column_privilege(roles.r, rels.oid, 'INSERT') THEN 'I*' END,
               CASE WHEN has_table_privilege(roles.r, rels.oid, 'UPDATE') THEN 'U'
                    WHEN has_any_column_privilege(roles.r, rels.oid, 'UPDATE') THEN 'U*' END,
               CASE WHEN has_table_privilege(roles.r, rels.oid, 'DELETE') THEN 'D' END), ''), '-') AS cell
    FROM rels, roles
),
fn_cells AS (
    SELECT regexp_replace(p.oid::regprocedure::text, '^kontor\.', '') AS object, 'function' AS kind, roles.ord,
           CASE WHEN has_function_privilege(roles.r, p.oid, 'EXECUTE') THEN 'X' ELSE '-' END AS cell
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace, roles
    WHERE n.nspname = 'kontor'
),
cells AS (SELECT * FROM rel_cells UNION ALL SELECT * FROM fn_cells)
SELECT format('| %s | %s | %s |', object, kind, string_agg(cell, ' | ' ORDER BY ord))
FROM cells
GROUP BY object, kind
ORDER BY CASE kind WHEN 'table' THEN 1 WHEN 'view' THEN 2 ELSE 3 END, object;
