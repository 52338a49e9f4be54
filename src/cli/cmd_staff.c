/* `kontor staff add|passwd|unlock|list`: staff accounts from scripts. Every
 * command signs in as an admin, except creating the first admin, which
 * uses the database owner's connection while no active admin exists. */
#include <getopt.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/cli.h"
#include "kontor/staff.h"
#include "kontor/xalloc.h"

/* Opens the connection the command runs on: signed in (session set), or
 * the owner's when no admin exists yet and no sign-in was asked for. */
static int staff_connect(struct cli *cli, bool allow_first_admin, struct db **owner,
                         const struct db_session **session)
{
    const char *batch_user = config_get(cli->cfg, "batch", "user");
    bool want_sign_in = cli->user != NULL || (batch_user != NULL && batch_user[0] != '\0');
    struct db_error err = { 0 };
    char *msg = NULL;
    bool exists = true;

    *owner = NULL;
    *session = NULL;
    if (want_sign_in || !allow_first_admin) {
        int st = cli_sign_in(cli);
        if (st != CLI_OK)
            return st;
        if (cli->id.session.role != DB_ROLE_ADMIN) {
            fprintf(stderr, "kontor: staff accounts are managed by admins; %s is %s\n",
                    cli->id.username, db_role_name(cli->id.session.role));
            return CLI_FAILED;
        }
        *session = &cli->id.session;
        return CLI_OK;
    }
    *owner = db_open(cli->cfg, DB_TARGET_OWNER, &msg);
    if (*owner == NULL) {
        fprintf(stderr, "kontor: %s\n", msg);
        free(msg);
        return CLI_FAILED;
    }
    if (!staff_admin_exists(*owner, &exists, &err))
        return cli_fail(&err);
    if (exists) {
        fprintf(stderr, "kontor: an admin account exists: sign in as an admin with --user NAME\n");
        return CLI_USAGE;
    }
    return CLI_OK;
}

static struct db *staff_db(struct cli *cli, struct db *owner)
{
    return owner != NULL ? owner : cli->db;
}

int cmd_staff_add(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        { "role", required_argument, NULL, 'r' },
        { "name", required_argument, NULL, 'n' },
        { "location", required_argument, NULL, 'l' },
        { "password-file", required_argument, NULL, 'p' },
        { "no-password-change", no_argument, NULL, 'k' },
        { NULL, 0, NULL, 0 },
    };
    struct staff_new n = { .must_change_password = true };
    const char *pwfile = NULL;
    bool keep = false;
    struct db_error err = { 0 };
    struct db *owner;
    const struct db_session *session;
    char *msg = NULL;
    int c, st;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r': n.role = optarg; break;
        case 'n': n.display_name = optarg; break;
        case 'l': n.location_code = optarg; break;
        case 'p': pwfile = optarg; break;
        case 'k': keep = true; break;
        default: return CLI_USAGE;
        }
    }
    if (optind + 1 != argc || n.role == NULL || n.display_name == NULL) {
        fprintf(stderr, "usage: kontor staff add USERNAME --role ROLE --name \"Full Name\" "
                        "[--location CODE] [--password-file F] [--no-password-change]\n");
        return CLI_USAGE;
    }
    n.username = argv[optind];
    st = staff_connect(cli, strcmp(n.role, "admin") == 0, &owner, &session);
    if (st != CLI_OK) {
        db_close(owner);
        return st;
    }
    /* The first admin sets their own password; others change it at first sign-in. */
    n.must_change_password = !keep && owner == NULL;
    char *pw = cli_new_password(pwfile, &msg);
    if (pw == NULL) {
        fprintf(stderr, "kontor: %s\n", msg);
        free(msg);
        db_close(owner);
        return CLI_FAILED;
    }
    long long id = staff_add(staff_db(cli, owner), session, &n, pw, &err);
    free(pw);
    db_close(owner);
    if (id == 0) {
        st = cli_fail(&err);
        db_error_clear(&err);
        return st;
    }
    printf("kontor: staff account %s created (id %lld, role %s)%s\n", n.username, id, n.role,
           n.must_change_password ? "; the password must be changed at first sign-in" : "");
    return CLI_OK;
}

int cmd_staff_passwd(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        { "password-file", required_argument, NULL, 'p' },
        { "keep", no_argument, NULL, 'k' },
        { NULL, 0, NULL, 0 },
    };
    const char *pwfile = NULL;
    bool keep = false;
    struct db_error err = { 0 };
    struct db *owner;
    const struct db_session *session;
    char *msg = NULL;
    int c, st;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'p')
            pwfile = optarg;
        else if (c == 'k')
            keep = true;
        else
            return CLI_USAGE;
    }
    if (optind + 1 != argc) {
        fprintf(stderr, "usage: kontor staff passwd USERNAME [--password-file F] [--keep]\n");
        return CLI_USAGE;
    }
    st = staff_connect(cli, false, &owner, &session);
    if (st != CLI_OK)
        return st;
    char *pw = cli_new_password(pwfile, &msg);
    if (pw == NULL) {
        fprintf(stderr, "kontor: %s\n", msg);
        free(msg);
        return CLI_FAILED;
    }
    bool ok = staff_set_password(cli->db, session, argv[optind], pw, !keep, &err);
    free(pw);
    if (!ok) {
        st = cli_fail(&err);
        db_error_clear(&err);
        return st;
    }
    printf("kontor: password of %s set%s\n", argv[optind],
           keep ? "" : "; it must be changed at the next sign-in");
    return CLI_OK;
}

int cmd_staff_unlock(struct cli *cli, int argc, char **argv)
{
    struct db_error err = { 0 };
    struct db *owner;
    const struct db_session *session;
    int st;

    if (argc != 2) {
        fprintf(stderr, "usage: kontor staff unlock USERNAME\n");
        return CLI_USAGE;
    }
    st = staff_connect(cli, false, &owner, &session);
    if (st != CLI_OK)
        return st;
    if (!staff_unlock(cli->db, session, argv[1], &err)) {
        st = cli_fail(&err);
        db_error_clear(&err);
        return st;
    }
    printf("kontor: %s unlocked\n", argv[1]);
    return CLI_OK;
}

int cmd_staff_list(struct cli *cli, int argc, char **argv)
{
    struct db_error err = { 0 };
    struct db *owner;
    const struct db_session *session;
    int st;

    if (argc != 1) {
        fprintf(stderr, "usage: kontor staff list [--format text|csv|json]\n");
        return CLI_USAGE;
    }
    st = staff_connect(cli, false, &owner, &session);
    if (st != CLI_OK)
        return st;
    if (!staff_list(cli->db, session, cli->fmt, stdout, &err)) {
        st = cli_fail(&err);
        db_error_clear(&err);
        return st;
    }
    return CLI_OK;
}
