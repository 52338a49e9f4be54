/* Sign-in, password change and sign-out against the database's
 * authentication functions; the hash is verified here with libsodium. */
#include "kontor/auth.h"

#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "kontor/xalloc.h"

static const char sql_begin[] =
    "SELECT staff_id, password_hash, locked_until > now(), active "
    "FROM kontor.auth_begin($1)";

static const char sql_finish[] =
    "SELECT result, token, staff_id, role, display_name, home_location_id, "
    "must_change_password FROM kontor.auth_finish($1, $2, $3)";

static const char sql_set_own[] = "SELECT kontor.staff_set_own_password($1)";
static const char sql_rehash_own[] = "SELECT kontor.staff_rehash_own($1)";
static const char sql_end[] = "SELECT kontor.session_end($1)";
static const char sql_location[] = "SELECT code, name FROM kontor.location WHERE id = $1";

static void auth_init(void)
{
    if (sodium_init() < 0)
        fatal("libsodium could not be initialised");
}

const char *auth_result_message(enum auth_result r)
{
    static const char *const msg[] = {
        [AUTH_OK] = "Signed in.",
        [AUTH_WRONG] = "Wrong user name or password.",
        [AUTH_LOCKED] = "This account is locked after too many failed sign-ins. "
                        "Try again in 15 minutes or ask an administrator to unlock it.",
        [AUTH_INACTIVE] = "This account is deactivated. Ask an administrator.",
        [AUTH_ERROR] = "Sign-in failed because of a database problem.",
    };
    return msg[r];
}

char *auth_hash_password(const char *password, char **err)
{
    char hash[crypto_pwhash_STRBYTES];

    auth_init();
    if (strlen(password) < AUTH_MIN_PASSWORD) {
        *err = xasprintf("A password needs at least %d characters.", AUTH_MIN_PASSWORD);
        return NULL;
    }
    if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        fatal("out of memory hashing a password");
    return xstrdup(hash);
}

/* Spends the same effort as a real check, so that timing does not tell
 * whether a user name exists. */
static void auth_dummy_verify(const char *password)
{
    static char dummy[crypto_pwhash_STRBYTES];

    if (dummy[0] == '\0') {
        char random_pw[33];
        randombytes_buf(random_pw, 16);
        sodium_bin2hex(random_pw, sizeof(random_pw), (unsigned char *)random_pw, 16);
        if (crypto_pwhash_str(dummy, random_pw, strlen(random_pw),
                              crypto_pwhash_OPSLIMIT_INTERACTIVE,
                              crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
            return;
    }
    if (crypto_pwhash_str_verify(dummy, password, strlen(password)) == 0)
        dummy[0] = '\0'; /* unreachable in practice: a random password matched */
}

static enum auth_result auth_result_parse(const char *s)
{
    if (strcmp(s, "ok") == 0)
        return AUTH_OK;
    if (strcmp(s, "locked") == 0)
        return AUTH_LOCKED;
    if (strcmp(s, "inactive") == 0)
        return AUTH_INACTIVE;
    return AUTH_WRONG;
}

static void auth_fill_identity(PGresult *res, const char *username, struct auth_identity *id)
{
    memset(id, 0, sizeof(*id));
    snprintf(id->session.token, sizeof(id->session.token), "%s", db_value(res, 0, 1));
    id->session.staff_id = db_value_ll(res, 0, 2);
    if (!db_role_parse(db_value(res, 0, 3), &id->session.role))
        id->session.role = DB_ROLE_CLERK;
    snprintf(id->username, sizeof(id->username), "%s", username);
    snprintf(id->display_name, sizeof(id->display_name), "%s", db_value(res, 0, 4));
    id->home_location_id = db_value_ll(res, 0, 5);
    id->must_change_password = strcmp(db_value(res, 0, 6), "t") == 0;
}

/* The home location's code and name, for titles and default lists. */
static void auth_load_location(struct db *db, struct auth_identity *id)
{
    char loc[32];
    const char *p[1] = { loc };
    struct db_stmt st = DB_STMT(sql_location, 1, p);

    if (id->home_location_id == 0)
        return;
    snprintf(loc, sizeof(loc), "%lld", id->home_location_id);
    if (!db_run_tx(db, &id->session, &st, 1, NULL))
        return;
    if (PQntuples(st.res) == 1) {
        snprintf(id->location_code, sizeof(id->location_code), "%s", db_value(st.res, 0, 0));
        snprintf(id->location_name, sizeof(id->location_name), "%s", db_value(st.res, 0, 1));
    }
    db_stmts_clear(&st, 1);
}

/* Upgrades the stored hash when libsodium's parameters have changed. */
static void auth_maybe_rehash(struct db *db, struct auth_identity *id, const char *hash,
                              const char *password)
{
    if (crypto_pwhash_str_needs_rehash(hash, crypto_pwhash_OPSLIMIT_INTERACTIVE,
                                       crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0)
        return;
    char hashed[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hashed, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return;
    const char *p[1] = { hashed };
    struct db_stmt st = DB_STMT(sql_rehash_own, 1, p);
    if (db_run_tx(db, &id->session, &st, 1, NULL))
        db_stmts_clear(&st, 1);
}

enum auth_result auth_sign_in(struct db *db, const char *username, char *password,
                              const char *client, struct auth_identity *id,
                              struct db_error *err)
{
    const char *pb[1] = { username };
    enum auth_result result = AUTH_ERROR;
    PGresult *begin, *finish;
    bool ok = false;
    char *hash = NULL;

    auth_init();
    begin = db_exec(db, sql_begin, 1, pb, err);
    if (begin == NULL)
        goto out;
    if (PQntuples(begin) == 1 && !db_is_null(begin, 0, 1)) {
        hash = xstrdup(db_value(begin, 0, 1));
        ok = crypto_pwhash_str_verify(hash, password, strlen(password)) == 0;
    } else {
        auth_dummy_verify(password);
    }
    PQclear(begin);
    const char *pf[3] = { username, ok ? "true" : "false", client ? client : "console" };
    finish = db_exec(db, sql_finish, 3, pf, err);
    if (finish == NULL || PQntuples(finish) != 1) {
        if (finish != NULL)
            db_error_set(err, DB_ERR_OTHER, "The database gave no sign-in answer.");
        PQclear(finish);
        goto out;
    }
    result = auth_result_parse(db_value(finish, 0, 0));
    if (result == AUTH_OK) {
        auth_fill_identity(finish, username, id);
        auth_maybe_rehash(db, id, hash, password);
        auth_load_location(db, id);
    }
    PQclear(finish);
out:
    if (hash != NULL) {
        sodium_memzero(hash, strlen(hash));
        free(hash);
    }
    sodium_memzero(password, strlen(password));
    return result;
}

bool auth_change_password(struct db *db, struct auth_identity *id, char *new_password,
                          struct db_error *err)
{
    char *why = NULL;
    char *hash = auth_hash_password(new_password, &why);
    bool ok;

    sodium_memzero(new_password, strlen(new_password));
    if (hash == NULL) {
        db_error_set(err, DB_ERR_INPUT, "%s", why);
        free(why);
        return false;
    }
    const char *p[1] = { hash };
    struct db_stmt st = DB_STMT(sql_set_own, 1, p);
    ok = db_run_tx(db, &id->session, &st, 1, err);
    db_stmts_clear(&st, 1);
    sodium_memzero(hash, strlen(hash));
    free(hash);
    if (ok)
        id->must_change_password = false;
    return ok;
}

void auth_sign_out(struct db *db, struct auth_identity *id)
{
    if (id->session.token[0] != '\0' && db != NULL && db_ok(db)) {
        const char *p[1] = { id->session.token };
        PGresult *res = db_exec(db, sql_end, 1, p, NULL);
        PQclear(res);
    }
    sodium_memzero(id->session.token, sizeof(id->session.token));
    id->session.staff_id = 0;
}

char *auth_read_password(const char *prompt)
{
    int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    struct termios old, quiet;
    char buf[512];
    ssize_t n;

    if (fd < 0)
        return NULL;
    if (tcgetattr(fd, &old) != 0) {
        close(fd);
        return NULL;
    }
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
    quiet.c_lflag |= ICANON;
    (void)!write(fd, prompt, strlen(prompt));
    tcsetattr(fd, TCSAFLUSH, &quiet);
    n = read(fd, buf, sizeof(buf) - 1);
    tcsetattr(fd, TCSAFLUSH, &old);
    (void)!write(fd, "\n", 1);
    close(fd);
    if (n < 0)
        n = 0;
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    char *pw = xstrdup(buf);
    sodium_memzero(buf, sizeof(buf));
    return pw;
}
