/* Staff accounts through the database's staff functions; each call is one
 * transaction, audited by the database as the signed-in admin (or as the
 * owner when the first admin is created). */
#include "kontor/staff.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/auth.h"
#include "kontor/xalloc.h"

static const char sql_add[] = "SELECT kontor.staff_add($1, $2, $3, $4, $5, $6)";
static const char sql_set_password[] = "SELECT kontor.staff_set_password($1, $2, $3)";
static const char sql_unlock[] = "SELECT kontor.staff_unlock($1)";
static const char sql_admin_exists[] =
    "SELECT EXISTS (SELECT 1 FROM kontor.staff WHERE role = 'admin' AND active)";
static const char sql_page[] =
    "SELECT s.username, s.display_name, s.role, coalesce(l.code, '—'), "
    "CASE WHEN NOT s.active THEN 'inactive' "
    "     WHEN s.locked_until > now() THEN 'LOCKED' "
    "     WHEN s.must_change_password THEN 'must change password' ELSE 'active' END, "
    "s.failed_attempts::text, coalesce(to_char(s.last_login_at, 'DD.MM. HH24:MI'), '—'), "
    "s.username "
    "FROM kontor.staff s LEFT JOIN kontor.location l ON l.id = s.home_location_id "
    "WHERE ($2 = '' OR strpos(lower(s.username || ' ' || s.display_name), lower($2)) > 0) "
    "  AND CASE $1 WHEN 'after' THEN s.username > $3 WHEN 'before' THEN s.username < $3 "
    "              WHEN 'from' THEN s.username >= $3 ELSE true END "
    "ORDER BY CASE WHEN $1 IN ('before', 'last') THEN s.username END DESC, s.username "
    "LIMIT $4::int";

static const char sql_list[] =
    "SELECT s.username, s.display_name, s.role, coalesce(l.code, '') AS location, "
    "CASE WHEN NOT s.active THEN 'inactive' "
    "     WHEN s.locked_until > now() THEN 'locked' "
    "     WHEN s.must_change_password THEN 'must change password' ELSE 'active' END AS state, "
    "s.failed_attempts AS failures "
    "FROM kontor.staff s LEFT JOIN kontor.location l ON l.id = s.home_location_id "
    "ORDER BY s.username";

struct db_stmt staff_page_stmt(const char *const params[4])
{
    struct db_stmt st = DB_STMT(sql_page, 4, params);
    return st;
}

struct db_stmt staff_add_stmt(const char *const params[6])
{
    struct db_stmt st = DB_STMT(sql_add, 6, params);
    return st;
}

struct db_stmt staff_unlock_stmt(const char *const params[1])
{
    struct db_stmt st = DB_STMT(sql_unlock, 1, params);
    return st;
}

/* Hashes password (wiping it) into a string the caller wipes and frees. */
static char *staff_hash(char *password, struct db_error *err)
{
    char *why = NULL;
    char *hash = auth_hash_password(password, &why);

    sodium_memzero(password, strlen(password));
    if (hash == NULL) {
        db_error_set(err, DB_ERR_INPUT, "%s", why);
        free(why);
    }
    return hash;
}

static void staff_wipe(char *hash)
{
    if (hash != NULL) {
        sodium_memzero(hash, strlen(hash));
        free(hash);
    }
}

long long staff_add(struct db *db, const struct db_session *s, const struct staff_new *n,
                    char *password, struct db_error *err)
{
    enum db_role role;
    long long id = 0;
    char *hash;

    if (!db_role_parse(n->role, &role)) {
        sodium_memzero(password, strlen(password));
        db_error_set(err, DB_ERR_INPUT, "Unknown role '%s': use clerk, service, manager or admin.",
                     n->role);
        return 0;
    }
    hash = staff_hash(password, err);
    if (hash == NULL)
        return 0;
    const char *p[6] = { n->username, n->display_name, n->role, n->location_code, hash,
                         n->must_change_password ? "true" : "false" };
    struct db_stmt st = staff_add_stmt(p);
    if (db_run_tx(db, s, &st, 1, err))
        id = db_value_ll(st.res, 0, 0);
    db_stmts_clear(&st, 1);
    staff_wipe(hash);
    return id;
}

bool staff_set_password(struct db *db, const struct db_session *s, const char *username,
                        char *password, bool must_change, struct db_error *err)
{
    char *hash = staff_hash(password, err);
    bool ok;

    if (hash == NULL)
        return false;
    const char *p[3] = { username, hash, must_change ? "true" : "false" };
    struct db_stmt st = DB_STMT(sql_set_password, 3, p);
    ok = db_run_tx(db, s, &st, 1, err);
    db_stmts_clear(&st, 1);
    staff_wipe(hash);
    return ok;
}

bool staff_unlock(struct db *db, const struct db_session *s, const char *username,
                  struct db_error *err)
{
    const char *p[1] = { username };
    struct db_stmt st = staff_unlock_stmt(p);
    bool ok = db_run_tx(db, s, &st, 1, err);

    db_stmts_clear(&st, 1);
    return ok;
}

bool staff_admin_exists(struct db *db, bool *exists, struct db_error *err)
{
    PGresult *res = db_exec(db, sql_admin_exists, 0, NULL, err);

    if (res == NULL)
        return false;
    *exists = strcmp(db_value(res, 0, 0), "t") == 0;
    PQclear(res);
    return true;
}

bool staff_list(struct db *db, const struct db_session *s, enum export_format fmt, FILE *out,
                struct db_error *err)
{
    return export_query(db, s, sql_list, 0, NULL, fmt, out, err);
}
