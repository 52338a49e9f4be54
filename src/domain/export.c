/* CSV and JSON come from PostgreSQL (json_agg, and kontor.csv_from_json for
 * RFC 4180 quoting), so a hostile value cannot break the format; text is
 * laid out here with every value made visible-safe first. */
#include "kontor/export.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/strbuf.h"
#include "kontor/text.h"
#include "kontor/xalloc.h"

bool export_format_parse(const char *name, enum export_format *out)
{
    static const struct {
        const char *name;
        enum export_format fmt;
    } formats[] = { { "text", EXPORT_TEXT }, { "csv", EXPORT_CSV }, { "json", EXPORT_JSON } };

    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
        if (strcmp(name, formats[i].name) == 0) {
            *out = formats[i].fmt;
            return true;
        }
    }
    return false;
}

void export_text(const PGresult *res, FILE *out)
{
    int rows = PQntuples(res), cols = PQnfields(res);
    int *width = xcalloc((size_t)cols + 1, sizeof(*width));

    for (int c = 0; c < cols; c++) {
        width[c] = text_width(PQfname(res, c));
        for (int r = 0; r < rows; r++) {
            char *s = text_sanitize(db_value(res, r, c));
            int w = text_width(s);
            if (w > width[c])
                width[c] = w;
            free(s);
        }
        if (width[c] > 60)
            width[c] = 60;
    }
    for (int r = -1; r < rows; r++) {
        for (int c = 0; c < cols; c++) {
            const char *v = r < 0 ? PQfname(res, c) : db_value(res, r, c);
            char *cell = text_fit(v, width[c], TEXT_ALIGN_LEFT);
            fprintf(out, "%s%s", c ? "  " : "", cell);
            free(cell);
        }
        fputc('\n', out);
    }
    free(width);
}

/* The CSV header needs the column names even when there are no rows, so a
 * first statement describes the query (LIMIT 0) and the names travel as
 * parameters of the second, which PostgreSQL turns into CSV. */
static bool export_csv(struct db *db, const struct db_session *s, const char *query,
                       int nparams, const char *const *params, FILE *out, struct db_error *err)
{
    char *describe = xasprintf("SELECT * FROM (%s) q LIMIT 0", query);
    struct db_stmt st = DB_STMT(describe, nparams, params);
    bool ok = db_run_tx(db, s, &st, 1, err);

    free(describe);
    if (!ok)
        return false;
    int ncols = PQnfields(st.res);
    const char **all = xcalloc((size_t)(nparams + ncols) + 1, sizeof(*all));
    struct strbuf sql = STRBUF_INIT;

    for (int i = 0; i < nparams; i++)
        all[i] = params[i];
    strbuf_addstr(&sql, "SELECT kontor.csv_from_json(coalesce(json_agg(q), '[]'::json)");
    for (int c = 0; c < ncols; c++) {
        all[nparams + c] = PQfname(st.res, c);
        strbuf_addf(&sql, ", $%d", nparams + c + 1);
    }
    strbuf_addf(&sql, ") FROM (%s) q", query);
    struct db_stmt body = DB_STMT(strbuf_str(&sql), nparams + ncols, all);
    ok = db_run_tx(db, s, &body, 1, err);
    if (ok)
        fputs(db_value(body.res, 0, 0), out);
    db_stmts_clear(&body, 1);
    db_stmts_clear(&st, 1);
    strbuf_free(&sql);
    free(all);
    return ok;
}

bool export_query(struct db *db, const struct db_session *s, const char *query, int nparams,
                  const char *const *params, enum export_format fmt, FILE *out,
                  struct db_error *err)
{
    char *sql;
    bool ok;

    if (fmt == EXPORT_CSV)
        return export_csv(db, s, query, nparams, params, out, err);
    if (fmt == EXPORT_JSON)
        sql = xasprintf("SELECT coalesce(json_agg(q), '[]'::json) FROM (%s) q", query);
    else
        sql = xstrdup(query);
    struct db_stmt st = DB_STMT(sql, nparams, params);
    ok = db_run_tx(db, s, &st, 1, err);
    if (ok) {
        if (fmt == EXPORT_TEXT)
            export_text(st.res, out);
        else
            fprintf(out, "%s\n", db_value(st.res, 0, 0));
    }
    db_stmts_clear(&st, 1);
    free(sql);
    return ok;
}

/* ---- files -------------------------------------------------------------- */

static bool write_all(int fd, const char *text, char **err)
{
    size_t len = strlen(text), done = 0;

    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            *err = xasprintf("cannot write: %s", strerror(errno));
            return false;
        }
        done += (size_t)w;
    }
    /* Text files end in a newline: one is added when the text has none. */
    if ((len > 0 && text[len - 1] != '\n' && write(fd, "\n", 1) != 1) || fsync(fd) != 0) {
        *err = xasprintf("cannot write: %s", strerror(errno));
        return false;
    }
    return true;
}

/* A finished file next to path, then renamed over it. */
static bool write_replace(const char *path, const char *text, char **err)
{
    const char *slash = strrchr(path, '/');
    char *tmp = slash != NULL ? xasprintf("%.*s/.kontor-export-XXXXXX", (int)(slash - path), path)
                              : xstrdup(".kontor-export-XXXXXX");
    int fd = mkstemp(tmp);
    bool ok;

    if (fd < 0) {
        *err = xasprintf("cannot write next to %s: %s", path, strerror(errno));
        free(tmp);
        return false;
    }
    ok = fchmod(fd, 0600) == 0 && write_all(fd, text, err);
    if (close(fd) != 0 && ok) {
        *err = xasprintf("cannot write %s: %s", path, strerror(errno));
        ok = false;
    }
    if (ok && rename(tmp, path) != 0) {
        *err = xasprintf("cannot replace %s: %s", path, strerror(errno));
        ok = false;
    }
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok;
}

static char *export_path(const char *path)
{
    if (strncmp(path, "~/", 2) == 0 && getenv("HOME") != NULL)
        return xasprintf("%s/%s", getenv("HOME"), path + 2);
    return xstrdup(path);
}

bool export_file_exists(const char *path)
{
    struct stat st;
    char *full = export_path(path != NULL ? path : "");
    bool there = full[0] != '\0' && lstat(full, &st) == 0;

    free(full);
    return there;
}

enum export_write_result export_file_write(const char *path, const char *text, bool overwrite,
                                           char **err)
{
    struct stat st;
    char *full;
    int fd;
    enum export_write_result res = EXPORT_WRITE_FAILED;

    *err = NULL;
    if (path == NULL || path[strspn(path, " \t")] == '\0') {
        *err = xstrdup("no file name given");
        return EXPORT_WRITE_FAILED;
    }
    full = export_path(path);
    if (lstat(full, &st) == 0) {
        if (S_ISLNK(st.st_mode))
            *err = xasprintf("%s is a symbolic link: nothing was written", full);
        else if (!S_ISREG(st.st_mode))
            *err = xasprintf("%s is not a regular file: nothing was written", full);
        else if (!overwrite)
            res = EXPORT_WRITE_EXISTS;
        else if (write_replace(full, text, err))
            res = EXPORT_WRITE_OK;
        free(full);
        return res;
    }
    fd = open(full, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST && !overwrite)
            res = EXPORT_WRITE_EXISTS;
        else
            *err = xasprintf("cannot create %s: %s", full, strerror(errno));
        free(full);
        return res;
    }
    if (fchmod(fd, 0600) == 0 && write_all(fd, text, err))
        res = EXPORT_WRITE_OK;
    else if (*err == NULL)
        *err = xasprintf("cannot write %s: %s", full, strerror(errno));
    if (close(fd) != 0 && res == EXPORT_WRITE_OK) {
        *err = xasprintf("cannot write %s: %s", full, strerror(errno));
        res = EXPORT_WRITE_FAILED;
    }
    if (res != EXPORT_WRITE_OK)
        unlink(full);
    free(full);
    return res;
}
