/* `kontor return show`: one return for scripts — its header, lines, refunds
 * and history — through the same domain statements as the return screen;
 * JSON is made by PostgreSQL. Any role that reads returns may run it. */
#include <stdlib.h>
#include <string.h>

#include "kontor/cli.h"
#include "kontor/order.h"
#include "kontor/returns.h"
#include "kontor/text.h"

/* "Web · Bremen HB-01", "Web" when there is no location. */
static void return_where(char *buf, size_t len, const char *channel, const char *location)
{
    snprintf(buf, len, "%s%s%s", channel, location[0] ? " · " : "", location);
}

static void return_print_money(FILE *out, const char *name, long long cents)
{
    char *money = text_money(cents, true);
    char line[64];

    snprintf(line, sizeof(line), "%s €", money);
    free(money);
    cli_print_field(out, 12, name, line);
}

/* Shown only when a manager must decide: the decision (or "waiting"), who
 * asked when and why, and the manager's reason. */
static void return_print_approval(FILE *out, const struct return_header *h)
{
    char line[768];

    if (!h->needs_approval)
        return;
    if (h->approval_decision[0] == '\0')
        snprintf(line, sizeof(line), "waiting for a manager");
    else
        snprintf(line, sizeof(line), "%s%s%s%s%s", h->approval_decision,
                 h->approved_by[0] ? " by " : "", h->approved_by,
                 h->approval_reason[0] ? ": " : "", h->approval_reason);
    cli_print_field(out, 12, "Approval", line);
    snprintf(line, sizeof(line), "%s%s%s%s%s", h->asked_by[0] ? h->asked_by : "—",
             h->asked_at[0] ? ", " : "", h->asked_at, h->approval_note[0] ? ": " : "",
             h->approval_note);
    cli_print_field(out, 12, "Asked by", line);
}

static void return_print_header(FILE *out, const struct return_header *h)
{
    char line[512], where[160];

    cli_print_field(out, 12, "Return", h->rma);
    snprintf(line, sizeof(line), "%s (%s)", h->order_number, order_status_label(h->order_status));
    cli_print_field(out, 12, "Order", line);
    return_where(line, sizeof(line), h->bought_channel, h->bought_location);
    cli_print_field(out, 12, "Bought via", line);
    snprintf(where, sizeof(where), "%s%s%s", h->back_location,
             h->back_location[0] && h->back_location_code[0] ? " " : "", h->back_location_code);
    return_where(line, sizeof(line), h->back_channel, where);
    cli_print_field(out, 12, "Returned via", line);
    cli_print_field(out, 12, "Customer", h->customer);
    if (h->reason[0])
        cli_print_field(out, 12, "Reason", h->reason);
    snprintf(line, sizeof(line), "%s (for %s)", return_status_label(h->status), h->status_since);
    cli_print_field(out, 12, "Status", line);
    snprintf(line, sizeof(line), "%s%s%s%s%s", return_method_label(h->method),
             h->voucher[0] ? ", voucher " : "", h->voucher,
             h->exchange_order[0] ? ", exchange order " : "", h->exchange_order);
    cli_print_field(out, 12, "Refund as", line);
    return_print_money(out, "Value", h->value_cents);
    return_print_money(out, "Refunded", h->refunded_cents);
    return_print_approval(out, h);
    snprintf(line, sizeof(line), "%d day%s since delivery", h->days_since_delivery,
             h->days_since_delivery == 1 ? "" : "s");
    if (h->window_days > 0)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), " of %d%s", h->window_days,
                 h->outside_window ? ": outside the window" : "");
    else if (h->outside_window)
        snprintf(line + strlen(line), sizeof(line) - strlen(line), ": outside the window");
    cli_print_field(out, 12, "Window", line);
    snprintf(line, sizeof(line), "%s%s%s", h->created_at, h->created_by[0] ? " by " : "",
             h->created_by);
    cli_print_field(out, 12, "Created", line);
    snprintf(line, sizeof(line), "v%d, %s%s%s", h->version, h->updated_at,
             h->updated_by[0] ? " by " : "", h->updated_by);
    cli_print_field(out, 12, "Changed", line);
}

static void return_print_text(FILE *out, struct db_stmt *st)
{
    struct return_header h;

    return_header_read(st[RETURN_PART_HEADER].res, &h);
    return_print_header(out, &h);
    cli_print_part(out, "Lines", st[RETURN_PART_LINES].res);
    cli_print_part(out, "Refunds", st[RETURN_PART_REFUNDS].res);
    cli_print_part(out, "History", st[RETURN_PART_HISTORY].res);
}

static struct db_stmt *return_show_build(void *q, const char *key, bool json, size_t *n)
{
    if (json)
        return return_detail_json_stmt(q, key);
    return return_detail_stmts(q, key, n);
}

int cmd_return_show(struct cli *cli, int argc, char **argv)
{
    struct return_detail q;

    return cli_show(cli, argc, argv, "return", "RMA|ID", return_show_build, &q, return_print_text);
}
