/* CSV and JSON come from PostgreSQL (json_agg, and kontor.csv_from_json for
 * RFC 4180 quoting), so a hostile value cannot break the format; text is
 * laid out here with every value made visible-safe first. */
#include "kontor/export.h"

#include <stdlib.h>
#include <string.h>

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
