/* Applies numbered SQL migrations in order, one transaction each, under an
 * advisory lock so two migrators never interleave; refuses to run when an
 * applied file's checksum no longer matches what was recorded, or through a
 * connection pooler (the lock is session state). */
#include "kontor/migrate.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/db.h"
#include "kontor/strbuf.h"
#include "kontor/xalloc.h"

#define MIGRATE_LOCK_KEY "7165010"

struct migration {
    int version;
    char *name;  /* file name */
    char *path;
};

static const char sql_prepare[] =
    "CREATE SCHEMA IF NOT EXISTS kontor;"
    "CREATE TABLE IF NOT EXISTS kontor.schema_migration ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

static const char sql_applied[] =
    "SELECT version, name, checksum FROM kontor.schema_migration ORDER BY version";

static const char sql_record[] =
    "INSERT INTO kontor.schema_migration (version, name, checksum) VALUES ($1, $2, $3)";

static const char sql_backend[] = "SELECT pg_backend_pid()";

void migrate_checksum(const char *data, size_t len, char out[65])
{
    unsigned char hash[crypto_hash_sha256_BYTES];

    crypto_hash_sha256(hash, (const unsigned char *)data, len);
    sodium_bin2hex(out, 65, hash, sizeof(hash));
}

static int migration_cmp(const void *a, const void *b)
{
    const struct migration *x = a, *y = b;

    return (x->version > y->version) - (x->version < y->version);
}

/* A migration file is NNNN_words.sql; anything else in the folder is ignored. */
static bool migration_name_ok(const char *name, int *version)
{
    size_t len = strlen(name);
    size_t i = 0;

    while (isdigit((unsigned char)name[i]))
        i++;
    if (i != 4 || name[4] != '_' || len < 9 || strcmp(name + len - 4, ".sql") != 0)
        return false;
    *version = atoi(name);
    return true;
}

static struct migration *migration_list(const char *dir, size_t *count, char **err)
{
    DIR *d = opendir(dir);
    struct migration *list = NULL;
    size_t n = 0;
    struct dirent *e;

    if (d == NULL) {
        *err = xasprintf("%s: cannot open the migrations folder: %s", dir, strerror(errno));
        return NULL;
    }
    while ((e = readdir(d)) != NULL) {
        int version;
        if (!migration_name_ok(e->d_name, &version))
            continue;
        list = xreallocarray(list, n + 1, sizeof(*list));
        list[n].version = version;
        list[n].name = xstrdup(e->d_name);
        list[n].path = xasprintf("%s/%s", dir, e->d_name);
        n++;
    }
    closedir(d);
    qsort(list, n, sizeof(*list), migration_cmp);
    for (size_t i = 1; i < n; i++) {
        if (list[i].version == list[i - 1].version) {
            *err = xasprintf("%s: two migrations share number %04d: %s and %s", dir,
                             list[i].version, list[i - 1].name, list[i].name);
            for (size_t j = 0; j < n; j++) {
                free(list[j].name);
                free(list[j].path);
            }
            free(list);
            return NULL;
        }
    }
    *count = n;
    return list;
}

static char *migration_read(const char *path, size_t *len, char **err)
{
    FILE *f = fopen(path, "rb");
    struct strbuf sb = STRBUF_INIT;
    char buf[8192];
    size_t got;

    if (f == NULL) {
        *err = xasprintf("%s: %s", path, strerror(errno));
        return NULL;
    }
    while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
        strbuf_add(&sb, buf, got);
    if (ferror(f)) {
        *err = xasprintf("%s: read error", path);
        fclose(f);
        strbuf_free(&sb);
        return NULL;
    }
    fclose(f);
    *len = sb.len;
    return strbuf_detach(&sb);
}

static bool migrate_exec(struct db *db, const char *sql, char **err)
{
    struct db_error e = { 0 };

    if (db_exec_script(db, sql, &e))
        return true;
    *err = xasprintf("%s%s%s", e.message, e.detail[0] ? " " : "", e.detail);
    db_error_clear(&e);
    return false;
}

/* The lock and client_min_messages below belong to the session: through a
 * transaction pooler they would stay on a server connection lent to others
 * while the migrations run on another, so a pooled connection is refused. */
static bool migrate_direct(struct db *db, char **err)
{
    struct db_error e = { 0 };
    PGresult *res = db_exec(db, sql_backend, 0, NULL, &e);
    bool direct;

    if (res == NULL) {
        *err = xstrdup(e.message);
        db_error_clear(&e);
        return false;
    }
    direct = db_backend_direct(db_conn(db), db_value(res, 0, 0));
    PQclear(res);
    if (!direct)
        *err = xstrdup("db migrate needs a direct connection to PostgreSQL ([database] "
                       "owner), not one through a connection pooler");
    return direct;
}

/* Applies one file in its own transaction; nothing of it stays on failure. */
static bool migrate_apply(struct db *db, const struct migration *m, const char *sql,
                          const char *sum, char **err)
{
    char version[16];
    const char *params[3] = { version, m->name, sum };
    struct db_error e = { 0 };
    PGresult *res;
    char *why = NULL;

    snprintf(version, sizeof(version), "%d", m->version);
    if (!migrate_exec(db, "BEGIN", err))
        return false;
    if (!migrate_exec(db, sql, &why))
        goto fail;
    res = db_exec(db, sql_record, 3, params, &e);
    if (res == NULL) {
        why = xstrdup(e.message);
        db_error_clear(&e);
        goto fail;
    }
    PQclear(res);
    return migrate_exec(db, "COMMIT", err);
fail:
    migrate_exec(db, "ROLLBACK", err);
    free(*err);
    *err = xasprintf("migration %s failed and was rolled back: %s", m->name, why);
    free(why);
    return false;
}

/* Checks every applied migration against its file. */
static bool migrate_verify(PGresult *applied, struct migration *list, size_t n, char **err)
{
    for (int r = 0; r < PQntuples(applied); r++) {
        int version = atoi(PQgetvalue(applied, r, 0));
        const struct migration *m = NULL;
        for (size_t i = 0; i < n; i++)
            if (list[i].version == version)
                m = &list[i];
        if (m == NULL) {
            *err = xasprintf("migration %04d (%s) is applied but its file is missing", version,
                             PQgetvalue(applied, r, 1));
            return false;
        }
        size_t len;
        char sum[65];
        char *sql = migration_read(m->path, &len, err);
        if (sql == NULL)
            return false;
        migrate_checksum(sql, len, sum);
        free(sql);
        if (strcmp(sum, PQgetvalue(applied, r, 2)) != 0) {
            *err = xasprintf("%s has changed since it was applied (checksum %.12s…, "
                             "recorded %.12s…): refusing to migrate. Write a new migration "
                             "instead of editing an applied one.",
                             m->path, sum, PQgetvalue(applied, r, 2));
            return false;
        }
    }
    return true;
}

static bool migrate_is_applied(PGresult *applied, int version)
{
    for (int r = 0; r < PQntuples(applied); r++)
        if (atoi(PQgetvalue(applied, r, 0)) == version)
            return true;
    return false;
}

bool migrate_run(struct db *db, const char *dir, FILE *out, struct migrate_report *rep,
                 char **err)
{
    size_t n = 0;
    struct migration *list;
    PGresult *applied = NULL;
    struct db_error e = { 0 };
    bool ok = false;

    memset(rep, 0, sizeof(*rep));
    if (sodium_init() < 0)
        fatal("libsodium could not be initialised");
    list = migration_list(dir, &n, err);
    if (list == NULL)
        return false;
    if (!migrate_direct(db, err) ||
        !migrate_exec(db, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err))
        goto out;
    if (!migrate_exec(db, "SET client_min_messages = warning", err) ||
        !migrate_exec(db, sql_prepare, err))
        goto unlock;
    applied = db_exec(db, sql_applied, 0, NULL, &e);
    if (applied == NULL) {
        *err = xstrdup(e.message);
        goto unlock;
    }
    if (!migrate_verify(applied, list, n, err))
        goto unlock;
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char sum[65];
        char *sql;

        if (migrate_is_applied(applied, list[i].version)) {
            rep->present++;
            continue;
        }
        sql = migration_read(list[i].path, &len, err);
        if (sql == NULL)
            goto unlock;
        migrate_checksum(sql, len, sum);
        if (out != NULL)
            fprintf(out, "applying %s\n", list[i].name);
        bool applied_ok = migrate_apply(db, &list[i], sql, sum, err);
        free(sql);
        if (!applied_ok)
            goto unlock;
        rep->applied++;
    }
    ok = true;
unlock:
    if (db_ok(db)) {
        char *ignore = NULL;
        migrate_exec(db, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", &ignore);
        free(ignore);
    }
out:
    db_error_clear(&e);
    PQclear(applied);
    for (size_t i = 0; i < n; i++) {
        free(list[i].name);
        free(list[i].path);
    }
    free(list);
    return ok;
}
