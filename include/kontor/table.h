/* The one list widget: columns laid out by priority for the window's width,
 * rows loaded a window at a time from a keyset data source (never all rows,
 * never OFFSET), a selection, marks kept by key, sort and a `/` filter line.
 * No SQL here: the screen turns fetch requests into queries of its own. */
#ifndef KONTOR_TABLE_H
#define KONTOR_TABLE_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "kontor/keymap.h"
#include "kontor/text.h"

struct table;

struct table_column {
    const char *title;
    int width;     /* preferred display columns; 0 = flexible, takes the rest */
    int min_width; /* never narrower (flexible columns default to 8) */
    int priority;  /* 1 = essential; higher numbers are dropped first */
    enum text_align align;
    bool money;    /* the cell is cents as decimal text, drawn as "1,234.50" */
    bool sortable; /* offered by ACTION_SORT */
};

enum table_fetch {
    TABLE_FETCH_FIRST,  /* the first rows in sort order; key is NULL */
    TABLE_FETCH_LAST,   /* the last rows, returned nearest first (reversed) */
    TABLE_FETCH_AFTER,  /* rows after key, exclusive */
    TABLE_FETCH_BEFORE, /* rows before key, exclusive, returned nearest first */
    TABLE_FETCH_FROM,   /* rows from key, inclusive (refresh in place) */
};
#define TABLE_FETCH_KINDS 5

/* Reads one value of a result: col 0..ncols-1 are the display values,
 * ncols..ncols+nkey-1 the key. NULL is taken as "". */
typedef const char *(*table_value_fn)(const void *data, int row, int col);

struct table_source {
    /* Asks for at most limit rows. key holds nkey strings (NULL for FIRST and
     * LAST), valid only during the call: copy what the query needs. Answer
     * later (or at once) with table_receive(), or table_fetch_failed() on an
     * error. Give each kind its own tui_query() tag (e.g. TAG_ROWS + how),
     * so a newer request only ever replaces one of the same kind. */
    void (*fetch)(void *ctx, enum table_fetch how, const char *const *key, int limit);
    /* Optional: sort or filter changed (update the title). Called before the
     * new TABLE_FETCH_FIRST. */
    void (*changed)(void *ctx);
};

/* cols and src are copied (column titles must outlive the table); nkey >= 1
 * key strings follow the ncols display values in every row. */
struct table *table_new(const struct table_column *cols, size_t ncols, size_t nkey,
                        const struct table_source *src, void *ctx);
void table_free(struct table *t);

/* Fetches the first rows (keeps the sort, the filter and the marks). */
void table_reload(struct table *t);
/* Re-fetches in place from the top visible row's key (inclusive), or FIRST
 * when the window starts at the first row, so new rows at the top appear.
 * The cursor stays on the selected key while that row still exists. */
void table_refresh(struct table *t);

/* Rows for an earlier fetch of kind how: nrows < the limit asked for means
 * that edge is reached. Rows for LAST and BEFORE come nearest first.
 * Answers nobody waits for any more (after a reset) are ignored. */
void table_receive(struct table *t, enum table_fetch how, int nrows, table_value_fn value,
                   const void *data);
/* The fetch of kind how failed: stop waiting for it (nothing else changes). */
void table_fetch_failed(struct table *t, enum table_fetch how);
/* True while a FIRST, LAST or FROM fetch is outstanding. */
bool table_loading(const struct table *t);

/* Keys are keymap.h ints (code points; KEYMAP_FN(KEY_…) for function keys),
 * a the action bound to key. While the filter line is open, printable
 * characters are typed into it whatever they are bound to. Returns true
 * when handled; OPEN and unknown keys are left to the screen. */
bool table_key(struct table *t, int key, enum action a);

/* Draws the header and rows into the area (height lines, width columns at
 * y, x) of w, writing every cell of the area and nothing outside it. */
void table_draw(struct table *t, WINDOW *w, int y, int x, int height, int width);
/* Draws the table over the whole window and places the terminal cursor in
 * the filter line while it is edited (hidden otherwise). */
void table_draw_window(struct table *t, WINDOW *w);
/* Where the terminal cursor belongs (the filter line, while it is open),
 * in w's coordinates from the last draw; false when it should be hidden. */
bool table_cursor(const struct table *t, int *y, int *x);

/* The selected row's key (nkey strings) or one value (col as in
 * table_value_fn); NULL when the table is empty. Valid until the next call
 * that changes the table. */
const char *const *table_selected_key(const struct table *t);
const char *table_selected_value(const struct table *t, int col);

/* Sort: the column index (-1 when no column is sortable) and direction. */
int table_sort(const struct table *t, bool *desc);
/* Sets the sort without fetching (the screen's initial order). */
void table_set_sort(struct table *t, int col, bool desc);
/* The filter text ("" when none), and setting it (fetches FIRST). */
const char *table_filter(const struct table *t);
void table_set_filter(struct table *t, const char *text);
bool table_filter_editing(const struct table *t);

/* Marks, by the first key string, kept across paging and reloads. The array
 * belongs to the table and is valid until the marks change. */
const char *const *table_marked_keys(const struct table *t, size_t *count);
void table_clear_marks(struct table *t);

/* The total row count for the title: n < 0 means unknown. */
void table_set_total(struct table *t, long long n, bool estimate);
/* "18,400", "~18,400" for an estimate, "" when unknown; returns buf. */
const char *table_total_text(const struct table *t, char *buf, size_t len);

/* Loaded rows (bounded: a few pages), for tests and status lines. */
size_t table_loaded_rows(const struct table *t);
/* The display rows of one page, from the last draw (20 before it). */
int table_page_rows(const struct table *t);

#endif
