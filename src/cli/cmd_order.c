/* `kontor order show|list`: the order detail and the filtered list for
 * scripts, through the same domain statements as the screens; CSV and JSON
 * are made by PostgreSQL. Any role that reads orders may run them. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/cli.h"
#include "kontor/order.h"
#include "kontor/text.h"
#include "kontor/xalloc.h"

static void order_print_text(FILE *out, struct db_stmt *st)
{
    struct order_header h;
    char line[512];
    char *money;

    order_header_read(st[ORDER_PART_HEADER].res, &h);
    snprintf(line, sizeof(line), "%s · %s%s%s", order_fulfilment_label(h.fulfilment),
             h.channel, h.location[0] ? " · " : "", h.location);
    cli_print_field(out, 10, "Order", h.number);
    cli_print_field(out, 10, "Channel", line);
    snprintf(line, sizeof(line), "%s (since %s)", order_status_label(h.status), h.status_since);
    cli_print_field(out, 10, "Status", line);
    cli_print_field(out, 10, "Placed", h.placed_at);
    if (h.pickup_code[0])
        cli_print_field(out, 10, "Pickup", h.pickup_code);
    snprintf(line, sizeof(line), "%s%s%s", h.customer, h.customer_contact[0] ? " · " : "",
             h.customer_contact);
    cli_print_field(out, 10, "Customer", line);
    if (h.campaign[0] || h.touchpoint[0]) {
        snprintf(line, sizeof(line), "%s%s%s", h.campaign, h.touchpoint[0] ? " · " : "",
                 h.touchpoint);
        cli_print_field(out, 10, "Source", line);
    }
    money = text_money(h.total_cents, true);
    snprintf(line, sizeof(line), "%s %s", money, h.currency);
    free(money);
    cli_print_field(out, 10, "Total", line);
    snprintf(line, sizeof(line), "v%d, %s%s%s", h.version, h.updated_at,
             h.updated_by[0] ? " by " : "", h.updated_by);
    cli_print_field(out, 10, "Changed", line);
    cli_print_part(out, "Lines", st[ORDER_PART_LINES].res);
    cli_print_part(out, "Payments", st[ORDER_PART_PAYMENTS].res);
    cli_print_part(out, "History", st[ORDER_PART_HISTORY].res);
    if (PQntuples(st[ORDER_PART_NOTES].res) > 0)
        cli_print_part(out, "Notes", st[ORDER_PART_NOTES].res);
    if (PQntuples(st[ORDER_PART_RETURNS].res) > 0)
        cli_print_part(out, "Returns", st[ORDER_PART_RETURNS].res);
}

static struct db_stmt *order_show_build(void *q, const char *key, bool json, size_t *n)
{
    if (json)
        return order_detail_json_stmt(q, key);
    return order_detail_stmts(q, key, n);
}

int cmd_order_show(struct cli *cli, int argc, char **argv)
{
    struct order_detail q;

    return cli_show(cli, argc, argv, "order", "NUMBER|PICKUP-CODE|ID", order_show_build, &q, order_print_text);
}

static bool order_sort_parse(const char *s, enum order_sort *out)
{
    static const struct {
        const char *name;
        enum order_sort sort;
    } sorts[] = { { "newest", ORDER_SORT_NEWEST }, { "oldest", ORDER_SORT_OLDEST },
                  { "total-desc", ORDER_SORT_TOTAL_DESC }, { "total-asc", ORDER_SORT_TOTAL_ASC } };

    for (size_t i = 0; i < sizeof(sorts) / sizeof(sorts[0]); i++)
        if (strcmp(s, sorts[i].name) == 0) {
            *out = sorts[i].sort;
            return true;
        }
    return false;
}

static void order_set(char *dst, size_t n, const char *src)
{
    snprintf(dst, n, "%.*s", (int)(n - 1), src);
}

int cmd_order_list(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        { "channel", required_argument, NULL, 'c' }, { "status", required_argument, NULL, 's' },
        { "fulfilment", required_argument, NULL, 'f' }, { "location", required_argument, NULL, 'l' },
        { "from", required_argument, NULL, 'a' },    { "to", required_argument, NULL, 'b' },
        { "text", required_argument, NULL, 't' },    { "limit", required_argument, NULL, 'n' },
        { "sort", required_argument, NULL, 'o' },    { NULL, 0, NULL, 0 },
    };
    struct order_filter f = { 0 }, dates;
    struct order_page page;
    enum order_sort sort = ORDER_SORT_NEWEST;
    const char *from = "", *to = "";
    struct db_error err = { 0 };
    long limit = 50;
    char *end, *why = NULL, range[64];
    int c, status;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'c': order_set(f.channel, sizeof(f.channel), optarg); break;
        case 's': order_set(f.status, sizeof(f.status), optarg); break;
        case 'f': order_set(f.fulfilment, sizeof(f.fulfilment), optarg); break;
        case 'l': order_set(f.location, sizeof(f.location), optarg); break;
        case 'a': from = optarg; break;
        case 'b': to = optarg; break;
        case 't': order_set(f.text, sizeof(f.text), optarg); break;
        case 'n':
            limit = strtol(optarg, &end, 10);
            if (*end != '\0' || limit < 1 || limit > 10000) {
                fprintf(stderr, "kontor: --limit takes 1 to 10000\n");
                return CLI_USAGE;
            }
            break;
        case 'o':
            if (!order_sort_parse(optarg, &sort)) {
                fprintf(stderr, "kontor: --sort takes newest, oldest, total-desc or total-asc\n");
                return CLI_USAGE;
            }
            break;
        default:
            return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "usage: kontor order list [--channel C] [--status S] [--fulfilment F] "
                        "[--location L] [--from D] [--to D] [--text T] [--limit N] "
                        "[--sort newest|oldest|total-desc|total-asc] [--format text|csv|json]\n");
        return CLI_USAGE;
    }
    if (from[0] || to[0]) { /* the palette's date rules: YYYY-MM-DD, today, yesterday */
        snprintf(range, sizeof(range), "%s..%s", from, to);
        if (!order_filter_parse(&dates, range, &why)) {
            fprintf(stderr, "kontor: %s\n", why);
            free(why);
            return CLI_USAGE;
        }
        memcpy(f.from, dates.from, sizeof(f.from));
        memcpy(f.to, dates.to, sizeof(f.to));
    }
    status = cli_sign_in(cli);
    if (status != CLI_OK)
        return status;
    order_page_stmt(&page, &f, sort, ORDER_FETCH_FIRST, NULL, (int)limit);
    if (!export_query(cli->db, &cli->id.session, order_list_sql(sort, cli->fmt != EXPORT_TEXT),
                      ORDER_FILTER_PARAMS + 1, page.params, cli->fmt, stdout, &err)) {
        status = cli_fail(&err);
        db_error_clear(&err);
        return status;
    }
    return CLI_OK;
}
