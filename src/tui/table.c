/* The list widget: a bounded window of rows fetched by key from the screen's
 * data source, a cursor that stays on its key across refreshes, marks by key,
 * sort and filter, and a column layout that drops columns by priority. */
#include "kontor/table.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "kontor/theme.h"
#include "kontor/xalloc.h"

#define TABLE_GUTTER 2       /* "▶" for the selection, "*" for a mark */
#define TABLE_FETCH_PAGES 2  /* rows asked for at a time, in pages */
#define TABLE_KEEP_PAGES 6   /* rows kept in memory, in pages */
#define TABLE_DEFAULT_PAGE 20
#define TABLE_FLEX_MIN 8
#define TABLE_FILTER_MAX 256 /* bytes of filter text */
#define TABLE_KEY_ENTER 10
#define TABLE_KEY_ESC 27
#define TABLE_KEY_CTRL_U 21
#define TABLE_KEY_BACKSPACE 127
#define TABLE_SELECTED_MARK "\xe2\x96\xb6" /* U+25B6 ▶ */

struct table_row {
    char **v; /* ncols display values, then nkey key strings */
    bool marked;
};

struct table {
    struct table_column *cols;
    int ncols, nkey;
    struct table_source src;
    void *ctx;

    struct table_row *rows;
    size_t nrows;
    size_t top, cursor;
    bool at_start, at_end; /* the window holds the first / last row */

    /* Outstanding fetches. A reset (FIRST, LAST, FROM) replaces the window;
     * answers of the latest reset kind always apply, edge answers only
     * while asked for and no reset is on its way. */
    bool pending[TABLE_FETCH_KINDS];
    int limit[TABLE_FETCH_KINDS];
    enum table_fetch reset_kind;
    char **keep_key;   /* refresh: the cursor's key to find again */
    size_t keep_offset; /* refresh: the cursor's old line on screen */

    int page;
    int sort_col;
    bool sort_desc;
    char filter[TABLE_FILTER_MAX];
    size_t filter_len;
    bool editing;
    char **marks;
    size_t nmarks;
    long long total;
    bool total_estimate;
    bool cur_visible;
    int cur_y, cur_x;
};

static int table_nvalues(const struct table *t)
{
    return t->ncols + t->nkey;
}

static bool table_reset_pending(const struct table *t)
{
    return t->pending[TABLE_FETCH_FIRST] || t->pending[TABLE_FETCH_LAST] ||
           t->pending[TABLE_FETCH_FROM];
}

static void table_row_free(const struct table *t, struct table_row *r)
{
    for (int i = 0; i < table_nvalues(t); i++)
        free(r->v[i]);
    free(r->v);
}

static void table_rows_clear(struct table *t)
{
    for (size_t i = 0; i < t->nrows; i++)
        table_row_free(t, &t->rows[i]);
    free(t->rows);
    t->rows = NULL;
    t->nrows = t->top = t->cursor = 0;
}

static char **table_key_copy(const struct table *t, const struct table_row *r)
{
    char **key = xcalloc((size_t)t->nkey, sizeof(*key));

    for (int i = 0; i < t->nkey; i++)
        key[i] = xstrdup(r->v[t->ncols + i]);
    return key;
}

static void table_key_free(const struct table *t, char **key)
{
    if (key == NULL)
        return;
    for (int i = 0; i < t->nkey; i++)
        free(key[i]);
    free(key);
}

static bool table_row_has_key(const struct table *t, const struct table_row *r, char **key)
{
    for (int i = 0; i < t->nkey; i++)
        if (strcmp(r->v[t->ncols + i], key[i]) != 0)
            return false;
    return true;
}

/* ---- marks ------------------------------------------------------------ */

static ssize_t table_mark_find(const struct table *t, const char *key)
{
    for (size_t i = 0; i < t->nmarks; i++)
        if (strcmp(t->marks[i], key) == 0)
            return (ssize_t)i;
    return -1;
}

static void table_mark_toggle(struct table *t, struct table_row *r)
{
    const char *key = r->v[t->ncols];
    ssize_t i = table_mark_find(t, key);

    if (i >= 0) {
        free(t->marks[i]);
        memmove(&t->marks[i], &t->marks[i + 1], (t->nmarks - (size_t)i - 1) * sizeof(char *));
        t->nmarks--;
        r->marked = false;
        return;
    }
    t->marks = xreallocarray(t->marks, t->nmarks + 1, sizeof(char *));
    t->marks[t->nmarks++] = xstrdup(key);
    r->marked = true;
}

void table_clear_marks(struct table *t)
{
    for (size_t i = 0; i < t->nmarks; i++)
        free(t->marks[i]);
    free(t->marks);
    t->marks = NULL;
    t->nmarks = 0;
    for (size_t i = 0; i < t->nrows; i++)
        t->rows[i].marked = false;
}

const char *const *table_marked_keys(const struct table *t, size_t *count)
{
    *count = t->nmarks;
    return (const char *const *)t->marks;
}

/* ---- construction ----------------------------------------------------- */

struct table *table_new(const struct table_column *cols, size_t ncols, size_t nkey,
                        const struct table_source *src, void *ctx)
{
    struct table *t = xcalloc(1, sizeof(*t));

    t->cols = xcalloc(ncols, sizeof(*t->cols));
    memcpy(t->cols, cols, ncols * sizeof(*cols));
    t->ncols = (int)ncols;
    t->nkey = nkey > 0 ? (int)nkey : 1;
    t->src = *src;
    t->ctx = ctx;
    t->page = TABLE_DEFAULT_PAGE;
    t->reset_kind = TABLE_FETCH_FIRST;
    t->total = -1;
    t->sort_col = -1;
    for (int i = 0; i < t->ncols; i++) {
        if (t->cols[i].sortable) {
            t->sort_col = i;
            break;
        }
    }
    return t;
}

void table_free(struct table *t)
{
    if (t == NULL)
        return;
    table_rows_clear(t);
    table_clear_marks(t);
    table_key_free(t, t->keep_key);
    free(t->cols);
    free(t);
}

/* ---- fetching --------------------------------------------------------- */

static int table_fetch_limit(const struct table *t)
{
    return t->page * TABLE_FETCH_PAGES;
}

static size_t table_keep_max(const struct table *t)
{
    return (size_t)t->page * TABLE_KEEP_PAGES;
}

/* The key is copied for the call: a source may answer at once, and the
 * answer replaces the rows the key came from. */
static void table_issue(struct table *t, enum table_fetch how, const struct table_row *r,
                        int limit)
{
    char **key = r != NULL ? table_key_copy(t, r) : NULL;

    if (how == TABLE_FETCH_FIRST || how == TABLE_FETCH_LAST || how == TABLE_FETCH_FROM) {
        memset(t->pending, 0, sizeof(t->pending));
        t->reset_kind = how;
    }
    t->pending[how] = true;
    t->limit[how] = limit;
    t->src.fetch(t->ctx, how, (const char *const *)key, limit);
    table_key_free(t, key);
}

static void table_issue_reset(struct table *t, enum table_fetch how)
{
    table_key_free(t, t->keep_key);
    t->keep_key = NULL;
    table_issue(t, how, NULL, table_fetch_limit(t));
}

/* Asks for more rows when less than a page is loaded beyond the visible
 * part; the window keeps more than that, so trimming never asks back. */
static void table_prefetch(struct table *t)
{
    size_t page = (size_t)t->page;

    if (table_reset_pending(t) || t->nrows == 0)
        return;
    if (!t->at_end && !t->pending[TABLE_FETCH_AFTER] && t->nrows < t->top + 2 * page)
        table_issue(t, TABLE_FETCH_AFTER, &t->rows[t->nrows - 1], table_fetch_limit(t));
    if (table_reset_pending(t) || t->nrows == 0)
        return;
    if (!t->at_start && !t->pending[TABLE_FETCH_BEFORE] && t->top < page)
        table_issue(t, TABLE_FETCH_BEFORE, &t->rows[0], table_fetch_limit(t));
}

static void table_scroll(struct table *t)
{
    size_t page = (size_t)t->page;
    size_t max_top = t->nrows > page ? t->nrows - page : 0;

    if (t->nrows == 0) {
        t->top = t->cursor = 0;
        return;
    }
    if (t->cursor >= t->nrows)
        t->cursor = t->nrows - 1;
    if (t->cursor < t->top)
        t->top = t->cursor;
    if (t->cursor >= t->top + page)
        t->top = t->cursor - page + 1;
    if (t->top > max_top)
        t->top = max_top;
}

void table_reload(struct table *t)
{
    table_issue_reset(t, TABLE_FETCH_FIRST);
}

void table_refresh(struct table *t)
{
    size_t limit;

    if (table_reset_pending(t))
        return; /* the answer on its way is fresh anyway */
    if (t->nrows == 0) {
        table_reload(t);
        return;
    }
    table_key_free(t, t->keep_key);
    t->keep_key = table_key_copy(t, &t->rows[t->cursor]);
    t->keep_offset = t->cursor - t->top;
    if (t->at_start && t->top == 0) {
        table_issue(t, TABLE_FETCH_FIRST, NULL, table_fetch_limit(t));
        return;
    }
    limit = t->nrows - t->top;
    if (limit < (size_t)table_fetch_limit(t))
        limit = (size_t)table_fetch_limit(t);
    if (limit > table_keep_max(t))
        limit = table_keep_max(t);
    table_issue(t, TABLE_FETCH_FROM, &t->rows[t->top], (int)limit);
}

void table_fetch_failed(struct table *t, enum table_fetch how)
{
    if ((unsigned)how < TABLE_FETCH_KINDS)
        t->pending[how] = false;
}

bool table_loading(const struct table *t)
{
    return table_reset_pending(t);
}

/* Reads n answer rows into a new array, in display order. */
static struct table_row *table_read_rows(struct table *t, int n, table_value_fn value,
                                         const void *data, bool reversed)
{
    struct table_row *rows = xcalloc((size_t)n, sizeof(*rows));

    for (int i = 0; i < n; i++) {
        struct table_row *r = &rows[reversed ? n - 1 - i : i];

        r->v = xcalloc((size_t)table_nvalues(t), sizeof(char *));
        for (int c = 0; c < table_nvalues(t); c++) {
            const char *s = value(data, i, c);

            r->v[c] = xstrdup(s != NULL ? s : "");
        }
        r->marked = table_mark_find(t, r->v[t->ncols]) >= 0;
    }
    return rows;
}

/* Drops rows far from the visible part, keeping a page beyond it. */
static void table_trim(struct table *t, bool from_front)
{
    size_t page = (size_t)t->page, max = table_keep_max(t), drop;

    if (t->nrows <= max)
        return;
    drop = t->nrows - max;
    if (from_front) {
        if (drop > (t->top > page ? t->top - page : 0))
            drop = t->top > page ? t->top - page : 0;
        for (size_t i = 0; i < drop; i++)
            table_row_free(t, &t->rows[i]);
        memmove(t->rows, t->rows + drop, (t->nrows - drop) * sizeof(*t->rows));
        t->top -= drop;
        t->cursor -= drop;
        if (drop > 0)
            t->at_start = false;
    } else {
        size_t keep = t->top + 2 * page;

        if (t->nrows < keep || drop > t->nrows - keep)
            drop = t->nrows > keep ? t->nrows - keep : 0;
        for (size_t i = t->nrows - drop; i < t->nrows; i++)
            table_row_free(t, &t->rows[i]);
        if (drop > 0)
            t->at_end = false;
    }
    t->nrows -= drop;
}

static void table_insert_rows(struct table *t, struct table_row *rows, size_t n, bool front)
{
    t->rows = xreallocarray(t->rows, t->nrows + n, sizeof(*t->rows));
    if (front) {
        memmove(t->rows + n, t->rows, t->nrows * sizeof(*t->rows));
        memcpy(t->rows, rows, n * sizeof(*rows));
        t->top += n;
        t->cursor += n;
    } else {
        memcpy(t->rows + t->nrows, rows, n * sizeof(*rows));
    }
    t->nrows += n;
    free(rows);
}

/* After a refresh: the cursor back on its key, or on its old screen line. */
static void table_restore_cursor(struct table *t)
{
    t->top = 0;
    t->cursor = t->keep_offset;
    for (size_t i = 0; i < t->nrows; i++) {
        if (table_row_has_key(t, &t->rows[i], t->keep_key)) {
            t->cursor = i;
            break;
        }
    }
    table_key_free(t, t->keep_key);
    t->keep_key = NULL;
}

static void table_receive_reset(struct table *t, enum table_fetch how, struct table_row *rows,
                                size_t n, bool full)
{
    if (how == TABLE_FETCH_FROM && t->keep_key == NULL && t->nrows > 0) {
        t->keep_key = table_key_copy(t, &t->rows[t->cursor]); /* a repeated answer */
        t->keep_offset = t->cursor - t->top;
    }
    table_rows_clear(t);
    t->rows = rows;
    t->nrows = n;
    t->at_start = how == TABLE_FETCH_FIRST || (how == TABLE_FETCH_LAST && !full);
    t->at_end = how == TABLE_FETCH_LAST || !full;
    if (t->keep_key != NULL) {
        table_restore_cursor(t);
    } else if (how == TABLE_FETCH_LAST) {
        t->cursor = n > 0 ? n - 1 : 0;
        t->top = n > (size_t)t->page ? n - (size_t)t->page : 0;
    }
    memset(t->pending, 0, sizeof(t->pending));
}

void table_receive(struct table *t, enum table_fetch how, int nrows, table_value_fn value,
                   const void *data)
{
    bool reset = how == TABLE_FETCH_FIRST || how == TABLE_FETCH_LAST || how == TABLE_FETCH_FROM;
    bool reversed = how == TABLE_FETCH_LAST || how == TABLE_FETCH_BEFORE;
    struct table_row *rows;
    size_t n = nrows > 0 ? (size_t)nrows : 0;
    bool full;

    if ((unsigned)how >= TABLE_FETCH_KINDS)
        return;
    if (reset ? how != t->reset_kind : !t->pending[how] || table_reset_pending(t))
        return; /* nobody waits for this answer any more */
    full = t->limit[how] > 0 && nrows >= t->limit[how];
    rows = table_read_rows(t, (int)n, value, data, reversed);
    if (reset) {
        table_receive_reset(t, how, rows, n, full);
    } else {
        t->pending[how] = false;
        table_insert_rows(t, rows, n, how == TABLE_FETCH_BEFORE);
        if (how == TABLE_FETCH_AFTER)
            t->at_end = !full;
        else
            t->at_start = !full;
        table_trim(t, how == TABLE_FETCH_AFTER);
    }
    table_scroll(t);
    table_prefetch(t);
}

/* ---- selection, sort, filter, total ------------------------------------ */

const char *const *table_selected_key(const struct table *t)
{
    if (t->nrows == 0)
        return NULL;
    return (const char *const *)t->rows[t->cursor].v + t->ncols;
}

const char *table_selected_value(const struct table *t, int col)
{
    if (t->nrows == 0 || col < 0 || col >= table_nvalues(t))
        return NULL;
    return t->rows[t->cursor].v[col];
}

int table_sort(const struct table *t, bool *desc)
{
    if (desc != NULL)
        *desc = t->sort_desc;
    return t->sort_col;
}

void table_set_sort(struct table *t, int col, bool desc)
{
    if (col >= -1 && col < t->ncols) {
        t->sort_col = col;
        t->sort_desc = desc;
    }
}

static void table_changed(struct table *t)
{
    if (t->src.changed != NULL)
        t->src.changed(t->ctx);
    table_issue_reset(t, TABLE_FETCH_FIRST);
}

/* Ascending, then descending, then the next sortable column. */
static bool table_cycle_sort(struct table *t)
{
    int next = -1;

    if (t->sort_col >= 0 && !t->sort_desc) {
        t->sort_desc = true;
        table_changed(t);
        return true;
    }
    for (int i = 1; i <= t->ncols && next < 0; i++) {
        int c = ((t->sort_col < 0 ? -1 : t->sort_col) + i + t->ncols) % t->ncols;

        if (t->cols[c].sortable)
            next = c;
    }
    if (next < 0)
        return false;
    t->sort_col = next;
    t->sort_desc = false;
    table_changed(t);
    return true;
}

const char *table_filter(const struct table *t)
{
    return t->filter;
}

bool table_filter_editing(const struct table *t)
{
    return t->editing;
}

void table_set_filter(struct table *t, const char *text)
{
    size_t n = text != NULL ? strlen(text) : 0;

    if (n >= TABLE_FILTER_MAX)
        n = TABLE_FILTER_MAX - 1;
    while (n > 0 && ((unsigned char)text[n] & 0xc0) == 0x80)
        n--; /* never cut a character in half */
    memcpy(t->filter, text != NULL ? text : "", n);
    t->filter[n] = '\0';
    t->filter_len = n;
    table_changed(t);
}

void table_set_total(struct table *t, long long n, bool estimate)
{
    t->total = n;
    t->total_estimate = estimate;
}

const char *table_total_text(const struct table *t, char *buf, size_t len)
{
    char digits[32], grouped[48];
    size_t nd, j = 0;

    if (len == 0)
        return buf;
    if (t->total < 0) {
        buf[0] = '\0';
        return buf;
    }
    nd = (size_t)snprintf(digits, sizeof(digits), "%lld", t->total);
    for (size_t i = 0; i < nd; i++) {
        if (i > 0 && (nd - i) % 3 == 0)
            grouped[j++] = ',';
        grouped[j++] = digits[i];
    }
    grouped[j] = '\0';
    snprintf(buf, len, "%s%s", t->total_estimate ? "~" : "", grouped);
    return buf;
}

size_t table_loaded_rows(const struct table *t)
{
    return t->nrows;
}

int table_page_rows(const struct table *t)
{
    return t->page;
}

/* ---- keys ------------------------------------------------------------- */

static void table_move(struct table *t, long delta)
{
    if (t->nrows == 0)
        return;
    if (delta < 0)
        t->cursor = (size_t)-delta > t->cursor ? 0 : t->cursor - (size_t)-delta;
    else
        t->cursor = t->cursor + (size_t)delta >= t->nrows ? t->nrows - 1
                                                            : t->cursor + (size_t)delta;
    table_scroll(t);
    table_prefetch(t);
}

/* A page at a time: the view moves by a page, and the cursor with it. */
static void table_page(struct table *t, bool down)
{
    size_t page = (size_t)t->page;

    if (t->nrows == 0)
        return;
    if (down) {
        size_t max_top = t->nrows > page ? t->nrows - page : 0;

        t->top = t->top + page > max_top ? max_top : t->top + page;
        t->cursor = t->cursor + page >= t->nrows ? t->nrows - 1 : t->cursor + page;
    } else {
        t->top = t->top > page ? t->top - page : 0;
        t->cursor = t->cursor > page ? t->cursor - page : 0;
    }
    table_scroll(t);
    table_prefetch(t);
}

static void table_jump(struct table *t, bool last)
{
    if (last ? t->at_end : t->at_start) {
        if (t->nrows > 0) {
            t->cursor = last ? t->nrows - 1 : 0;
            table_scroll(t);
            table_prefetch(t);
            return;
        }
    }
    table_issue_reset(t, last ? TABLE_FETCH_LAST : TABLE_FETCH_FIRST);
}

static bool table_key_filter(struct table *t, int key, enum action a)
{
    char enc[4];
    size_t n;

    if (text_is_typeable(key)) {
        n = text_utf8_encode((uint32_t)key, enc);
        if (t->filter_len + n < TABLE_FILTER_MAX) {
            memcpy(t->filter + t->filter_len, enc, n);
            t->filter_len += n;
            t->filter[t->filter_len] = '\0';
            table_changed(t);
        }
        return true;
    }
    if (key == TABLE_KEY_ENTER || a == ACTION_OPEN) {
        t->editing = false;
        return true;
    }
    if (key == TABLE_KEY_ESC || a == ACTION_BACK || a == ACTION_CANCEL) {
        t->editing = false;
        if (t->filter_len > 0)
            table_set_filter(t, "");
        return true;
    }
    if (key == TABLE_KEY_BACKSPACE) {
        if (t->filter_len > 0) {
            do
                t->filter_len--;
            while (t->filter_len > 0 && ((unsigned char)t->filter[t->filter_len] & 0xc0) == 0x80);
            t->filter[t->filter_len] = '\0';
            table_changed(t);
        }
        return true;
    }
    if (key == TABLE_KEY_CTRL_U) {
        if (t->filter_len > 0)
            table_set_filter(t, "");
        return true;
    }
    return false; /* moving keys still move the selection */
}

bool table_key(struct table *t, int key, enum action a)
{
    if (t->editing && table_key_filter(t, key, a))
        return true;
    switch (a) {
    case ACTION_MOVE_UP:
        table_move(t, -1);
        return true;
    case ACTION_MOVE_DOWN:
        table_move(t, 1);
        return true;
    case ACTION_PAGE_UP:
    case ACTION_PAGE_DOWN:
        table_page(t, a == ACTION_PAGE_DOWN);
        return true;
    case ACTION_FIRST:
    case ACTION_LAST:
        table_jump(t, a == ACTION_LAST);
        return true;
    case ACTION_FILTER:
        t->editing = true;
        return true;
    case ACTION_SORT:
        return table_cycle_sort(t);
    case ACTION_MARK:
        if (t->nrows == 0)
            return true;
        table_mark_toggle(t, &t->rows[t->cursor]);
        table_move(t, 1);
        return true;
    case ACTION_BACK:
        if (t->filter_len == 0)
            return false;
        table_set_filter(t, ""); /* Esc first clears the filter, then leaves */
        return true;
    default:
        return false;
    }
}

/* ---- layout and drawing ------------------------------------------------ */

static int table_col_min(const struct table_column *c)
{
    if (c->width <= 0)
        return c->min_width > 0 ? c->min_width : TABLE_FLEX_MIN;
    return c->min_width > 0 && c->min_width < c->width ? c->min_width : c->width;
}

static int table_col_pref(const struct table_column *c)
{
    return c->width > 0 ? c->width : table_col_min(c);
}

static int table_need(const struct table *t, const int *w)
{
    int need = 0, n = 0;

    for (int i = 0; i < t->ncols; i++) {
        if (w[i] > 0) {
            need += w[i];
            n++;
        }
    }
    return n > 0 ? need + n - 1 : 0;
}

/* The visible column with the highest priority number (rightmost on a
 * tie), above min_prio; -1 if none. */
static int table_least_important(const struct table *t, const int *w, int min_prio,
                                 bool shrinkable)
{
    int pick = -1;

    for (int i = 0; i < t->ncols; i++) {
        if (w[i] <= 0 || t->cols[i].priority <= min_prio)
            continue;
        if (shrinkable && w[i] <= table_col_min(&t->cols[i]))
            continue;
        if (pick < 0 || t->cols[i].priority >= t->cols[pick].priority)
            pick = i;
    }
    return pick;
}

/* Column widths for avail columns (0 = hidden): drop the least important
 * columns until the preferred widths fit (never an essential one), then
 * shrink towards min_width, then give what is left to flexible columns. */
static void table_layout(const struct table *t, int avail, int *w)
{
    int nflex = 0, extra, c;

    for (int i = 0; i < t->ncols; i++)
        w[i] = table_col_pref(&t->cols[i]);
    while (table_need(t, w) > avail && (c = table_least_important(t, w, 1, false)) >= 0)
        w[c] = 0;
    while (table_need(t, w) > avail && (c = table_least_important(t, w, 0, true)) >= 0)
        w[c]--;
    extra = avail - table_need(t, w);
    for (int i = 0; i < t->ncols; i++)
        if (w[i] > 0 && t->cols[i].width <= 0)
            nflex++;
    for (int i = 0, k = 0; i < t->ncols && extra > 0 && nflex > 0; i++) {
        if (w[i] > 0 && t->cols[i].width <= 0) {
            w[i] += extra / nflex + (k < extra % nflex ? 1 : 0);
            k++;
        }
    }
}

static void table_put(WINDOW *w, int y, int x, attr_t attr, const char *s)
{
    wattrset(w, attr);
    mvwaddstr(w, y, x, s);
}

static void table_fill(WINDOW *w, int y, int x, int width, attr_t attr)
{
    char *blank = text_fit("", width, TEXT_ALIGN_LEFT);

    table_put(w, y, x, attr, blank);
    free(blank);
}

/* A money cell: cents as text become "1,234.50"; anything else is shown
 * as it is. */
static char *table_money_text(const char *cell, bool *negative)
{
    char *end;
    long long cents;

    *negative = false;
    errno = 0;
    cents = strtoll(cell, &end, 10);
    if (*cell == '\0' || *end != '\0' || errno != 0)
        return xstrdup(cell);
    *negative = cents < 0;
    return text_money(cents, true);
}

static void table_draw_header(const struct table *t, WINDOW *w, int y, int x, int width,
                              const int *cw)
{
    int cx = x + TABLE_GUTTER, right = x + width;

    table_fill(w, y, x, width, theme_attr(THEME_HEADER));
    for (int i = 0; i < t->ncols && cx < right; i++) {
        const struct table_column *c = &t->cols[i];
        char *title, *fit;
        int avail;

        if (cw[i] <= 0)
            continue;
        avail = cw[i] < right - cx ? cw[i] : right - cx;
        title = i == t->sort_col ? xasprintf("%s %s", c->title, t->sort_desc ? "▼" : "▲")
                                 : xstrdup(c->title);
        fit = text_fit(title, avail, c->money ? TEXT_ALIGN_RIGHT : c->align);
        table_put(w, y, cx, theme_attr(THEME_HEADER), fit);
        free(fit);
        free(title);
        cx += cw[i] + 1;
    }
}

static void table_draw_row(const struct table *t, WINDOW *w, int y, int x, int width,
                           const int *cw, size_t ri)
{
    const struct table_row *r = &t->rows[ri];
    bool selected = ri == t->cursor;
    /* The selection is the ▶ in the gutter, in the selected colour, not a
     * highlighted row: moving the cursor then rewrites two cells, not two
     * full rows (the bytes per key press matter over a slow SSH link). */
    attr_t row_attr = theme_attr(r->marked ? THEME_MARK : THEME_BODY);
    attr_t sel_attr = theme_attr(THEME_SELECTED);
    int cx = x + TABLE_GUTTER, right = x + width;

    table_fill(w, y, x, width, row_attr);
    if (width >= TABLE_GUTTER) {
        table_put(w, y, x, selected ? sel_attr : row_attr, selected ? TABLE_SELECTED_MARK : " ");
        table_put(w, y, x + 1, row_attr, r->marked ? "*" : " ");
    }
    for (int i = 0; i < t->ncols && cx < right; i++) {
        attr_t attr = row_attr;
        const struct table_column *c = &t->cols[i];
        bool negative = false;
        char *text, *fit;
        int avail;

        if (cw[i] <= 0)
            continue;
        avail = cw[i] < right - cx ? cw[i] : right - cx;
        text = c->money ? table_money_text(r->v[i], &negative) : xstrdup(r->v[i]);
        fit = text_fit(text, avail, c->money ? TEXT_ALIGN_RIGHT : c->align);
        table_put(w, y, cx, negative ? theme_attr(THEME_MONEY_NEGATIVE) : attr, fit);
        free(fit);
        free(text);
        cx += cw[i] + 1;
    }
}

/* The filter line: "/" and the end of the text, with the cursor after it. */
static void table_draw_filter(struct table *t, WINDOW *w, int y, int x, int width)
{
    const char *shown = t->filter;
    char *line, *fit;
    uint32_t cp;

    while (*shown != '\0' && text_width(shown) > width - 2) {
        size_t n = text_utf8_decode(shown, strlen(shown), &cp);

        shown += n > 0 ? n : 1;
    }
    line = xasprintf("/%s", shown);
    fit = text_fit(line, width, TEXT_ALIGN_LEFT);
    table_put(w, y, x, theme_attr(THEME_INPUT), fit);
    t->cur_visible = true;
    t->cur_y = y;
    t->cur_x = x + 1 + text_width(shown);
    free(fit);
    free(line);
}

void table_draw(struct table *t, WINDOW *w, int y, int x, int height, int width)
{
    int *cw, rows = height - 1 - (t->editing ? 1 : 0), page = rows > 0 ? rows : 1;

    t->cur_visible = false;
    if (height <= 0 || width <= 0)
        return;
    if (page != t->page) {
        t->page = page;
        table_scroll(t);
        table_prefetch(t);
    }
    cw = xcalloc((size_t)t->ncols + 1, sizeof(int));
    table_layout(t, width - TABLE_GUTTER, cw);
    table_draw_header(t, w, y, x, width, cw);
    for (int i = 0; i < rows; i++) {
        size_t ri = t->top + (size_t)i;

        if (ri < t->nrows) {
            table_draw_row(t, w, y + 1 + i, x, width, cw, ri);
        } else if (i == 0 && t->nrows == 0) {
            char *msg = text_fit(table_reset_pending(t) ? "  Loading…" : "  No rows", width,
                                 TEXT_ALIGN_LEFT);

            table_put(w, y + 1, x, theme_attr(THEME_DIM), msg);
            free(msg);
        } else {
            table_fill(w, y + 1 + i, x, width, theme_attr(THEME_BODY));
        }
    }
    if (t->editing && height >= 2)
        table_draw_filter(t, w, y + height - 1, x, width);
    wattrset(w, A_NORMAL);
    free(cw);
}

bool table_cursor(const struct table *t, int *y, int *x)
{
    if (!t->cur_visible)
        return false;
    *y = t->cur_y;
    *x = t->cur_x;
    return true;
}

void table_draw_window(struct table *t, WINDOW *w)
{
    int rows, cols, y, x;

    getmaxyx(w, rows, cols);
    table_draw(t, w, 0, 0, rows, cols);
    if (table_cursor(t, &y, &x)) {
        wmove(w, y, x);
        curs_set(1);
    } else {
        curs_set(0);
    }
}
