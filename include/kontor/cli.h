/* Batch commands: `kontor <noun> <verb> ...`, one table of entries (as tmux's
 * cmd_entry), sharing the domain functions and the roles with the console. */
#ifndef KONTOR_CLI_H
#define KONTOR_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "kontor/auth.h"
#include "kontor/config.h"
#include "kontor/export.h"

enum cli_exit {
    CLI_OK = 0,
    CLI_FAILED = 1,  /* refused or failed: the reason is on stderr */
    CLI_USAGE = 2,   /* bad command line */
    CLI_AUTH = 3,    /* sign-in failed */
};

struct cli {
    struct config *cfg;
    const char *user;        /* --user NAME */
    enum export_format fmt;  /* --format */
    struct db *db;           /* kontor_login connection, after cli_sign_in */
    struct auth_identity id;
    bool signed_in;
};

struct cli_command {
    const char *noun;
    const char *verb;
    const char *args;
    const char *help;
    int (*run)(struct cli *cli, int argc, char **argv);
};

/* Runs `noun verb args...`; argv[0] is the noun. Returns the exit status. */
int cli_main(struct config *cfg, const char *user, const char *format, int argc, char **argv);
void cli_usage(FILE *out);

/* Signs in as --user (password from the terminal) or as [batch] user with
 * [batch] password_file. Returns CLI_OK or an exit status. */
int cli_sign_in(struct cli *cli);
/* Prints a database error to stderr; returns CLI_FAILED. */
int cli_fail(const struct db_error *err);
/* The `show` commands: argv is {verb, KEY}; build makes the detail's
 * statements, or with json its one JSON statement (made by PostgreSQL),
 * into q; they run in one transaction and print writes the text form.
 * "no <what> KEY" on stderr when the first result is empty. */
int cli_show(struct cli *cli, int argc, char **argv, const char *what, const char *usage,
             struct db_stmt *(*build)(void *q, const char *key, bool json, size_t *n), void *q,
             void (*print)(FILE *out, struct db_stmt *st));
/* "Name       value" (value shown safely) and a titled part as a text table. */
void cli_print_field(FILE *out, int width, const char *name, const char *value);
void cli_print_part(FILE *out, const char *title, const PGresult *res);
/* Reads a new password: from a file (owner-only) or twice from the terminal. */
char *cli_new_password(const char *file, char **err);

/* The commands (cmd_*.c). */
int cmd_db_migrate(struct cli *cli, int argc, char **argv);
int cmd_staff_add(struct cli *cli, int argc, char **argv);
int cmd_staff_passwd(struct cli *cli, int argc, char **argv);
int cmd_staff_unlock(struct cli *cli, int argc, char **argv);
int cmd_staff_list(struct cli *cli, int argc, char **argv);
int cmd_audit_verify(struct cli *cli, int argc, char **argv);
int cmd_order_show(struct cli *cli, int argc, char **argv);
int cmd_return_show(struct cli *cli, int argc, char **argv);
int cmd_order_list(struct cli *cli, int argc, char **argv);
int cmd_customer_show(struct cli *cli, int argc, char **argv);
int cmd_customer_export(struct cli *cli, int argc, char **argv);
int cmd_report_daily(struct cli *cli, int argc, char **argv);

#endif
