/* LISTEN/NOTIFY on a dedicated connection (a transaction pooler cannot
 * carry LISTEN): a socket for the console's poll() loop, a drain that hands
 * every notification to a callback, and non-blocking reconnects. */
#ifndef KONTOR_DB_LISTEN_H
#define KONTOR_DB_LISTEN_H

#include <stdbool.h>
#include <stddef.h>

struct config;

enum db_listen_state {
    DB_LISTEN_CONNECTED,    /* listening */
    DB_LISTEN_RECONNECTING, /* lost; retried at most every DB_LISTEN_RETRY_MS */
};

#define DB_LISTEN_RETRY_MS 2000

/* channel and payload are valid during the call only. */
typedef void (*db_listen_fn)(void *arg, const char *channel, const char *payload);

struct db_listen;

/* Connects (blocking, once) and LISTENs to channels (identifiers, quoted
 * here). Uses [database] listen when set (a direct connection that bypasses
 * a pooler), else [database] conninfo, as [database] login_user. NULL with
 * *err (caller frees) on failure, also when the connection goes through a
 * pooler (LISTEN would stay behind on a server connection lent to others). */
struct db_listen *db_listen_open(const struct config *cfg, const char *const *channels,
                                 size_t n, char **err);
/* The same from an explicit conninfo; user may be NULL. */
struct db_listen *db_listen_open_conninfo(const char *conninfo, const char *user,
                                          const char *const *channels, size_t n, char **err);
void db_listen_close(struct db_listen *l);

/* The socket to poll for POLLIN (plus POLLOUT when db_listen_want_write),
 * or -1 while waiting to retry a lost connection. It changes on reconnect. */
int db_listen_fd(const struct db_listen *l);
bool db_listen_want_write(const struct db_listen *l);
/* Milliseconds until db_listen_drain should be called even without socket
 * activity (a retry or a connect deadline is due), or -1: no need. */
int db_listen_timeout_ms(const struct db_listen *l);
enum db_listen_state db_listen_state(const struct db_listen *l);

/* Call when the socket is ready or the timeout passed: reads without
 * blocking, calls fn for every notification, and drives reconnecting.
 * Returns the number of notifications delivered. */
int db_listen_drain(struct db_listen *l, db_listen_fn fn, void *arg);
/* True once after each reconnect: notifications sent while the connection
 * was down are lost, so reload what is on screen. */
bool db_listen_resumed(struct db_listen *l);

#endif
