/* Output of lists for batch commands: text for people (control characters
 * shown visibly, columns aligned by display width), CSV and JSON made by
 * PostgreSQL itself, never escaped by hand. */
#ifndef KONTOR_EXPORT_H
#define KONTOR_EXPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "kontor/db.h"

enum export_format { EXPORT_TEXT, EXPORT_CSV, EXPORT_JSON };

bool export_format_parse(const char *name, enum export_format *out);

/* Runs query (a SELECT, with parameters) in one transaction as session and
 * writes its rows to out in fmt. */
bool export_query(struct db *db, const struct db_session *s, const char *query, int nparams,
                  const char *const *params, enum export_format fmt, FILE *out,
                  struct db_error *err);

/* Writes a result as an aligned text table (exposed for tests). */
void export_text(const PGresult *res, FILE *out);

/* Whether something (a file, a link, anything) is at path ("~/" expanded). */
bool export_file_exists(const char *path);

enum export_write_result {
    EXPORT_WRITE_OK,
    EXPORT_WRITE_EXISTS, /* the file exists and overwrite was not asked for */
    EXPORT_WRITE_FAILED, /* *err says why */
};
/* Writes text to path (a newline added when it does not end in one),
 * readable by its owner alone (0600), never through a symbolic link; an
 * existing file is replaced only when overwrite (then atomically, by
 * renaming a finished file over it). "~/" is the home directory. On
 * failure *err (caller frees). Privacy exports and report CSVs. */
enum export_write_result export_file_write(const char *path, const char *text, bool overwrite,
                                           char **err);

#endif
