/* The table widget against a fake keyset source of 1,000 ordered rows: the
 * fetches paging, G/g and scrolling ask for, a bounded window, refresh, marks,
 * sort and filter; then drawing at 80 and 100 columns into a real ncurses pad. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/table.h"
#include "kontor/text.h"
#include "kontor/theme.h"

#include "curses_fixture.h"

#define FAKE_ROWS 1000
#define FAKE_MAX_CALLS 64
#define PAGE 20          /* the table's page before any draw */
#define LIMIT (2 * PAGE) /* it asks for two pages at a time */
#define KEEP (6 * PAGE)  /* and keeps at most six */

/* ---- the fake source: ordered integer keys, printed as "%06d" ---------- */

struct fake_call {
    enum table_fetch how;
    char key[32]; /* "" for FIRST/LAST */
    int limit;
};

struct fake {
    int *vals; /* sorted */
    int n;
    struct fake_call calls[FAKE_MAX_CALLS];
    int ncalls, seen;
    int changed;
    const char *names[4]; /* overrides for drawing tests */
};

static void fake_fetch(void *ctx, enum table_fetch how, const char *const *key, int limit)
{
    struct fake *fk = ctx;
    struct fake_call *c = &fk->calls[fk->ncalls++];

    assert_true(fk->ncalls < FAKE_MAX_CALLS);
    c->how = how;
    c->limit = limit;
    if (how == TABLE_FETCH_FIRST || how == TABLE_FETCH_LAST) {
        assert_null(key);
        c->key[0] = '\0';
    } else {
        assert_non_null(key);
        snprintf(c->key, sizeof(c->key), "%s", key[0]);
    }
}

static void fake_changed(void *ctx)
{
    ((struct fake *)ctx)->changed++;
}

static void fake_init(struct fake *fk)
{
    memset(fk, 0, sizeof(*fk));
    fk->vals = malloc(sizeof(int) * (FAKE_ROWS + 16));
    assert_non_null(fk->vals);
    for (int i = 0; i < FAKE_ROWS; i++)
        fk->vals[i] = i * 10;
    fk->n = FAKE_ROWS;
}

static void fake_insert(struct fake *fk, int v)
{
    int i = 0;

    while (i < fk->n && fk->vals[i] < v)
        i++;
    memmove(&fk->vals[i + 1], &fk->vals[i], sizeof(int) * (size_t)(fk->n - i));
    fk->vals[i] = v;
    fk->n++;
}

struct fake_result {
    const struct fake *fk;
    int idx[FAKE_ROWS + 16]; /* indexes into vals, in answer order */
    int n;
};

static const char *fake_value(const void *data, int row, int col)
{
    static char buf[64];
    const struct fake_result *r = data;
    int v = r->fk->vals[r->idx[row]];

    switch (col) {
    case 0:
        snprintf(buf, sizeof(buf), "K-%06d", v);
        return buf;
    case 1:
        if (r->fk->names[0] != NULL)
            return r->fk->names[r->idx[row] % 4];
        snprintf(buf, sizeof(buf), "Customer %d", v);
        return buf;
    case 2:
        return v % 20 == 0 ? "Web" : "App";
    case 3:
        snprintf(buf, sizeof(buf), "%d", v * 7 - 500);
        return buf;
    case 4:
        snprintf(buf, sizeof(buf), "%06d", v);
        return buf;
    default:
        fail_msg("column %d out of range", col);
        return NULL;
    }
}

/* Answers call number i as a database would. */
static void fake_answer_call(struct fake *fk, struct table *t, int i)
{
    struct fake_result *r = calloc(1, sizeof(*r));
    const struct fake_call *c = &fk->calls[i];
    int key = atoi(c->key), start = 0;

    assert_non_null(r);
    r->fk = fk;
    switch (c->how) {
    case TABLE_FETCH_FIRST:
        for (int k = 0; k < fk->n && r->n < c->limit; k++)
            r->idx[r->n++] = k;
        break;
    case TABLE_FETCH_LAST:
        for (int k = fk->n - 1; k >= 0 && r->n < c->limit; k--)
            r->idx[r->n++] = k;
        break;
    case TABLE_FETCH_AFTER:
    case TABLE_FETCH_FROM:
        while (start < fk->n && (c->how == TABLE_FETCH_AFTER ? fk->vals[start] <= key
                                                             : fk->vals[start] < key))
            start++;
        for (int k = start; k < fk->n && r->n < c->limit; k++)
            r->idx[r->n++] = k;
        break;
    case TABLE_FETCH_BEFORE:
        for (int k = fk->n - 1; k >= 0 && r->n < c->limit; k--)
            if (fk->vals[k] < key)
                r->idx[r->n++] = k;
        break;
    }
    table_receive(t, c->how, r->n, fake_value, r);
    free(r);
}

/* Expects exactly one new fetch call and returns its number. */
static int expect_call(struct fake *fk, enum table_fetch how, const char *key, int limit)
{
    assert_int_equal(fk->ncalls, fk->seen + 1);
    assert_int_equal(fk->calls[fk->seen].how, how);
    assert_string_equal(fk->calls[fk->seen].key, key != NULL ? key : "");
    assert_int_equal(fk->calls[fk->seen].limit, limit);
    return fk->seen++;
}

static void expect_no_call(const struct fake *fk)
{
    assert_int_equal(fk->ncalls, fk->seen);
}

static const struct table_column cols[] = {
    { .title = "Number", .width = 8, .priority = 1, .sortable = true },
    { .title = "Customer", .width = 0, .min_width = 12, .priority = 1 },
    { .title = "Channel", .width = 7, .priority = 2 },
    { .title = "Total €", .width = 10, .priority = 1, .money = true, .sortable = true },
};

static struct table *new_table(struct fake *fk)
{
    const struct table_source src = { .fetch = fake_fetch, .changed = fake_changed };

    fake_init(fk);
    return table_new(cols, 4, 1, &src, fk);
}

static void free_table(struct fake *fk, struct table *t)
{
    table_free(t);
    free(fk->vals);
}

static void key(struct table *t, enum action a)
{
    table_key(t, 0, a);
}

static void assert_selected(const struct table *t, const char *k)
{
    assert_non_null(table_selected_key(t));
    assert_string_equal(table_selected_key(t)[0], k);
}

/* Loads the first rows: one FIRST for two pages. */
static struct table *loaded_table(struct fake *fk)
{
    struct table *t = new_table(fk);

    assert_int_equal(table_page_rows(t), PAGE);
    table_reload(t);
    assert_true(table_loading(t));
    fake_answer_call(fk, t, expect_call(fk, TABLE_FETCH_FIRST, NULL, LIMIT));
    assert_false(table_loading(t));
    assert_int_equal(table_loaded_rows(t), LIMIT);
    assert_selected(t, "000000");
    assert_string_equal(table_selected_value(t, 0), "K-000000");
    expect_no_call(fk);
    return t;
}

static void test_page_down_and_up(void **state)
{
    struct fake fk;
    struct table *t = loaded_table(&fk);
    int expect_row = 0;

    /* Paging down: AFTER the last loaded key whenever less than a page is
     * loaded beyond the visible part; the window stays bounded. */
    for (int p = 0; p < 30; p++) {
        char want[16];

        key(t, ACTION_PAGE_DOWN);
        expect_row += PAGE;
        snprintf(want, sizeof(want), "%06d", expect_row * 10);
        assert_selected(t, want);
        if (fk.ncalls > fk.seen) {
            /* asked after the last loaded row: more than a page below us */
            assert_int_equal(fk.calls[fk.seen].how, TABLE_FETCH_AFTER);
            assert_int_equal(fk.calls[fk.seen].limit, LIMIT);
            assert_true(atoi(fk.calls[fk.seen].key) / 10 >= expect_row + PAGE - 1);
            fake_answer_call(&fk, t, fk.seen++);
        }
        expect_no_call(&fk);
        assert_true(table_loaded_rows(t) <= KEEP);
    }
    assert_selected(t, "006000");
    /* Back up: BEFORE the first loaded key once the view nears it. */
    for (int p = 0; p < 30; p++) {
        key(t, ACTION_PAGE_UP);
        expect_row -= PAGE;
        if (fk.ncalls > fk.seen) {
            assert_int_equal(fk.calls[fk.seen].how, TABLE_FETCH_BEFORE);
            assert_int_equal(fk.calls[fk.seen].limit, LIMIT);
            fake_answer_call(&fk, t, fk.seen++);
        }
        assert_true(table_loaded_rows(t) <= KEEP);
    }
    assert_selected(t, "000000");
    expect_no_call(&fk);
    free_table(&fk, t);
}

/* The exact calls of the first steps, boundary keys included. */
static void test_page_down_exact_keys(void **state)
{
    struct fake fk;
    struct table *t = loaded_table(&fk);

    key(t, ACTION_PAGE_DOWN); /* rows 20-39 visible, nothing beyond: ask */
    assert_selected(t, "000200");
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_AFTER, "000390", LIMIT));
    assert_int_equal(table_loaded_rows(t), 80);
    key(t, ACTION_PAGE_DOWN); /* rows 40-59, a page beyond: enough */
    expect_no_call(&fk);
    key(t, ACTION_PAGE_DOWN);
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_AFTER, "000790", LIMIT));
    assert_int_equal(table_loaded_rows(t), 120);
    key(t, ACTION_PAGE_DOWN);
    key(t, ACTION_PAGE_DOWN); /* 100-119 */
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_AFTER, "001190", LIMIT));
    /* 160 would be loaded: the 40 farthest above are dropped */
    assert_int_equal(table_loaded_rows(t), KEEP);
    assert_selected(t, "001000");
    /* so going back to the top has to ask BEFORE the first kept row */
    key(t, ACTION_PAGE_UP);
    key(t, ACTION_PAGE_UP);
    key(t, ACTION_PAGE_UP);
    assert_selected(t, "000400");
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_BEFORE, "000400", LIMIT));
    assert_selected(t, "000400");
    assert_true(table_loaded_rows(t) <= KEEP);
    key(t, ACTION_PAGE_UP);
    key(t, ACTION_PAGE_UP);
    assert_selected(t, "000000");
    /* 40 of 40 answered: the start is not known yet, so one more BEFORE,
     * whose empty answer settles it */
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_BEFORE, "000000", LIMIT));
    key(t, ACTION_PAGE_UP);
    key(t, ACTION_MOVE_UP);
    assert_selected(t, "000000");
    expect_no_call(&fk);
    free_table(&fk, t);
}

static void test_last_then_first(void **state)
{
    struct fake fk;
    struct table *t = loaded_table(&fk);
    int stale;

    key(t, ACTION_LAST); /* G: straight to the end, no scanning */
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_LAST, NULL, LIMIT));
    assert_selected(t, "009990");
    assert_string_equal(table_selected_value(t, 0), "K-009990");
    assert_int_equal(table_loaded_rows(t), LIMIT);
    key(t, ACTION_MOVE_UP); /* the answer came reversed and was flipped */
    assert_selected(t, "009980");
    key(t, ACTION_LAST);    /* already at the end: no fetch */
    assert_selected(t, "009990");
    expect_no_call(&fk);
    for (int i = 0; i < PAGE; i++)
        key(t, ACTION_MOVE_UP);
    stale = expect_call(&fk, TABLE_FETCH_BEFORE, "009600", LIMIT);
    key(t, ACTION_FIRST); /* g: FIRST directly; the BEFORE is now stale */
    expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT);
    fake_answer_call(&fk, t, stale);
    assert_int_equal(table_loaded_rows(t), LIMIT); /* ignored */
    fake_answer_call(&fk, t, fk.seen - 1);
    assert_selected(t, "000000");
    key(t, ACTION_MOVE_UP);
    assert_selected(t, "000000");
    expect_no_call(&fk);
    free_table(&fk, t);
}

static void test_move_past_loaded_rows(void **state)
{
    struct fake fk;
    struct table *t = loaded_table(&fk);
    int call = -1;

    for (int i = 0; i < 60; i++) {
        key(t, ACTION_MOVE_DOWN);
        if (i == PAGE - 1) /* the view starts to scroll: ask once */
            call = expect_call(&fk, TABLE_FETCH_AFTER, "000390", LIMIT);
        expect_no_call(&fk); /* never again while it is outstanding */
    }
    assert_selected(t, "000390"); /* held at the last loaded row */
    fake_answer_call(&fk, t, call);
    key(t, ACTION_MOVE_DOWN);
    assert_selected(t, "000400");
    free_table(&fk, t);
}

/* The end of the data: a short answer means no more fetching there. */
static void test_end_reached(void **state)
{
    struct fake fk;
    struct table *t = new_table(&fk);

    fk.n = 25;
    table_reload(t);
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT));
    for (int i = 0; i < 40; i++)
        key(t, ACTION_PAGE_DOWN);
    assert_selected(t, "000240");
    expect_no_call(&fk);
    free_table(&fk, t);
}

static void test_refresh_keeps_cursor_mid_list(void **state)
{
    struct fake fk;
    struct table *t = loaded_table(&fk);

    key(t, ACTION_PAGE_DOWN);
    fake_answer_call(&fk, t, fk.seen++);
    for (int i = 0; i < 5; i++)
        key(t, ACTION_MOVE_DOWN);
    assert_selected(t, "000250");
    fake_insert(&fk, 5);   /* above the top visible row */
    fake_insert(&fk, 215); /* between the top row and the cursor */
    fake_insert(&fk, 225);
    table_refresh(t);
    int from = expect_call(&fk, TABLE_FETCH_FROM, "000200", 60);

    fake_answer_call(&fk, t, from);
    assert_selected(t, "000250");
    fake_answer_call(&fk, t, from); /* the same answer twice changes nothing */
    assert_selected(t, "000250");
    key(t, ACTION_MOVE_UP);
    key(t, ACTION_MOVE_UP);
    key(t, ACTION_MOVE_UP);
    assert_selected(t, "000225"); /* the new rows are there */
    free_table(&fk, t);
}

static void test_refresh_at_top_shows_new_rows(void **state)
{
    struct fake fk;
    struct table *t = loaded_table(&fk);

    for (int i = 0; i < 5; i++)
        key(t, ACTION_MOVE_DOWN);
    assert_selected(t, "000050");
    fake_insert(&fk, -1);
    fake_insert(&fk, -2);
    fake_insert(&fk, 15);
    table_refresh(t);
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT));
    assert_selected(t, "000050");
    key(t, ACTION_FIRST);
    assert_selected(t, "-00002");
    expect_no_call(&fk);
    /* the selected row deleted: the cursor stays on its line */
    for (int i = 0; i < 3; i++)
        key(t, ACTION_MOVE_DOWN);
    assert_selected(t, "000010");
    fk.vals[3] = 12; /* "000010" is gone, "000012" took its place */
    table_refresh(t);
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT));
    assert_selected(t, "000012");
    free_table(&fk, t);
}

static void test_marks_survive_paging(void **state)
{
    struct fake fk;
    struct table *t = loaded_table(&fk);
    const char *const *marked;
    size_t n;

    key(t, ACTION_MARK); /* marks 000000 and moves on */
    assert_selected(t, "000010");
    key(t, ACTION_MOVE_DOWN);
    key(t, ACTION_MARK); /* 000020 */
    marked = table_marked_keys(t, &n);
    assert_int_equal(n, 2);
    assert_string_equal(marked[0], "000000");
    assert_string_equal(marked[1], "000020");
    for (int p = 0; p < 12; p++) { /* far enough that those rows are dropped */
        key(t, ACTION_PAGE_DOWN);
        if (fk.ncalls > fk.seen)
            fake_answer_call(&fk, t, fk.seen++);
    }
    key(t, ACTION_FIRST);
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT));
    marked = table_marked_keys(t, &n);
    assert_int_equal(n, 2);
    key(t, ACTION_MARK); /* the reloaded row knows it was marked: unmark */
    marked = table_marked_keys(t, &n);
    assert_int_equal(n, 1);
    assert_string_equal(marked[0], "000020");
    table_clear_marks(t);
    table_marked_keys(t, &n);
    assert_int_equal(n, 0);
    free_table(&fk, t);
}

static void test_sort_cycles_and_resets(void **state)
{
    struct fake fk;
    struct table *t = loaded_table(&fk);
    bool desc = true;

    assert_int_equal(table_sort(t, &desc), 0);
    assert_false(desc);
    key(t, ACTION_PAGE_DOWN);
    fake_answer_call(&fk, t, fk.seen++);
    key(t, ACTION_SORT);
    assert_int_equal(table_sort(t, &desc), 0);
    assert_true(desc);
    assert_int_equal(fk.changed, 1);
    fake_answer_call(&fk, t, expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT));
    assert_selected(t, "000000");
    key(t, ACTION_SORT);
    assert_int_equal(table_sort(t, &desc), 3); /* the next sortable column */
    assert_false(desc);
    expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT);
    key(t, ACTION_SORT);
    assert_int_equal(table_sort(t, &desc), 3);
    assert_true(desc);
    expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT);
    key(t, ACTION_SORT);
    assert_int_equal(table_sort(t, &desc), 0);
    assert_false(desc);
    expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT);
    assert_int_equal(fk.changed, 4);
    free_table(&fk, t);
}

static void test_filter_typing(void **state)
{
    struct fake fk;
    struct table *t = loaded_table(&fk);

    key(t, ACTION_PAGE_DOWN);
    fake_answer_call(&fk, t, fk.seen++);
    assert_true(table_key(t, '/', ACTION_FILTER));
    assert_true(table_filter_editing(t));
    expect_no_call(&fk);
    assert_true(table_key(t, 'j', ACTION_MOVE_DOWN)); /* typed, not moved */
    assert_string_equal(table_filter(t), "j");
    expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT);
    table_key(t, 0xf6, ACTION_NONE); /* ö */
    table_key(t, ' ', ACTION_MARK);
    table_key(t, 'q', ACTION_BACK);
    assert_string_equal(table_filter(t), "j\xc3\xb6 q");
    assert_int_equal(fk.ncalls - fk.seen, 3);
    fk.seen = fk.ncalls;
    table_key(t, 27, ACTION_BACK);
    assert_false(table_filter_editing(t)); /* Esc cleared and left */
    assert_string_equal(table_filter(t), "");
    expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT);
    table_key(t, '/', ACTION_FILTER);
    table_key(t, 0xf6, ACTION_NONE);
    table_key(t, 'x', ACTION_NONE);
    table_key(t, 127, ACTION_NONE); /* Backspace */
    assert_string_equal(table_filter(t), "\xc3\xb6");
    table_key(t, 127, ACTION_NONE); /* a whole UTF-8 character */
    assert_string_equal(table_filter(t), "");
    table_key(t, 'a', ACTION_ACTIONS_MENU);
    table_key(t, 'b', ACTION_NONE);
    table_key(t, 21, ACTION_NONE); /* C-u */
    assert_string_equal(table_filter(t), "");
    table_key(t, 'k', ACTION_MOVE_UP);
    fk.seen = fk.ncalls;
    assert_true(table_key(t, 10, ACTION_OPEN)); /* Enter keeps it */
    assert_false(table_filter_editing(t));
    assert_string_equal(table_filter(t), "k");
    expect_no_call(&fk);
    assert_true(table_key(t, 27, ACTION_BACK)); /* Esc clears first */
    assert_string_equal(table_filter(t), "");
    expect_call(&fk, TABLE_FETCH_FIRST, NULL, LIMIT);
    assert_false(table_key(t, 27, ACTION_BACK)); /* then the screen goes back */
    assert_int_equal(fk.changed, 14);
    free_table(&fk, t);
}

static void test_total_text(void **state)
{
    struct fake fk;
    struct table *t = new_table(&fk);
    char buf[32];

    assert_string_equal(table_total_text(t, buf, sizeof(buf)), "");
    table_set_total(t, 18400, true);
    assert_string_equal(table_total_text(t, buf, sizeof(buf)), "~18,400");
    table_set_total(t, 1234567, false);
    assert_string_equal(table_total_text(t, buf, sizeof(buf)), "1,234,567");
    table_set_total(t, 999, false);
    assert_string_equal(table_total_text(t, buf, sizeof(buf)), "999");
    table_set_total(t, 0, false);
    assert_string_equal(table_total_text(t, buf, sizeof(buf)), "0");
    free_table(&fk, t);
}

/* ---- drawing ------------------------------------------------------------ */


/* One line of w as UTF-8. */
static char *line_of(WINDOW *w, int y, int width)
{
    static char buf[1024];

    memset(buf, 0, sizeof(buf));
    assert_true(mvwinnstr(w, y, 0, buf, (int)sizeof(buf) - 1) != ERR);
    buf[sizeof(buf) - 1] = '\0';
    (void)width;
    return buf;
}

/* The display column at which needle starts in line, -1 if absent. */
static int column_of(const char *line, const char *needle)
{
    const char *p = strstr(line, needle);
    char *prefix;
    int col;

    if (p == NULL)
        return -1;
    prefix = strndup(line, (size_t)(p - line));
    col = text_width(prefix);
    free(prefix);
    return col;
}

static const struct table_column order_cols[] = {
    { .title = "Number", .width = 9, .priority = 1 },
    { .title = "Placed", .width = 13, .priority = 3 },
    { .title = "Channel", .width = 8, .priority = 2 },
    { .title = "Location", .width = 9, .priority = 4 },
    { .title = "Customer", .width = 0, .min_width = 14, .priority = 1 },
    { .title = "Fulfil.", .width = 8, .priority = 4 },
    { .title = "Status", .width = 16, .priority = 2 },
    { .title = "Total €", .width = 10, .priority = 1, .money = true },
};

static const char *order_rows[][9] = {
    { "K-104233", "23.11. 10:41", "App", "Bremen", "Jürgen Müller", "C&C", "ready for pickup",
      "10195", "104233" },
    { "K-104232", "23.11. 10:40", "Web", "—", "山田 花子", "ship", "paid", "123450", "104232" },
    { "K-104231", "23.11. 10:38", "Web", "Hamburg", "Evil\x1b[2J name", "in store",
      "collected", "-310", "104231" },
};

static const char *order_value(const void *data, int row, int col)
{
    (void)data;
    return order_rows[row][col];
}

static void order_fetch(void *ctx, enum table_fetch how, const char *const *key, int limit)
{
    (*(int *)ctx)++;
}

static struct table *order_table(int *calls)
{
    const struct table_source src = { .fetch = order_fetch };
    struct table *t = table_new(order_cols, 8, 1, &src, calls);

    table_reload(t);
    table_receive(t, TABLE_FETCH_FIRST, 3, order_value, NULL);
    return t;
}

static void test_draw_100_columns(void **state)
{
    int calls = 0;
    struct table *t = order_table(&calls);
    WINDOW *w = newpad(12, 100);
    char *l;
    int money_end;

    assert_non_null(w);
    table_key(t, 0, ACTION_MOVE_DOWN);
    table_draw(t, w, 0, 0, 10, 100);
    l = line_of(w, 0, 100);
    assert_int_equal(column_of(l, "Number"), 2);
    assert_true(column_of(l, "Location") > 0);
    assert_true(column_of(l, "Fulfil.") > 0);
    /* money right-aligned: the header and every amount end in one column */
    money_end = column_of(l, "Total €") + text_width("Total €");
    assert_true(money_end <= 100);
    assert_int_equal(column_of(line_of(w, 1, 100), "101.95") + 6, money_end);
    assert_int_equal(column_of(line_of(w, 2, 100), "1,234.50") + 8, money_end);
    assert_int_equal(column_of(line_of(w, 3, 100), "-3.10") + 5, money_end);
    /* the CJK name takes 9 columns, yet the next column starts in line */
    assert_int_equal(column_of(line_of(w, 2, 100), "ship"),
                     column_of(line_of(w, 1, 100), "C&C"));
    assert_int_equal(column_of(line_of(w, 2, 100), "paid"),
                     column_of(line_of(w, 1, 100), "ready"));
    /* the selection: ▶ in the gutter and the selected attribute */
    assert_int_equal(column_of(line_of(w, 2, 100), "▶"), 0);
    assert_int_equal(column_of(line_of(w, 1, 100), "▶"), -1);
    assert_true((mvwinch(w, 2, 0) & A_REVERSE) != 0);
    assert_true((mvwinch(w, 1, 0) & A_REVERSE) == 0);
    delwin(w);
    table_free(t);
}

static void test_draw_80_columns_drops_by_priority(void **state)
{
    int calls = 0;
    struct table *t = order_table(&calls);
    WINDOW *w = newpad(12, 100);
    char *l;
    int money_end;

    assert_non_null(w);
    table_draw(t, w, 0, 0, 10, 80);
    l = line_of(w, 0, 100);
    assert_int_equal(column_of(l, "Location"), -1);
    assert_int_equal(column_of(l, "Fulfil."), -1);
    assert_true(column_of(l, "Placed") > 0);
    assert_true(column_of(l, "Channel") > 0);
    assert_true(column_of(l, "Status") > 0);
    money_end = column_of(l, "Total €") + text_width("Total €");
    assert_true(money_end <= 80);
    assert_int_equal(column_of(line_of(w, 1, 100), "101.95") + 6, money_end);
    assert_int_equal(column_of(line_of(w, 3, 100), "-3.10") + 5, money_end);
    assert_int_equal(column_of(line_of(w, 2, 100), "paid"),
                     column_of(line_of(w, 1, 100), "ready"));
    /* nothing drawn past the area */
    for (int x = 80; x < 100; x++)
        assert_int_equal(mvwinch(w, 1, x) & A_CHARTEXT, ' ');
    delwin(w);
    table_free(t);
}

/* An escape sequence in the data is drawn as text, never sent. */
static void test_draw_escape_visible(void **state)
{
    int calls = 0;
    struct table *t = order_table(&calls);
    WINDOW *w = newpad(12, 100);
    cchar_t cells[100];
    char *l;

    assert_non_null(w);
    table_draw(t, w, 0, 0, 10, 100);
    l = line_of(w, 3, 100);
    assert_true(column_of(l, "Evil^[[2J") > 0);
    assert_null(strchr(l, '\x1b'));
    assert_true(mvwin_wchnstr(w, 3, 0, cells, 99) != ERR);
    for (int x = 0; x < 99; x++) {
        wchar_t wc[CCHARW_MAX + 1];
        attr_t a;
        short pair;

        getcchar(&cells[x], wc, &a, &pair, NULL);
        assert_true(wc[0] != 0x1b);
    }
    delwin(w);
    table_free(t);
}

static void test_draw_states_and_filter_line(void **state)
{
    const struct table_source src = { .fetch = order_fetch };
    int calls = 0;
    struct table *t = table_new(order_cols, 8, 1, &src, &calls);
    WINDOW *w = newpad(12, 100);
    int y, x;

    assert_non_null(w);
    table_reload(t);
    table_draw(t, w, 0, 0, 10, 80);
    assert_true(column_of(line_of(w, 1, 100), "Loading…") >= 0);
    table_receive(t, TABLE_FETCH_FIRST, 0, order_value, NULL);
    table_draw(t, w, 0, 0, 10, 80);
    assert_true(column_of(line_of(w, 1, 100), "No rows") >= 0);
    assert_false(table_cursor(t, &y, &x));
    table_key(t, '/', ACTION_FILTER);
    table_key(t, 0x5c71, ACTION_NONE); /* 山 */
    table_key(t, 'a', ACTION_NONE);
    table_draw(t, w, 0, 0, 10, 80);
    assert_int_equal(column_of(line_of(w, 9, 100), "/山a"), 0);
    assert_true(table_cursor(t, &y, &x));
    assert_int_equal(y, 9);
    assert_int_equal(x, 4);
    assert_int_equal(table_page_rows(t), 8);
    assert_null(table_selected_key(t));
    assert_null(table_selected_value(t, 0));
    delwin(w);
    table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_page_down_and_up),
        cmocka_unit_test(test_page_down_exact_keys),
        cmocka_unit_test(test_last_then_first),
        cmocka_unit_test(test_move_past_loaded_rows),
        cmocka_unit_test(test_end_reached),
        cmocka_unit_test(test_refresh_keeps_cursor_mid_list),
        cmocka_unit_test(test_refresh_at_top_shows_new_rows),
        cmocka_unit_test(test_marks_survive_paging),
        cmocka_unit_test(test_sort_cycles_and_resets),
        cmocka_unit_test(test_filter_typing),
        cmocka_unit_test(test_total_text),
    };
    const struct CMUnitTest draw_tests[] = {
        cmocka_unit_test(test_draw_100_columns),
        cmocka_unit_test(test_draw_80_columns_drops_by_priority),
        cmocka_unit_test(test_draw_escape_visible),
        cmocka_unit_test(test_draw_states_and_filter_line),
    };
    int failed;

    setlocale(LC_ALL, "C.UTF-8");
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed + cmocka_run_group_tests(draw_tests, setup_curses, teardown_curses);
}
