/* Staff accounts: creation, passwords, unlocking and listing, through the
 * database's staff functions (which audit every change). A NULL session
 * means the database owner's connection: only for the first admin. */
#ifndef KONTOR_STAFF_H
#define KONTOR_STAFF_H

#include <stdbool.h>
#include <stdio.h>

#include "kontor/db.h"
#include "kontor/export.h"

struct staff_new {
    const char *username;
    const char *display_name;
    const char *role;          /* clerk, service, manager, admin */
    const char *location_code; /* home location, e.g. "HB-01"; may be NULL */
    bool must_change_password;
};

/* password is wiped. Returns the new staff id, or 0 with err set. */
long long staff_add(struct db *db, const struct db_session *s, const struct staff_new *n,
                    char *password, struct db_error *err);
bool staff_set_password(struct db *db, const struct db_session *s, const char *username,
                        char *password, bool must_change, struct db_error *err);
bool staff_unlock(struct db *db, const struct db_session *s, const char *username,
                  struct db_error *err);
/* Whether an active admin exists (owner connection). */
bool staff_admin_exists(struct db *db, bool *exists, struct db_error *err);
bool staff_list(struct db *db, const struct db_session *s, enum export_format fmt, FILE *out,
                struct db_error *err);

/* Statements for the console (run with tui_query). Page params: [0] how
 * ("first", "last", "after", "before", "from"), [1] filter text, [2] the
 * boundary user name, [3] limit. Columns: user, name, role, location, state,
 * failures, last sign-in, then the key (user name). */
#define STAFF_PAGE_COLUMNS 7
struct db_stmt staff_page_stmt(const char *const params[4]);
/* params as staff_add: user, name, role, location code, hash, must change. */
struct db_stmt staff_add_stmt(const char *const params[6]);
struct db_stmt staff_unlock_stmt(const char *const params[1]);

#endif
