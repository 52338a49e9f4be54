/* The batch command table and what every command shares: sign-in, errors,
 * reading passwords. Adding a command is one entry here and one function. */
#include "kontor/cli.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/text.h"
#include "kontor/xalloc.h"

static const struct cli_command cli_commands[] = {
    { .noun = "db", .verb = "migrate", .args = "[--sql-dir DIR]",
      .help = "apply new schema migrations (database owner)", .run = cmd_db_migrate },
    { .noun = "staff", .verb = "add",
      .args = "USERNAME --role ROLE --name NAME [--location CODE] [--password-file F]",
      .help = "create a staff account (the first admin: as database owner)",
      .run = cmd_staff_add },
    { .noun = "staff", .verb = "passwd", .args = "USERNAME [--password-file F] [--keep]",
      .help = "set a staff member's password (must change it at next sign-in)",
      .run = cmd_staff_passwd },
    { .noun = "staff", .verb = "unlock", .args = "USERNAME",
      .help = "unlock an account locked after failed sign-ins", .run = cmd_staff_unlock },
    { .noun = "staff", .verb = "list", .args = "[--format text|csv|json]",
      .help = "list staff accounts", .run = cmd_staff_list },
    { .noun = "order", .verb = "show", .args = "NUMBER|PICKUP-CODE|ID [--format text|json]",
      .help = "show an order: header, lines, payments, history", .run = cmd_order_show },
    { .noun = "order", .verb = "list",
      .args = "[--channel C] [--status S|open] [--fulfilment F] [--location L] [--from D] "
              "[--to D] [--text T] [--limit N] [--sort newest|oldest|total-desc|total-asc] "
              "[--format text|csv|json]",
      .help = "list orders across channels, newest first", .run = cmd_order_list },
    { .noun = "return", .verb = "show", .args = "RMA|ID [--format text|json]",
      .help = "show a return: header, lines, refunds, history", .run = cmd_return_show },
    { .noun = "customer", .verb = "show", .args = "ID [--format text|json]",
      .help = "show a customer: profile, identities, consents, counters, journey",
      .run = cmd_customer_show },
    { .noun = "customer", .verb = "export", .args = "ID --output FILE [--force]",
      .help = "privacy export: everything held about a customer as JSON (file mode 0600)",
      .run = cmd_customer_export },
    { .noun = "report", .verb = "daily",
      .args = "[--date yesterday|today|YYYY-MM-DD|DD.MM.YYYY|-N] [--channel NAME|all] "
              "[--format text|csv|json]",
      .help = "the daily channel report beside the same weekday a week before (managers)",
      .run = cmd_report_daily },
    { .noun = "audit", .verb = "verify", .args = "",
      .help = "verify the audit log's hash chain", .run = cmd_audit_verify },
};

#define N_COMMANDS (sizeof(cli_commands) / sizeof(cli_commands[0]))

void cli_usage(FILE *out)
{
    fputs("Batch commands:\n", out);
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct cli_command *c = &cli_commands[i];
        fprintf(out, "  kontor %s %s %s\n      %s\n", c->noun, c->verb, c->args, c->help);
    }
    fputs("Common options: --user NAME (sign in; asks the password), --format text|csv|json\n",
          out);
}

int cli_fail(const struct db_error *err)
{
    fprintf(stderr, "kontor: %s%s%s\n", err->message ? err->message : "failed",
            err->detail && err->detail[0] ? " " : "", err->detail ? err->detail : "");
    return CLI_FAILED;
}

static char *cli_batch_password(struct cli *cli, char **err)
{
    const char *file = config_get(cli->cfg, "batch", "password_file");

    if (cli->user == NULL && file != NULL && file[0] != '\0')
        return config_read_secret_file(file, err);
    char *prompt = xasprintf("Password for %s: ", cli->user);
    char *pw = auth_read_password(prompt);
    free(prompt);
    if (pw == NULL)
        *err = xstrdup("no terminal to ask the password on: for unattended runs set "
                       "[batch] user and password_file in the configuration");
    return pw;
}

int cli_sign_in(struct cli *cli)
{
    const char *user = cli->user;
    char *err = NULL;
    struct db_error dberr = { 0 };

    if (user == NULL) {
        user = config_get(cli->cfg, "batch", "user");
        if (user == NULL || user[0] == '\0') {
            fprintf(stderr, "kontor: this command needs a sign-in: give --user NAME, or set "
                            "[batch] user and password_file in the configuration\n");
            return CLI_USAGE;
        }
    }
    char *password = cli_batch_password(cli, &err);
    if (password == NULL) {
        fprintf(stderr, "kontor: %s\n", err);
        free(err);
        return CLI_AUTH;
    }
    cli->db = db_open(cli->cfg, DB_TARGET_CONSOLE, &err);
    if (cli->db == NULL) {
        sodium_memzero(password, strlen(password));
        free(password);
        fprintf(stderr, "kontor: %s\n", err);
        free(err);
        return CLI_FAILED;
    }
    enum auth_result r = auth_sign_in(cli->db, user, password, "batch", &cli->id, &dberr);
    free(password);
    if (r != AUTH_OK) {
        fprintf(stderr, "kontor: %s\n", r == AUTH_ERROR ? dberr.message : auth_result_message(r));
        db_error_clear(&dberr);
        return CLI_AUTH;
    }
    cli->signed_in = true;
    return CLI_OK;
}

char *cli_new_password(const char *file, char **err)
{
    if (file != NULL)
        return config_read_secret_file(file, err);
    char *a = auth_read_password("New password: ");
    if (a == NULL) {
        *err = xstrdup("no terminal to ask the new password on: use --password-file FILE");
        return NULL;
    }
    char *b = auth_read_password("Repeat it: ");
    bool same = b != NULL && strcmp(a, b) == 0;
    if (b != NULL) {
        sodium_memzero(b, strlen(b));
        free(b);
    }
    if (!same) {
        sodium_memzero(a, strlen(a));
        free(a);
        *err = xstrdup("the two passwords differ; nothing was changed");
        return NULL;
    }
    return a;
}

int cli_main(struct config *cfg, const char *user, const char *format, int argc, char **argv)
{
    struct cli cli = { .cfg = cfg, .user = user, .fmt = EXPORT_TEXT };
    int status;

    if (format != NULL && !export_format_parse(format, &cli.fmt)) {
        fprintf(stderr, "kontor: --format takes text, csv or json, not '%s'\n", format);
        return CLI_USAGE;
    }
    if (argc < 2) {
        fprintf(stderr, "kontor: '%s' needs a verb\n", argv[0]);
        cli_usage(stderr);
        return CLI_USAGE;
    }
    for (size_t i = 0; i < N_COMMANDS; i++) {
        const struct cli_command *c = &cli_commands[i];
        if (strcmp(c->noun, argv[0]) != 0 || strcmp(c->verb, argv[1]) != 0)
            continue;
        status = c->run(&cli, argc - 1, argv + 1);
        if (cli.signed_in)
            auth_sign_out(cli.db, &cli.id);
        db_close(cli.db);
        return status;
    }
    fprintf(stderr, "kontor: unknown command '%s %s'\n", argv[0], argv[1]);
    cli_usage(stderr);
    return CLI_USAGE;
}

void cli_print_field(FILE *out, int width, const char *name, const char *value)
{
    char *safe = text_sanitize(value);

    fprintf(out, "%-*s %s\n", width, name, safe);
    free(safe);
}

void cli_print_part(FILE *out, const char *title, const PGresult *res)
{
    fprintf(out, "\n%s\n", title);
    if (PQntuples(res) == 0)
        fputs("  —\n", out);
    else
        export_text(res, out);
}

int cli_show(struct cli *cli, int argc, char **argv, const char *what, const char *usage,
             struct db_stmt *(*build)(void *q, const char *key, bool json, size_t *n), void *q,
             void (*print)(FILE *out, struct db_stmt *st))
{
    struct db_error err = { 0 };
    struct db_stmt *st;
    size_t n = 1;
    int status;
    bool json = cli->fmt == EXPORT_JSON;

    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: kontor %s show %s [--format text|json]\n", what, usage);
        return CLI_USAGE;
    }
    if (cli->fmt == EXPORT_CSV) {
        fprintf(stderr, "kontor: %s show writes text or json\n", what);
        return CLI_USAGE;
    }
    status = cli_sign_in(cli);
    if (status != CLI_OK)
        return status;
    st = build(q, argv[1], json, &n);
    if (!db_run_tx(cli->db, &cli->id.session, st, n, &err)) {
        status = cli_fail(&err);
        db_error_clear(&err);
        return status;
    }
    if (json ? db_is_null(st[0].res, 0, 0) : PQntuples(st[0].res) == 0) {
        char *safe = text_sanitize(argv[1]);
        fprintf(stderr, "kontor: no %s %s\n", what, safe);
        free(safe);
        status = CLI_FAILED;
    } else if (json) {
        printf("%s\n", db_value(st[0].res, 0, 0));
    } else {
        print(stdout, st);
    }
    db_stmts_clear(st, n);
    return status;
}
