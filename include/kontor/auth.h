/* Staff sign-in: the database hands out the stored argon2id hash through a
 * SECURITY DEFINER function, libsodium verifies it here, and the database
 * records the outcome (failures, lockout, audit) and issues the session
 * token every later transaction presents. Passwords are wiped after use. */
#ifndef KONTOR_AUTH_H
#define KONTOR_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "kontor/db.h"

enum auth_result {
    AUTH_OK,
    AUTH_WRONG,    /* wrong user name or password (never says which) */
    AUTH_LOCKED,   /* too many failures: locked for a while */
    AUTH_INACTIVE, /* account deactivated */
    AUTH_ERROR,    /* database or system error: see err */
};

struct auth_identity {
    struct db_session session;
    char username[64];
    char display_name[128];
    long long home_location_id;
    char location_code[16];  /* "HB-01", "" when none */
    char location_name[64];  /* "Bremen", "" when none */
    bool must_change_password;
};

#define AUTH_MIN_PASSWORD 8

/* Verifies username/password against the database over the kontor_login
 * connection db. password is wiped (sodium_memzero) before returning,
 * whatever the outcome. On AUTH_OK *id holds the session. */
enum auth_result auth_sign_in(struct db *db, const char *username, char *password,
                              const char *client, struct auth_identity *id,
                              struct db_error *err);

/* A sentence for people about a sign-in result. */
const char *auth_result_message(enum auth_result r);

/* Hashes a new password (argon2id, libsodium's interactive limits).
 * Returns NULL and sets *err when the password is too short. */
char *auth_hash_password(const char *password, char **err);

/* Changes the signed-in member's own password (the forced change at first
 * sign-in uses it too). new_password is wiped. */
bool auth_change_password(struct db *db, struct auth_identity *id, char *new_password,
                          struct db_error *err);

/* Ends the session in the database and wipes the token. */
void auth_sign_out(struct db *db, struct auth_identity *id);

/* Reads a password from the terminal without echo; NULL when there is no
 * terminal. Caller wipes and frees. */
char *auth_read_password(const char *prompt);

#endif
