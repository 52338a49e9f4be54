/* Report statements on a read replica: [database] reports names a second
 * connection (with target_session_attrs=standby or prefer-standby as the
 * site likes). A report runs there as a READ ONLY staff transaction in one
 * round trip, with a probe of how far the replica is behind. When the
 * replica cannot be reached, is further behind than [database]
 * reports_max_lag_ms, or does not know the session yet (a sign-in it has not
 * replayed), the caller runs the same statements on the primary and tells
 * people why. Writes never come here. */
#ifndef KONTOR_DB_REPORTS_H
#define KONTOR_DB_REPORTS_H

#include <stdbool.h>
#include <stddef.h>

#include "kontor/db.h"

/* A replica that could not be reached is left alone this long: reports go
 * straight to the primary meanwhile. */
#define DB_REPORTS_RETRY_MS 3000
/* Connecting gives up after connect_timeout of [database] reports, or this. */
#define DB_REPORTS_CONNECT_MS 3000

enum db_report_status {
    DB_REPORT_BUSY,    /* call db_report_step again when db_report_fd is ready */
    DB_REPORT_DONE,    /* the results are in the caller's stmts[i].res */
    DB_REPORT_PRIMARY, /* run the statements on the primary; the origin says why */
    DB_REPORT_FAILED,  /* an error to show (cancelled, refused, timed out) */
};

/* Where a report's results came from. */
struct db_report_origin {
    bool replica; /* from a server in recovery */
    char why[96]; /* from the primary instead of the replica: why, for people
                     ("the replica is 42 s behind"); "" when nothing went wrong */
};

struct db_reports;
struct db_report;

/* The route of [database] reports; the connection is made by the first
 * report, without blocking. NULL with *err untouched when reports is unset
 * (everything runs on the primary, as without a replica); NULL with *err
 * (caller frees) for a bad reports_max_lag_ms or connection string. */
struct db_reports *db_reports_open(const struct config *cfg, char **err);
void db_reports_close(struct db_reports *r);

/* Starts stmts on the replica (results land in stmts[i].res on DONE only;
 * stmts and their params must stay valid until then). NULL when the replica
 * is not to be asked now: run them on the primary; origin says why. */
struct db_report *db_report_start(struct db_reports *r, const struct db_session *session,
                                  struct db_stmt *stmts, size_t n,
                                  struct db_report_origin *origin);
/* As db_async_fd / db_async_want_write; step at least every 100 ms, which
 * is how a connect that hangs is given up. */
int db_report_fd(const struct db_report *p);
bool db_report_want_write(const struct db_report *p);
/* On DONE and PRIMARY fills origin; on FAILED err. Final states repeat. */
enum db_report_status db_report_step(struct db_report *p, struct db_report_origin *origin,
                                     struct db_error *err);
/* The user's Esc: the report then FAILs with DB_ERR_CANCELED. */
void db_report_cancel(struct db_report *p);
long db_report_elapsed_ms(const struct db_report *p);
void db_report_free(struct db_report *p);

/* The whole route, blocking (batch commands, tests): on the replica when
 * it will do, else on primary as db_run_tx. r may be NULL (no replica). */
bool db_reports_run(struct db_reports *r, struct db *primary, const struct db_session *session,
                    struct db_stmt *stmts, size_t n, struct db_report_origin *origin,
                    struct db_error *err);

#endif
