/* Non-blocking statements for the console's poll() loop: the same pipelined
 * transaction as db_run_tx, driven step by step when the socket is ready,
 * cancellable, with the time since it started for a spinner. */
#ifndef KONTOR_DB_ASYNC_H
#define KONTOR_DB_ASYNC_H

#include <stdbool.h>
#include <stddef.h>

#include "kontor/db.h"

enum db_async_status {
    DB_ASYNC_BUSY,   /* call db_async_step again when db_async_fd is ready */
    DB_ASYNC_DONE,   /* committed; results are in stmts[i].res */
    DB_ASYNC_FAILED, /* nothing kept; err says why */
};

struct db_async;

/* Starts stmts as one transaction (BEGIN; role and timeout; session_begin;
 * stmts; COMMIT) like db_run_tx, including its retries of serialization
 * failures. stmts and the params they point to must stay valid until the
 * step returns DONE or FAILED (a retry sends them again); session is copied.
 * A lost connection is re-established without blocking first. Only one
 * operation may run on a connection at a time, and no blocking db_* call
 * meanwhile. Returns NULL with err filled when it cannot start. */
struct db_async *db_async_start(struct db *db, const struct db_session *session,
                                struct db_stmt *stmts, size_t n, struct db_error *err);
/* One statement as db_exec runs it (its own implicit transaction, or the
 * caller's open one; no retries). The result lands in stmt->res. */
struct db_async *db_async_start_exec(struct db *db, struct db_stmt *stmt, struct db_error *err);

/* The socket to poll (POLLIN, plus POLLOUT while db_async_want_write); it
 * may change while a lost connection is being re-established. */
int db_async_fd(const struct db_async *a);
bool db_async_want_write(const struct db_async *a);
/* Reads and sends what it can without blocking. After FAILED, err (if not
 * NULL) is filled; DONE and FAILED are final and repeat on further calls. */
enum db_async_status db_async_step(struct db_async *a, struct db_error *err);
/* Asks the server to stop (a short blocking cancel request); keep stepping:
 * the operation then fails with DB_ERR_CANCELED, or is DONE if it finished
 * first. The connection stays usable. */
void db_async_cancel(struct db_async *a);
/* Milliseconds since db_async_start (show a spinner after ~150 ms). */
long db_async_elapsed_ms(const struct db_async *a);
/* Frees the handle; an unfinished operation is cancelled and drained
 * first (blocking, bounded by the server answering the cancel). */
void db_async_free(struct db_async *a);

/* Runs a started operation to its end, blocking in poll(): how db_run_tx
 * and db_exec use the same machinery. True when DONE. */
bool db_async_wait(struct db_async *a, struct db_error *err);

#endif
