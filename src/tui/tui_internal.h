/* The console state shared by the framework's own files (loop.c,
 * overlay.c); screens see only include/kontor/tui.h. */
#ifndef KONTOR_TUI_INTERNAL_H
#define KONTOR_TUI_INTERNAL_H

#include <time.h>

#include "kontor/db_async.h"
#include "kontor/db_listen.h"
#include "kontor/db_reports.h"
#include "kontor/tui.h"

#define TUI_MAX_STACK 32
#define TUI_MAX_OVERLAYS 4
#define TUI_HISTORY 32

struct overlay;

struct overlay_ops {
    void (*draw)(struct overlay *o, struct tui *t);
    /* Returns false when the overlay closes (it is then freed). */
    bool (*key)(struct overlay *o, struct tui *t, int key);
    void (*free)(struct overlay *o);
};

struct overlay {
    const struct overlay_ops *ops;
    struct screen *owner; /* the screen a dialog answers to (may be NULL) */
};

struct tui_request {
    struct screen *s; /* NULL once the screen has closed: the result is dropped */
    int tag;
    struct db_stmt *stmts;
    size_t n;
    bool report;                    /* tui_report_query with a replica: say where it ran */
    struct db_report_origin origin;
    struct tui_request *next;
};

struct tui {
    struct config *cfg;
    struct keymap keymap;
    struct theme theme;
    const struct screen_ops *const *screens;
    size_t nscreens;

    struct screen *stack[TUI_MAX_STACK];
    int depth;
    struct overlay *overlays[TUI_MAX_OVERLAYS];
    int noverlays;

    struct db *db;       /* kontor_login connection */
    struct db_listen *listen; /* LISTEN/NOTIFY for live lists */
    bool db_down;
    time_t db_retry_at;
    struct auth_identity id;
    bool signed_in;
    bool locked;

    struct tui_request *queue;     /* waiting */
    struct tui_request *inflight;  /* running */
    struct db_async *async;

    struct db_reports *reports;        /* [database] reports, or NULL */
    struct tui_request *rep_queue;     /* reports waiting for the replica */
    struct tui_request *rep_inflight;  /* the report running there */
    struct db_report *rep_async;
    const char *report_origin;         /* during a report's result callback */
    char report_note[160];

    WINDOW *body;
    bool dirty;
    bool quit;
    bool too_small;
    int exit_status;

    char message[256];
    enum tui_msg message_level;
    time_t message_at;

    time_t last_key;
    long idle_lock_s;
    int spinner;

    char *history[TUI_HISTORY];
    int nhistory;
};

const struct screen_ops *tui_find_screen(const struct tui *t, const char *name);
void tui_push_overlay(struct tui *t, struct overlay *o);
void tui_help_open(struct tui *t);
void tui_palette_open(struct tui *t);
/* Centred box helpers for overlays. */
WINDOW *tui_box(int h, int w, const char *title);

#endif
