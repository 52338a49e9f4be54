/* `kontor customer show|export`: one customer for scripts through the same
 * domain statements as the customer screen (a clerk gets the masked view),
 * and the privacy export — everything held as one JSON document made by
 * PostgreSQL, written to a file only its owner can read. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/cli.h"
#include "kontor/customer.h"
#include "kontor/export.h"
#include "kontor/text.h"
#include "kontor/xalloc.h"

struct customer_show {
    struct customer_view view;
    const struct cli *cli;
};

static void customer_print_text(FILE *out, struct db_stmt *st)
{
    struct customer_header h;
    struct customer_counts k;
    char line[1200];
    char *money;

    customer_header_read(st[CUSTOMER_PART_HEADER].res, &h);
    customer_counts_read(st[CUSTOMER_PART_COUNTS].res, &k);
    snprintf(line, sizeof(line), "%lld", h.id);
    cli_print_field(out, 10, "Customer", line);
    snprintf(line, sizeof(line), "%s %s", h.first_name, h.last_name);
    cli_print_field(out, 10, "Name", line);
    if (h.erased_at[0])
        cli_print_field(out, 10, "Erased", h.erased_at);
    if (h.merged_into != 0) {
        snprintf(line, sizeof(line), "into customer %lld%s%s", h.merged_into,
                 h.merged_at[0] ? " on " : "", h.merged_at);
        cli_print_field(out, 10, "Merged", line);
    }
    if (h.full) {
        snprintf(line, sizeof(line), "%s%s%s %s%s%s", h.street, h.street[0] ? ", " : "",
                 h.postcode, h.city, h.country[0] ? ", " : "", h.country);
        cli_print_field(out, 10, "Address", line);
        if (h.birthdate[0])
            cli_print_field(out, 10, "Born", h.birthdate);
    } else {
        cli_print_field(out, 10, "City", h.city);
    }
    snprintf(line, sizeof(line), "%s%s%s", h.since, h.home_channel[0] ? " via " : "",
             h.home_channel);
    cli_print_field(out, 10, "Since", line);
    money = text_money(k.revenue_cents, true);
    snprintf(line, sizeof(line), "%lld (%s) · %s € · %lld returns", k.orders,
             k.by_channel[0] ? k.by_channel : "none", money, k.returns);
    if (k.return_rate_pct >= 0)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), " (%lld%%)", k.return_rate_pct);
    free(money);
    cli_print_field(out, 10, "Orders", line);
    if (h.full) {
        snprintf(line, sizeof(line), "v%d, %s%s%s", h.version, h.updated_at,
                 h.updated_by[0] ? " by " : "", h.updated_by);
        cli_print_field(out, 10, "Changed", line);
    }
    cli_print_part(out, "Identities", st[CUSTOMER_PART_IDENTITIES].res);
    if (h.full)
        cli_print_part(out, "Consents", st[CUSTOMER_PART_CONSENTS].res);
    snprintf(line, sizeof(line), "Journey (newest %d of %lld)",
             PQntuples(st[CUSTOMER_PART_TIMELINE].res), k.entries);
    cli_print_part(out, line, st[CUSTOMER_PART_TIMELINE].res);
}

static struct db_stmt *customer_show_build(void *arg, const char *key, bool json, size_t *n)
{
    struct customer_show *q = arg;
    bool full = customer_role_full(q->cli->id.session.role);
    long long id = 0;

    customer_id_parse(key, &id);
    if (json)
        return customer_view_json_stmt(&q->view, id, full);
    return customer_view_stmts(&q->view, id, full, n);
}

int cmd_customer_show(struct cli *cli, int argc, char **argv)
{
    struct customer_show *q = xcalloc(1, sizeof(*q));
    long long id;
    int status;

    if (argc == 2 && !customer_id_parse(argv[1], &id)) {
        fprintf(stderr, "kontor: a customer number is digits, e.g. kontor customer show 48213\n");
        free(q);
        return CLI_USAGE;
    }
    q->cli = cli;
    status = cli_show(cli, argc, argv, "customer", "ID", customer_show_build, q,
                      customer_print_text);
    free(q);
    return status;
}

static int customer_export_usage(void)
{
    fprintf(stderr, "usage: kontor customer export ID --output FILE [--force]\n"
                    "  FILE is written readable by you alone; - writes to standard output;\n"
                    "  an existing file is replaced only with --force\n");
    return CLI_USAGE;
}

int cmd_customer_export(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, 'f' },
        { NULL, 0, NULL, 0 },
    };
    struct customer_export q;
    struct db_error err = { 0 };
    const char *output = NULL;
    bool force = false;
    long long id;
    char *why = NULL;
    int c, status;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'o')
            output = optarg;
        else if (c == 'f')
            force = true;
        else
            return customer_export_usage();
    }
    if (optind + 1 != argc || output == NULL || output[0] == '\0'
        || !customer_id_parse(argv[optind], &id))
        return customer_export_usage();
    if (strcmp(output, "-") != 0 && !force && export_file_exists(output)) {
        char *safe = text_sanitize(output);
        fprintf(stderr, "kontor: %s exists: give --force to replace it\n", safe);
        free(safe);
        return CLI_FAILED;
    }
    status = cli_sign_in(cli);
    if (status != CLI_OK)
        return status;
    if (!db_run_tx(cli->db, &cli->id.session, customer_export_stmt(&q, id), 1, &err)) {
        status = cli_fail(&err);
        db_error_clear(&err);
        return status;
    }
    if (strcmp(output, "-") == 0) {
        printf("%s\n", db_value(q.st.res, 0, 0));
    } else if (export_file_write(output, db_value(q.st.res, 0, 0), force, &why)
               != EXPORT_WRITE_OK) {
        char *safe = text_sanitize(why != NULL ? why : "exists: give --force to replace it");
        fprintf(stderr, "kontor: customer %lld not exported: %s\n", id, safe);
        free(safe);
        status = CLI_FAILED;
    } else {
        char *safe = text_sanitize(output);
        fprintf(stderr, "kontor: customer %lld exported to %s (readable by you alone)\n", id, safe);
        free(safe);
    }
    free(why);
    db_stmts_clear(&q.st, 1);
    return status;
}
