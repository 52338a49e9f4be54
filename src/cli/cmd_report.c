/* `kontor report daily`: the manager's daily channel report for scripts and
 * cron, through the same statements as the :report screen — the channels
 * beside the same weekday a week before, or with --channel the drill-down
 * into one channel. Text for people; CSV and JSON made by PostgreSQL. The
 * database grants the report to managers alone; others are told so here. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/cli.h"
#include "kontor/perm.h"
#include "kontor/report.h"
#include "kontor/text.h"
#include "kontor/xalloc.h"

#define REPORT_LABEL_MAX 60 /* widest label column of the text form */

static int report_usage(void)
{
    fprintf(stderr,
            "usage: kontor report daily [--date yesterday|today|YYYY-MM-DD|DD.MM.YYYY|-N] "
            "[--channel NAME|all] [--format text|csv|json]\n"
            "  the day defaults to yesterday (a business day); --channel shows one channel "
            "by hour, location and source\n");
    return CLI_USAGE;
}

static void report_print_cell(FILE *out, enum report_col c, int width, const char *text)
{
    char *cell = text_fit(text, width, report_column(c)->align);

    fprintf(out, "%s%s", c == REPORT_COL_LABEL ? "" : " ", cell);
    free(cell);
}

/* The rows of r from first on while their part is part (NULL: all rows),
 * under a heading line; returns the index after the last one printed. */
static int report_print_table(FILE *out, const struct report *r, int first, const char *part,
                              const enum report_col *cols, size_t ncols)
{
    int label = report_column(REPORT_COL_LABEL)->width, last = first;
    char cell[200];

    while (last < r->n && (part == NULL || strcmp(r->rows[last].part, part) == 0)) {
        int w = text_width(r->rows[last].label);
        label = w > label ? (w < REPORT_LABEL_MAX ? w : REPORT_LABEL_MAX) : label;
        last++;
    }
    for (size_t i = 0; i < ncols; i++)
        report_print_cell(out, cols[i], i == 0 ? label : report_column(cols[i])->width,
                          i == 0 && part != NULL ? report_part_title(part)
                                                 : report_column(cols[i])->title);
    fputc('\n', out);
    for (int row = first; row < last; row++) {
        for (size_t i = 0; i < ncols; i++) {
            report_cell(&r->rows[row], cols[i], cell, sizeof(cell));
            report_print_cell(out, cols[i], i == 0 ? label : report_column(cols[i])->width, cell);
        }
        fputc('\n', out);
    }
    return last;
}

static void report_print_heading(FILE *out, const struct report *r, const char *what)
{
    struct report_day day, compare;
    char d1[32] = "", d2[32] = "";

    if (report_day_from_iso(r->day, &day))
        report_day_label(&day, d1, sizeof(d1));
    if (report_day_from_iso(r->compare, &compare))
        report_day_label(&compare, d2, sizeof(d2));
    fprintf(out, "%s · %s · -7d: %s\n\n", what, d1, d2);
}

static void report_print(FILE *out, const struct report *r, bool detail)
{
    if (!detail) {
        report_print_heading(out, r, "Daily channel report");
        report_print_table(out, r, 0, NULL, report_daily_cols, report_daily_ncols);
        return;
    }
    char *what = xasprintf("Daily channel report · channel %s", r->channel);
    report_print_heading(out, r, what);
    free(what);
    if (r->n == 0)
        fputs("No orders and no returns on either day.\n", out);
    for (int i = 0; i < r->n;) {
        if (i > 0)
            fputc('\n', out);
        i = report_print_table(out, r, i, r->rows[i].part, report_detail_cols,
                               report_detail_ncols);
    }
}

/* Runs the statement; prints the report. An unknown channel is a failure. */
static int report_run(struct cli *cli, const struct report_day *day, const char *channel)
{
    struct report_query q;
    struct db_error err = { 0 };
    struct db_stmt *st = channel != NULL ? report_detail_stmt(&q, day, channel, cli->fmt)
                                         : report_daily_stmt(&q, day, cli->fmt);
    int status = CLI_OK;

    if (!db_run_tx(cli->db, &cli->id.session, st, 1, &err)) {
        status = cli_fail(&err);
        db_error_clear(&err);
        return status;
    }
    if (cli->fmt != EXPORT_TEXT) {
        const char *text = db_value(st->res, 0, 0);
        if (text[0] == '\0' || strcmp(text, "[]") == 0)
            status = CLI_FAILED;
        else
            fputs(text, stdout);
        if (cli->fmt == EXPORT_JSON && status == CLI_OK)
            fputc('\n', stdout);
    } else {
        struct report *r = xcalloc(1, sizeof(*r));
        bool any = channel != NULL ? report_detail_read(st->res, r) : report_daily_read(st->res, r);
        report_drop_quiet_hours(r);
        if (any)
            report_print(stdout, r, channel != NULL);
        else
            status = CLI_FAILED;
        free(r);
    }
    if (status != CLI_OK) {
        char *safe = text_sanitize(channel != NULL ? channel : "");
        if (channel != NULL)
            fprintf(stderr, "kontor: no channel '%s': give a channel's code or name (web, "
                            "Stores, ...) or all\n", safe);
        else
            fprintf(stderr, "kontor: the report came back empty\n");
        free(safe);
    }
    db_stmts_clear(st, 1);
    return status;
}

int cmd_report_daily(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        { "date", required_argument, NULL, 'd' },
        { "channel", required_argument, NULL, 'c' },
        { NULL, 0, NULL, 0 },
    };
    struct report_day day;
    const char *date = "yesterday", *channel = NULL;
    char *why = NULL;
    int c, status;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'd')
            date = optarg;
        else if (c == 'c')
            channel = optarg;
        else
            return report_usage();
    }
    if (optind != argc || (channel != NULL && channel[strspn(channel, " ")] == '\0'))
        return report_usage();
    if (!report_day_parse(date, &day, &why)) {
        fprintf(stderr, "kontor: --date: %s\n", why);
        free(why);
        return CLI_USAGE;
    }
    status = cli_sign_in(cli);
    if (status != CLI_OK)
        return status;
    if (!perm_allows(cli->id.session.role, PERM_REPORTS)) {
        fprintf(stderr, "kontor: the daily channel report is for managers (you are %s)\n",
                db_role_name(cli->id.session.role));
        return CLI_FAILED;
    }
    return report_run(cli, &day, channel);
}
