/* One customer: profile, identities across channels, consents per purpose
 * and channel, counters, and the journey — orders, returns, refunds,
 * touchpoint interactions and notes of every channel, newest first — loaded
 * in one round trip. Enter opens the selected entry's record. Edits go to
 * :customer-edit; export writes one JSON document made by PostgreSQL to a
 * file only its owner can read; a manager erases. A clerk sees the masked
 * view: names, city, masked contact data, orders and returns. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/customer.h"
#include "kontor/export.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum { CUS_Q_LOAD = 1, CUS_Q_EXPORT, CUS_Q_ERASE };

/* A question that follows an answer: a dialog cannot be opened from inside
 * another dialog's callback (the console closes the top dialog after the
 * callback returns), so it is asked at the next draw. */
enum cus_ask { CUS_ASK_NONE, CUS_ASK_REPLACE, CUS_ASK_ERASE };

#define CUS_HEAD_LINES_MAX 3 /* lines for identities or consents before "…" */

struct customer_screen {
    long long id;
    bool full; /* the role reads contact data (service, manager) */
    struct customer_view q;
    struct customer_export exp;
    struct customer_erase erase;
    PGresult *part[CUSTOMER_PART_COUNT];
    struct customer_header h;
    struct customer_counts k;
    bool loaded, missing, busy;
    int sel, top, page;
    /* export: the file asked for, the overwrite answer, the document while
     * a second "replace?" is asked */
    char path[1024];
    bool overwrite;
    char *json;
    char reason[512]; /* erasure: the reason, until confirmed */
    enum cus_ask ask;
};

static const struct screen_key customer_keys[] = {
    { .key = 'e', .name = "e", .help = "edit", .perm = PERM_CUSTOMERS_EDIT, .hint = true },
    { .key = 'i', .name = "i", .help = "identities", .perm = PERM_CUSTOMERS_EDIT, .hint = true },
    { .key = 'c', .name = "c", .help = "consents", .perm = PERM_CUSTOMERS_EDIT, .hint = true },
    { .key = 'd', .name = "d", .help = "duplicates", .perm = PERM_CUSTOMERS_EDIT, .hint = true },
    { .key = 'x', .name = "x", .help = "export", .perm = PERM_CUSTOMERS_EDIT, .hint = true },
    { .key = 'E', .name = "E", .help = "erase", .perm = PERM_CUSTOMERS_MERGE, .hint = true },
    { .key = '\n', .name = "Enter", .help = "open", .perm = PERM_CUSTOMERS_VIEW, .hint = true },
    { .key = 'j', .name = "j/k", .help = "move in the journey (g/G first/last)",
      .perm = PERM_CUSTOMERS_VIEW },
};

static void cus_forget(struct customer_screen *cs)
{
    for (int i = 0; i < CUSTOMER_PART_COUNT; i++) {
        PQclear(cs->part[i]);
        cs->part[i] = NULL;
    }
}

static int cus_rows(const struct customer_screen *cs, enum customer_part p)
{
    return cs->part[p] != NULL ? PQntuples(cs->part[p]) : 0;
}

static void cus_load(struct screen *s)
{
    struct customer_screen *cs = s->state;
    size_t n = 0;
    struct db_stmt *st = customer_view_stmts(&cs->q, cs->id, cs->full, &n);

    cs->busy = true;
    tui_query(s, CUS_Q_LOAD, st, n);
}

static bool cus_open(struct screen *s, const char *args, char **err)
{
    struct customer_screen *cs = s->state;

    if (!customer_id_parse(args, &cs->id)) {
        *err = xstrdup(args[0] == '\0'
                           ? "Which customer? Give the number, e.g. :customer-view 48213 "
                             "(or search with :customer NAME)"
                           : "A customer number is digits, e.g. :customer-view 48213 "
                             "(search with :customer NAME)");
        return false;
    }
    cs->full = customer_role_full(tui_identity(s->tui)->session.role);
    tui_set_title(s, "Customer %lld", cs->id);
    cus_load(s);
    return true;
}

static void cus_title(struct screen *s, struct customer_screen *cs)
{
    const struct customer_header *h = &cs->h;

    if (h->erased_at[0] != '\0')
        tui_set_title(s, "Customer %lld · erased", h->id);
    else if (h->merged_into != 0)
        tui_set_title(s, "Customer %lld · %s %s · merged into %lld", h->id, h->first_name,
                      h->last_name, h->merged_into);
    else if (cs->full)
        tui_set_title(s, "Customer %lld · %s %s   v%d", h->id, h->first_name, h->last_name,
                      h->version);
    else
        tui_set_title(s, "Customer %lld · %s %s", h->id, h->first_name, h->last_name);
}

static void cus_take(struct screen *s, struct customer_screen *cs, struct db_stmt *stmts, size_t n)
{
    cus_forget(cs);
    for (size_t i = 0; i < n && i < CUSTOMER_PART_COUNT; i++) {
        cs->part[i] = stmts[i].res;
        stmts[i].res = NULL;
    }
    cs->loaded = true;
    cs->missing = !customer_header_read(cs->part[CUSTOMER_PART_HEADER], &cs->h);
    customer_counts_read(cs->part[CUSTOMER_PART_COUNTS], &cs->k);
    if (cs->missing) {
        tui_set_title(s, "Customer %lld · not found", cs->id);
        return;
    }
    if (cs->sel >= cus_rows(cs, CUSTOMER_PART_TIMELINE))
        cs->sel = cus_rows(cs, CUSTOMER_PART_TIMELINE) - 1;
    if (cs->sel < 0)
        cs->sel = 0;
    cus_title(s, cs);
}

/* ---- export --------------------------------------------------------------- */

static void cus_export_write(struct screen *s, struct customer_screen *cs);

static void cus_export_replace(struct screen *s, bool yes, void *arg)
{
    struct customer_screen *cs = s->state;

    (void)arg;
    if (!yes) {
        free(cs->json);
        cs->json = NULL;
        tui_message(s->tui, TUI_MSG_INFO, "Nothing was written.");
        return;
    }
    cs->overwrite = true;
    cus_export_write(s, cs);
}

static void cus_export_write(struct screen *s, struct customer_screen *cs)
{
    char *err = NULL;
    enum export_write_result r = export_file_write(cs->path, cs->json, cs->overwrite, &err);

    if (r == EXPORT_WRITE_EXISTS) {
        char *q = xasprintf("%s exists now. Replace it with the export of customer %lld?",
                            cs->path, cs->id);
        tui_confirm(s, "Replace the file?", q, cus_export_replace, NULL);
        free(q);
        return;
    }
    if (r == EXPORT_WRITE_OK)
        tui_message(s->tui, TUI_MSG_OK, "Customer %lld exported to %s (readable by you alone).",
                    cs->id, cs->path);
    else
        tui_message(s->tui, TUI_MSG_ERROR, "Not exported: %s.", err);
    free(err);
    free(cs->json);
    cs->json = NULL;
}

static void cus_export_fetch(struct screen *s, struct customer_screen *cs)
{
    cs->busy = true;
    tui_query(s, CUS_Q_EXPORT, customer_export_stmt(&cs->exp, cs->id), 1);
}

static void cus_export_confirmed(struct screen *s, bool yes, void *arg)
{
    struct customer_screen *cs = s->state;

    (void)arg;
    if (!yes) {
        tui_message(s->tui, TUI_MSG_INFO, "Nothing was exported.");
        return;
    }
    cs->overwrite = true;
    cus_export_fetch(s, cs);
}

static void cus_export_named(struct screen *s, const char *text, void *arg)
{
    struct customer_screen *cs = s->state;

    (void)arg;
    if (text == NULL)
        return;
    text += strspn(text, " ");
    snprintf(cs->path, sizeof(cs->path), "%s", text);
    cs->overwrite = false;
    if (export_file_exists(cs->path))
        cs->ask = CUS_ASK_REPLACE;
    else
        cus_export_fetch(s, cs);
}

static void cus_export(struct screen *s, struct customer_screen *cs)
{
    char *label = xasprintf("Everything held about customer %lld as one JSON document. "
                            "File name (written readable by you alone), e.g. customer-%lld.json:",
                            cs->id, cs->id);

    tui_prompt(s, "Export (privacy request)", label, cus_export_named, NULL);
    free(label);
}

/* ---- erasure ----------------------------------------------------------------- */

static void cus_erase_confirmed(struct screen *s, bool yes, void *arg)
{
    struct customer_screen *cs = s->state;
    size_t n = 0;
    struct db_stmt *st;

    (void)arg;
    if (!yes) {
        tui_message(s->tui, TUI_MSG_INFO, "Nothing was erased.");
        return;
    }
    st = customer_erase_stmts(&cs->erase, cs->id, cs->reason, cs->full, &n);
    cs->busy = true;
    tui_query(s, CUS_Q_ERASE, st, n);
}

static void cus_erase_reason(struct screen *s, const char *text, void *arg)
{
    struct customer_screen *cs = s->state;

    (void)arg;
    if (text == NULL)
        return;
    snprintf(cs->reason, sizeof(cs->reason), "%s", text);
    cs->ask = CUS_ASK_ERASE;
}

/* The question asked after the prompt (see enum cus_ask). */
static void cus_ask_pending(struct screen *s, struct customer_screen *cs)
{
    enum cus_ask ask = cs->ask;
    char *q;

    cs->ask = CUS_ASK_NONE;
    if (ask == CUS_ASK_REPLACE) {
        q = xasprintf("%s exists. Replace it with the export of customer %lld?", cs->path, cs->id);
        tui_confirm(s, "Replace the file?", q, cus_export_confirmed, NULL);
        free(q);
        return;
    }
    if (ask != CUS_ASK_ERASE)
        return;
    q = xasprintf("Erase %s %s (customer %lld) for good? Names, address, contact data, notes "
                  "and visitor ids are removed, consents withdrawn; orders and returns stay "
                  "for the accounts. This cannot be undone.",
                  cs->h.first_name, cs->h.last_name, cs->id);
    tui_confirm(s, "Erase the customer", q, cus_erase_confirmed, NULL);
    free(q);
}

static void cus_erase(struct screen *s, struct customer_screen *cs)
{
    if (cs->h.erased_at[0] != '\0') {
        tui_message(s->tui, TUI_MSG_INFO, "Customer %lld was erased on %s.", cs->id,
                    cs->h.erased_at);
        return;
    }
    if (cs->h.merged_into != 0) {
        tui_message(s->tui, TUI_MSG_WARN, "Customer %lld was merged into %lld: erase that "
                    "record (Enter opens it); it erases both.", cs->id, cs->h.merged_into);
        return;
    }
    tui_prompt(s, "Erase the customer (privacy request)",
               "Why? (e.g. \"customer's request by e-mail of 21.11.\"; kept in the audit log)",
               cus_erase_reason, NULL);
}

/* ---- results ------------------------------------------------------------------ */

static void cus_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                       const struct db_error *err)
{
    struct customer_screen *cs = s->state;

    cs->busy = false;
    if (err != NULL) {
        tui_db_error(s->tui, err);
        if (tag == CUS_Q_ERASE)
            cus_load(s);
        return;
    }
    if (tag == CUS_Q_LOAD) {
        cus_take(s, cs, stmts, n);
    } else if (tag == CUS_Q_EXPORT) {
        free(cs->json);
        cs->json = xstrdup(db_value(stmts[0].res, 0, 0));
        cus_export_write(s, cs);
    } else if (tag == CUS_Q_ERASE) {
        cus_take(s, cs, stmts + 1, n - 1);
        tui_message(s->tui, TUI_MSG_OK, "Customer %lld erased: personal data removed, consents "
                    "withdrawn, orders kept.", cs->id);
    }
}

/* ---- keys ------------------------------------------------------------------------ */

/* Opens what a journey entry names ("order K-104233", "return R-4TQ8ZP"). */
static void cus_open_entry(struct screen *s, struct customer_screen *cs)
{
    const PGresult *t = cs->part[CUSTOMER_PART_TIMELINE];
    char what[64], *arg;

    if (cus_rows(cs, CUSTOMER_PART_TIMELINE) == 0) {
        if (cs->h.merged_into != 0) {
            char id[24];
            snprintf(id, sizeof(id), "%lld", cs->h.merged_into);
            tui_open(s->tui, "customer-view", id);
        }
        return;
    }
    snprintf(what, sizeof(what), "%s", db_value(t, cs->sel, CT_COL_OPEN));
    arg = strchr(what, ' ');
    if (arg != NULL) {
        *arg++ = '\0';
        tui_open(s->tui, what, arg);
    } else if (strcmp(db_value(t, cs->sel, CT_COL_KIND), "note") == 0) {
        tui_alert(s->tui, "Note", db_value(t, cs->sel, CT_COL_WHAT));
    } else {
        tui_message(s->tui, TUI_MSG_INFO, "A touchpoint interaction: there is no record to open.");
    }
}

static bool cus_move(struct customer_screen *cs, enum action a)
{
    int n = cus_rows(cs, CUSTOMER_PART_TIMELINE), page = cs->page > 1 ? cs->page - 1 : 10;

    if (a == ACTION_MOVE_DOWN || a == ACTION_MOVE_UP)
        cs->sel += a == ACTION_MOVE_DOWN ? 1 : -1;
    else if (a == ACTION_PAGE_DOWN || a == ACTION_PAGE_UP)
        cs->sel += a == ACTION_PAGE_DOWN ? page : -page;
    else if (a == ACTION_FIRST || a == ACTION_LAST)
        cs->sel = a == ACTION_FIRST ? 0 : n - 1;
    else
        return false;
    if (cs->sel >= n)
        cs->sel = n - 1;
    if (cs->sel < 0)
        cs->sel = 0;
    return true;
}

/* The edit keys: the form, at the section asked for. */
static void cus_edit(struct screen *s, struct customer_screen *cs, const char *section)
{
    char args[64];

    if (cs->h.erased_at[0] != '\0') {
        tui_message(s->tui, TUI_MSG_WARN, "Customer %lld was erased: there is nothing to edit.",
                    cs->id);
        return;
    }
    if (cs->h.merged_into != 0) {
        tui_message(s->tui, TUI_MSG_WARN, "Customer %lld was merged into %lld: edit that record "
                    "(Enter opens it).", cs->id, cs->h.merged_into);
        return;
    }
    snprintf(args, sizeof(args), "%lld%s%s", cs->id, section[0] ? " " : "", section);
    tui_open(s->tui, "customer-edit", args);
}

static bool cus_key(struct screen *s, int key, enum action a)
{
    struct customer_screen *cs = s->state;
    char id[24];

    if (!cs->loaded || cs->missing)
        return false;
    if (key > 0 && key < KEYMAP_FN_BASE && strchr("eicdxE", key) != NULL) {
        for (size_t i = 0; i < sizeof(customer_keys) / sizeof(customer_keys[0]); i++)
            if (customer_keys[i].key == key && !tui_allowed(s->tui, customer_keys[i].perm)) {
                tui_message(s->tui, TUI_MSG_ERROR, "Your role may not do that.");
                return true;
            }
        if (cs->busy) {
            tui_message(s->tui, TUI_MSG_INFO, "One moment: the customer is still loading.");
            return true;
        }
        snprintf(id, sizeof(id), "%lld", cs->id);
        switch (key) {
        case 'e': cus_edit(s, cs, ""); break;
        case 'i': cus_edit(s, cs, "identities"); break;
        case 'c': cus_edit(s, cs, "consents"); break;
        case 'd': tui_open(s->tui, "duplicates", id); break;
        case 'x': cus_export(s, cs); break;
        case 'E': cus_erase(s, cs); break;
        }
        return true;
    }
    if (a == ACTION_OPEN) {
        cus_open_entry(s, cs);
        return true;
    }
    if (a == ACTION_REFRESH) {
        cus_load(s);
        return false;
    }
    return cus_move(cs, a);
}

/* ---- drawing ------------------------------------------------------------------------ */

/* Lays items out as "a · b · c", wrapped at whole items into at most
 * maxlines lines of width columns; the last line ends in "…" when items
 * are left over. lines[i] are allocated (caller frees). */
static int cus_wrap(char **items, int n, int width, int maxlines, char **lines)
{
    int nl = 0;

    for (int i = 0; i < n && nl <= maxlines; i++) {
        int need = text_width(items[i]);
        if (nl > 0 && text_width(lines[nl - 1]) + 3 + need <= width) {
            char *joined = xasprintf("%s · %s", lines[nl - 1], items[i]);
            free(lines[nl - 1]);
            lines[nl - 1] = joined;
            continue;
        }
        if (nl == maxlines) {
            char *more = xasprintf("%s · …", lines[nl - 1]);
            free(lines[nl - 1]);
            lines[nl - 1] = more;
            break;
        }
        lines[nl++] = xstrdup(items[i]);
    }
    return nl;
}

static int cus_field(WINDOW *w, int y, int rows, int cols, const char *name, char **items, int n,
                     int maxlines)
{
    char *lines[CUS_HEAD_LINES_MAX + 1] = { 0 };
    int nl = cus_wrap(items, n, cols - 15,
                      maxlines < CUS_HEAD_LINES_MAX ? maxlines : CUS_HEAD_LINES_MAX, lines);

    if (nl == 0)
        lines[nl++] = xstrdup("—");
    for (int i = 0; i < nl; i++) {
        if (y + i < rows) {
            tui_print(w, y + i, 1, 12, THEME_HEADER, TEXT_ALIGN_LEFT, i == 0 ? name : "");
            tui_print(w, y + i, 14, cols - 15, THEME_BODY, TEXT_ALIGN_LEFT, lines[i]);
        }
        free(lines[i]);
    }
    return y + nl;
}

static int cus_draw_identities(struct customer_screen *cs, WINDOW *w, int y, int rows, int cols)
{
    const PGresult *r = cs->part[CUSTOMER_PART_IDENTITIES];
    int n = cus_rows(cs, CUSTOMER_PART_IDENTITIES);
    char **items = xcalloc((size_t)n + 1, sizeof(*items));

    for (int i = 0; i < n; i++) {
        const char *src = db_value(r, i, CI_COL_SOURCE);
        bool unverified = cs->h.full && strcmp(db_value(r, i, CI_COL_VERIFIED), "t") != 0;
        char note[64] = "";

        if (src[0] || unverified)
            snprintf(note, sizeof(note), " (%s%s%s)", src, src[0] && unverified ? ", " : "",
                     unverified ? "unverified" : "");
        items[i] = xasprintf("%s %s%s", customer_identity_kind_label(db_value(r, i, CI_COL_KIND)),
                             db_value(r, i, CI_COL_VALUE), note);
    }
    y = cus_field(w, y, rows, cols, "Identities", items, n, 3);
    for (int i = 0; i < n; i++)
        free(items[i]);
    free(items);
    return y;
}

static int cus_draw_consents(struct customer_screen *cs, WINDOW *w, int y, int rows, int cols)
{
    const PGresult *r = cs->part[CUSTOMER_PART_CONSENTS];
    int n = cus_rows(cs, CUSTOMER_PART_CONSENTS);
    char **items = xcalloc((size_t)n + 1, sizeof(*items));

    for (int i = 0; i < n; i++) {
        const char *at = db_value(r, i, CC_COL_AT); /* YYYY-MM-DD: shown DD.MM.YY */
        items[i] = xasprintf("%s %s %s (%s, %.2s.%.2s.%.2s)", db_value(r, i, CC_COL_PURPOSE),
                             strcmp(db_value(r, i, CC_COL_GRANTED), "t") == 0 ? "✓" : "✗",
                             db_value(r, i, CC_COL_CHANNEL), db_value(r, i, CC_COL_SOURCE),
                             strlen(at) >= 10 ? at + 8 : "", strlen(at) >= 10 ? at + 5 : "",
                             strlen(at) >= 10 ? at + 2 : "");
    }
    y = cus_field(w, y, rows, cols, "Consents", items, n, 3);
    for (int i = 0; i < n; i++)
        free(items[i]);
    free(items);
    return y;
}

static int cus_draw_profile(struct customer_screen *cs, WINDOW *w, int y, int rows, int cols)
{
    const struct customer_header *h = &cs->h;
    char *items[4];
    int n = 0;

    if (h->street[0])
        items[n++] = xstrdup(h->street);
    if (h->postcode[0] || h->city[0])
        items[n++] = xasprintf("%s%s%s", h->postcode, h->postcode[0] && h->city[0] ? " " : "",
                               h->city);
    if (h->country[0])
        items[n++] = xstrdup(h->country);
    if (h->birthdate[0])
        items[n++] = xasprintf("born %s", h->birthdate);
    y = cus_field(w, y, rows, cols, "Address", items, n, 1);
    for (int i = 0; i < n; i++)
        free(items[i]);
    return y;
}

static void cus_draw_counts(struct customer_screen *cs, WINDOW *w, int y, int cols)
{
    const struct customer_counts *k = &cs->k;
    char line[512], dup[64] = "", rate[32] = "";
    char *money = text_money(k->revenue_cents, true);

    if (k->return_rate_pct >= 0)
        snprintf(rate, sizeof(rate), " (%lld%%)", k->return_rate_pct);
    snprintf(line, sizeof(line), "Since %.4s%s%s · %lld order%s%s%s%s · %s € · %lld return%s%s",
             cs->h.since, cs->h.home_channel[0] ? " via " : "", cs->h.home_channel, k->orders,
             k->orders == 1 ? "" : "s", k->by_channel[0] ? " (" : "", k->by_channel,
             k->by_channel[0] ? ")" : "", money, k->returns, k->returns == 1 ? "" : "s", rate);
    if (k->duplicates > 0)
        snprintf(dup, sizeof(dup), "possible duplicate: %lld (d)", k->duplicates);
    tui_print(w, y, 1, cols - 2, THEME_BODY, TEXT_ALIGN_LEFT, line);
    if (dup[0] && text_width(line) + text_width(dup) + 4 < cols)
        tui_print(w, y, cols - 1 - text_width(dup), text_width(dup), THEME_WARNING,
                  TEXT_ALIGN_RIGHT, dup);
    free(money);
}

/* Journey columns: when, via, what (flexible), amount, status. */
static void cus_draw_entry(struct customer_screen *cs, WINDOW *w, int y, int cols, int r)
{
    const PGresult *t = cs->part[CUSTOMER_PART_TIMELINE];
    enum theme_slot slot = r == cs->sel ? THEME_SELECTED : THEME_BODY;
    bool wide = cols >= 90;
    int via = wide ? 12 : 8, status = wide ? 18 : 12, money_w = wide ? 11 : 10;
    int what = cols - 3 - 13 - (via + 1) - (money_w + 1) - (status + 1) - 1;
    char *money = NULL;
    const char *kind = db_value(t, r, CT_COL_KIND);

    if (!db_is_null(t, r, CT_COL_CENTS)) {
        char *m = text_money(db_value_ll(t, r, CT_COL_CENTS), true);
        money = xasprintf("%s €", m);
        free(m);
    }
    tui_print(w, y, 0, cols, slot, TEXT_ALIGN_LEFT, r == cs->sel ? " ▶" : "");
    tui_print(w, y, 3, 12, slot, TEXT_ALIGN_LEFT, db_value(t, r, CT_COL_WHEN));
    tui_print(w, y, 16, via, slot, TEXT_ALIGN_LEFT, db_value(t, r, CT_COL_VIA));
    if (money == NULL && db_value(t, r, CT_COL_STATUS)[0] == '\0')
        what = cols - 17 - via - 1; /* a touchpoint or a note: the whole line */
    tui_print(w, y, 17 + via, what, slot, TEXT_ALIGN_LEFT, db_value(t, r, CT_COL_WHAT));
    if (money == NULL && db_value(t, r, CT_COL_STATUS)[0] == '\0')
        return;
    tui_print(w, y, 18 + via + what, money_w, slot, TEXT_ALIGN_RIGHT, money ? money : "");
    tui_print(w, y, 19 + via + what + money_w, status, slot, TEXT_ALIGN_LEFT,
              customer_timeline_status_label(kind, db_value(t, r, CT_COL_STATUS)));
    free(money);
}

static void cus_draw_journey(struct customer_screen *cs, WINDOW *w, int y, int rows, int cols)
{
    int n = cus_rows(cs, CUSTOMER_PART_TIMELINE);
    char head[160];

    if (y >= rows)
        return;
    if (n == 0)
        snprintf(head, sizeof(head), "Journey · nothing yet");
    else if (cs->k.entries > n)
        snprintf(head, sizeof(head), "Journey · newest %d of %lld entries", n, cs->k.entries);
    else
        snprintf(head, sizeof(head), "Journey · %d entr%s, newest first%s", n,
                 n == 1 ? "y" : "ies", cs->h.full ? "" : " (orders and returns)");
    tui_print(w, y++, 1, cols - 2, THEME_HEADER, TEXT_ALIGN_LEFT, head);
    cs->page = rows - y;
    if (cs->sel < cs->top)
        cs->top = cs->sel;
    if (cs->page > 0 && cs->sel >= cs->top + cs->page)
        cs->top = cs->sel - cs->page + 1;
    if (cs->top < 0)
        cs->top = 0;
    for (int i = cs->top; i < n && y < rows; i++, y++)
        cus_draw_entry(cs, w, y, cols, i);
}

static void cus_draw(struct screen *s, WINDOW *w)
{
    struct customer_screen *cs = s->state;
    int rows, cols, y = 0;

    getmaxyx(w, rows, cols);
    if (cs->ask != CUS_ASK_NONE)
        cus_ask_pending(s, cs);
    if (!cs->loaded) {
        tui_print(w, 1, 1, cols - 2, THEME_DIM, TEXT_ALIGN_LEFT, "Loading…");
        return;
    }
    if (cs->missing) {
        tui_print(w, 1, 1, cols - 2, THEME_WARNING, TEXT_ALIGN_LEFT,
                  "No such customer. Search with :customer NAME, phone, e-mail or card number.");
        return;
    }
    if (cs->h.erased_at[0] != '\0') {
        char line[160];
        snprintf(line, sizeof(line), "ERASED %s · personal data removed, consents withdrawn; "
                 "orders and returns kept for the accounts", cs->h.erased_at);
        tui_print(w, y++, 1, cols - 2, THEME_WARNING, TEXT_ALIGN_LEFT, line);
    } else if (cs->h.merged_into != 0) {
        char line[160];
        snprintf(line, sizeof(line), "MERGED into customer %lld%s%s · Enter opens it",
                 cs->h.merged_into, cs->h.merged_at[0] ? " on " : "", cs->h.merged_at);
        tui_print(w, y++, 1, cols - 2, THEME_WARNING, TEXT_ALIGN_LEFT, line);
    }
    y = cus_draw_identities(cs, w, y, rows, cols);
    if (cs->h.full) {
        y = cus_draw_profile(cs, w, y, rows, cols);
        y = cus_draw_consents(cs, w, y, rows, cols);
    } else {
        char *city = xstrdup(cs->h.city[0] ? cs->h.city : "—");
        y = cus_field(w, y, rows, cols, "City", &city, 1, 1);
        free(city);
    }
    if (y < rows)
        cus_draw_counts(cs, w, y++, cols);
    cus_draw_journey(cs, w, y, rows, cols);
}

/* A change to one of the orders or returns shown: load again. */
static void cus_notify(struct screen *s, const char *channel, const char *payload)
{
    struct customer_screen *cs = s->state;
    const PGresult *t = cs->part[CUSTOMER_PART_TIMELINE];
    const char *kind = strcmp(channel, "kontor_order") == 0    ? "order"
                       : strcmp(channel, "kontor_return") == 0 ? "return"
                                                               : NULL;

    if (kind == NULL || !cs->loaded || cs->busy)
        return;
    for (int i = 0; i < cus_rows(cs, CUSTOMER_PART_TIMELINE); i++)
        if (strcmp(db_value(t, i, CT_COL_KIND), kind) == 0
            && strcmp(db_value(t, i, CT_COL_ID), payload) == 0) {
            cus_load(s);
            return;
        }
}

static void cus_resume(struct screen *s)
{
    struct customer_screen *cs = s->state;

    if (!cs->busy)
        cus_load(s);
}

static void cus_close(struct screen *s)
{
    struct customer_screen *cs = s->state;

    cus_forget(cs);
    free(cs->json);
    cs->json = NULL;
}

const struct screen_ops screen_customer = {
    .name = "customer-view",
    .title = "Customer",
    .help = "one customer: profile, identities, consents and the journey across channels",
    .args = "ID",
    .perm = PERM_CUSTOMERS_VIEW,
    .in_palette = true,
    .state_size = sizeof(struct customer_screen),
    .keys = customer_keys,
    .nkeys = sizeof(customer_keys) / sizeof(customer_keys[0]),
    .open = cus_open,
    .draw = cus_draw,
    .key = cus_key,
    .result = cus_result,
    .notify = cus_notify,
    .resume = cus_resume,
    .close = cus_close,
};
