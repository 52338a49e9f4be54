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

#endif
