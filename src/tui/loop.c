/* The console loop: one poll() over the terminal, the database socket and a
 * signal self-pipe; the screen stack; queries queued and run without
 * blocking; title and status bars; idle lock; clean exit on SIGHUP/SIGTERM
 * with the terminal restored and nothing half-done committed. */
#include "tui_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kontor/xalloc.h"

#define TUI_MIN_ROWS 24
#define TUI_MIN_COLS 80
#define TUI_SPINNER_MS 150

static int signal_pipe[2] = { -1, -1 };
static struct tui *tui_current; /* for fatal(): restore the terminal */

/* ---- signals ---------------------------------------------------------- */

static void tui_on_signal(int sig)
{
    int saved = errno;
    unsigned char c = (unsigned char)sig;

    if (write(signal_pipe[1], &c, 1) < 0) {
        /* The pipe is full: the loop has signals to read already. */
    }
    errno = saved;
}

static void tui_signals_install(void)
{
    static const int sigs[] = { SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGTSTP, SIGCONT };
    struct sigaction sa;

    if (pipe(signal_pipe) != 0)
        fatal("cannot create the signal pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++) {
        fcntl(signal_pipe[i], F_SETFL, fcntl(signal_pipe[i], F_GETFL) | O_NONBLOCK);
        fcntl(signal_pipe[i], F_SETFD, FD_CLOEXEC);
    }
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = tui_on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
        sigaction(sigs[i], &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void tui_restore_terminal(void)
{
    if (!isendwin()) {
        curs_set(1);
        endwin();
    }
}

static void tui_fatal_cleanup(void)
{
    tui_restore_terminal();
}

/* ---- screens ---------------------------------------------------------- */

const struct screen_ops *tui_find_screen(const struct tui *t, const char *name)
{
    for (size_t i = 0; i < t->nscreens; i++)
        if (strcmp(t->screens[i]->name, name) == 0)
            return t->screens[i];
    return NULL;
}

static struct screen *tui_top(const struct tui *t)
{
    return t->depth > 0 ? t->stack[t->depth - 1] : NULL;
}

static void tui_request_free(struct tui_request *r)
{
    db_stmts_clear(r->stmts, r->n);
    free(r->stmts);
    free(r);
}

static void tui_queue_forget(struct tui_request **pp, struct screen *s)
{
    while (*pp != NULL) {
        struct tui_request *r = *pp;
        if (r->s == s) {
            *pp = r->next;
            tui_request_free(r);
        } else {
            pp = &r->next;
        }
    }
}

static void tui_queue_free(struct tui_request **pp)
{
    while (*pp != NULL) {
        struct tui_request *r = *pp;
        *pp = r->next;
        tui_request_free(r);
    }
}

/* Stops the report running on the replica (cancelled and drained). */
static void tui_report_stop(struct tui *t)
{
    db_report_free(t->rep_async);
    t->rep_async = NULL;
    tui_request_free(t->rep_inflight);
    t->rep_inflight = NULL;
    t->dirty = true;
}

static void tui_requests_forget(struct tui *t, struct screen *s)
{
    tui_queue_forget(&t->queue, s);
    tui_queue_forget(&t->rep_queue, s);
    /* The running request's statements and parameters live in the screen's
     * state: stop it (cancelled and drained, so nothing half-done commits)
     * before that memory goes. */
    if (t->inflight != NULL && t->inflight->s == s) {
        db_async_free(t->async);
        t->async = NULL;
        tui_request_free(t->inflight);
        t->inflight = NULL;
        t->dirty = true;
    }
    if (t->rep_inflight != NULL && t->rep_inflight->s == s)
        tui_report_stop(t);
}

static void tui_screen_free(struct tui *t, struct screen *s)
{
    tui_requests_forget(t, s);
    for (int i = 0; i < t->noverlays; i++)
        if (t->overlays[i]->owner == s)
            t->overlays[i]->owner = NULL;
    if (s->ops->close != NULL)
        s->ops->close(s);
    free(s->state);
    free(s);
}

static struct screen *tui_push(struct tui *t, const struct screen_ops *ops, const char *args)
{
    struct screen *s = xcalloc(1, sizeof(*s));
    char *err = NULL;

    if (t->depth == TUI_MAX_STACK) {
        tui_message(t, TUI_MSG_WARN, "Too many screens open: go back first.");
        free(s);
        return NULL;
    }
    s->ops = ops;
    s->tui = t;
    s->state = ops->state_size ? xcalloc(1, ops->state_size) : NULL;
    snprintf(s->title, sizeof(s->title), "%s", ops->title);
    t->stack[t->depth++] = s;
    if (ops->open != NULL && !ops->open(s, args ? args : "", &err)) {
        t->depth--;
        tui_message(t, TUI_MSG_ERROR, "%s", err ? err : "Cannot open that.");
        free(err);
        tui_screen_free(t, s);
        return NULL;
    }
    t->dirty = true;
    return s;
}

struct screen *tui_open(struct tui *t, const char *name, const char *args)
{
    const struct screen_ops *ops;
    char sub[64];
    size_t w;

    /* "return new K-100001" opens the screen "return-new" with "K-100001" */
    args = args != NULL ? args : "";
    args += strspn(args, " ");
    w = strcspn(args, " ");
    if (w > 0 && snprintf(sub, sizeof(sub), "%s-%.*s", name, (int)w, args) < (int)sizeof(sub)
        && tui_find_screen(t, sub) != NULL) {
        name = sub;
        args += w;
        args += strspn(args, " ");
    }
    ops = tui_find_screen(t, name);

    if (ops == NULL) {
        tui_message(t, TUI_MSG_ERROR, "There is no screen called '%s'.", name);
        return NULL;
    }
    if (t->signed_in && !perm_allows(t->id.session.role, ops->perm)) {
        tui_message(t, TUI_MSG_ERROR, "Your role (%s) may not open %s.",
                    db_role_name(t->id.session.role), ops->name);
        return NULL;
    }
    return tui_push(t, ops, args);
}

static void tui_pop_to(struct tui *t, int depth)
{
    while (t->depth > depth) {
        struct screen *s = t->stack[--t->depth];
        tui_screen_free(t, s);
    }
    struct screen *top = tui_top(t);
    if (top != NULL && top->ops->resume != NULL)
        top->ops->resume(top);
    t->dirty = true;
}

void tui_close(struct screen *s)
{
    struct tui *t = s->tui;

    for (int i = t->depth - 1; i >= 0; i--) {
        if (t->stack[i] == s) {
            tui_pop_to(t, i);
            break;
        }
    }
    if (t->depth == 0 && t->signed_in)
        tui_open(t, "home", "");
}

void tui_set_title(struct screen *s, const char *fmt, ...)
{
    va_list ap;
    char *title;

    va_start(ap, fmt);
    title = xvasprintf(fmt, ap);
    va_end(ap);
    snprintf(s->title, sizeof(s->title), "%.*s", (int)sizeof(s->title) - 1, title);
    free(title);
    s->tui->dirty = true;
}

void tui_dirty(struct tui *t)
{
    t->dirty = true;
}

void tui_quit(struct tui *t)
{
    t->quit = true;
}

const struct auth_identity *tui_identity(const struct tui *t)
{
    return &t->id;
}

bool tui_allowed(const struct tui *t, enum perm p)
{
    return t->signed_in && perm_allows(t->id.session.role, p);
}

struct db *tui_login_db(struct tui *t)
{
    return t->db;
}

bool tui_locked(const struct tui *t, char *username, size_t len)
{
    if (t->locked && username != NULL)
        snprintf(username, len, "%s", t->id.username);
    return t->locked;
}

void tui_push_overlay(struct tui *t, struct overlay *o)
{
    if (t->noverlays == TUI_MAX_OVERLAYS) {
        o->ops->free(o);
        return;
    }
    t->overlays[t->noverlays++] = o;
    t->dirty = true;
}

/* ---- messages --------------------------------------------------------- */

void tui_message(struct tui *t, enum tui_msg level, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(t->message, sizeof(t->message), fmt, ap);
    va_end(ap);
    t->message_level = level;
    t->message_at = time(NULL);
    t->dirty = true;
}

void tui_db_error(struct tui *t, const struct db_error *err)
{
    tui_message(t, err->cls == DB_ERR_CANCELED ? TUI_MSG_WARN : TUI_MSG_ERROR, "%s%s%s",
                err->message ? err->message : "Database error.",
                err->detail && err->detail[0] ? " " : "", err->detail ? err->detail : "");
}

/* ---- queries ---------------------------------------------------------- */

/* The request owns a copy of the statement array: results land there, and
 * the framework frees them after the callback, whatever the callback did to
 * the screen's own memory (a bulk action frees its array, a form closes its
 * screen). SQL text and parameters stay the screen's, read only while the
 * request runs; closing the screen stops a running request first. */
static struct db_stmt *tui_stmts_copy(const struct db_stmt *stmts, size_t n)
{
    struct db_stmt *copy = xcalloc(n ? n : 1, sizeof(*copy));

    for (size_t i = 0; i < n; i++) {
        copy[i] = stmts[i];
        copy[i].res = NULL;
    }
    return copy;
}

static void tui_queue_append(struct tui_request **pp, struct tui_request *r)
{
    r->next = NULL;
    while (*pp != NULL)
        pp = &(*pp)->next;
    *pp = r;
}

static struct tui_request *tui_enqueue(struct tui_request **queue, struct screen *s, int tag,
                                       struct db_stmt *stmts, size_t n)
{
    struct tui_request *r;

    /* A newer request for the same screen and tag replaces a waiting one. */
    for (r = *queue; r != NULL; r = r->next) {
        if (r->s == s && r->tag == tag) {
            free(r->stmts);
            r->stmts = tui_stmts_copy(stmts, n);
            r->n = n;
            return r;
        }
    }
    r = xcalloc(1, sizeof(*r));
    r->s = s;
    r->tag = tag;
    r->stmts = tui_stmts_copy(stmts, n);
    r->n = n;
    tui_queue_append(queue, r);
    return r;
}

void tui_query(struct screen *s, int tag, struct db_stmt *stmts, size_t n)
{
    tui_enqueue(&s->tui->queue, s, tag, stmts, n);
}

void tui_report_query(struct screen *s, int tag, struct db_stmt *stmts, size_t n)
{
    struct tui *t = s->tui;

    if (t->reports == NULL)
        tui_query(s, tag, stmts, n);
    else
        tui_enqueue(&t->rep_queue, s, tag, stmts, n)->report = true;
}

const char *tui_report_origin(const struct tui *t)
{
    return t->report_origin;
}

/* Where a report came from, for its screen; a fallback is also a message. */
static void tui_report_note(struct tui *t, const struct db_report_origin *o)
{
    if (o->replica)
        snprintf(t->report_note, sizeof(t->report_note), "from the replica");
    else
        snprintf(t->report_note, sizeof(t->report_note), "from the primary%s%s",
                 o->why[0] ? ": " : "", o->why);
    if (o->why[0])
        tui_message(t, TUI_MSG_WARN, "Reports from the primary: %s.", o->why);
    t->report_origin = t->report_note;
}

/* Hands a finished request's results (or err) to its screen, then frees it. */
static void tui_request_deliver(struct tui *t, struct tui_request *r, const struct db_error *err)
{
    if (r->report && err == NULL)
        tui_report_note(t, &r->origin);
    if (r->s != NULL && r->s->ops->result != NULL)
        r->s->ops->result(r->s, r->tag, r->stmts, r->n, err);
    t->report_origin = NULL;
    tui_request_free(r);
    t->dirty = true;
}

static void tui_request_finish(struct tui *t, const struct db_error *err)
{
    struct tui_request *r = t->inflight;

    t->inflight = NULL;
    db_async_free(t->async);
    t->async = NULL;
    tui_request_deliver(t, r, err);
}

static void tui_db_lost(struct tui *t)
{
    if (!t->db_down)
        tui_message(t, TUI_MSG_WARN, "Lost the database connection; reconnecting…");
    t->db_down = true;
    t->db_retry_at = time(NULL);
}

static void tui_request_start(struct tui *t)
{
    struct db_error err = { 0 };

    if (t->inflight != NULL || t->queue == NULL || t->db_down || !t->signed_in || t->locked)
        return;
    t->inflight = t->queue;
    t->queue = t->queue->next;
    t->async = db_async_start(t->db, &t->id.session, t->inflight->stmts, t->inflight->n, &err);
    if (t->async == NULL) {
        if (err.cls == DB_ERR_CONNECTION)
            tui_db_lost(t);
        tui_request_finish(t, &err);
    }
    db_error_clear(&err);
}

static void tui_request_step(struct tui *t)
{
    struct db_error err = { 0 };
    enum db_async_status st = db_async_step(t->async, &err);

    if (st == DB_ASYNC_BUSY)
        return;
    if (st == DB_ASYNC_FAILED) {
        if (err.cls == DB_ERR_CONNECTION)
            tui_db_lost(t);
        if (err.cls == DB_ERR_AUTH && t->signed_in)
            tui_message(t, TUI_MSG_ERROR, "Your session has ended; please sign in again.");
        tui_request_finish(t, &err);
    } else {
        tui_request_finish(t, NULL);
    }
    db_error_clear(&err);
}

/* ---- reports on the replica ------------------------------------------- */

/* Starts the first waiting report on the replica. When the replica is not
 * to be asked now (or later, when it will not do), the request joins the
 * primary's queue, its origin saying why. */
static void tui_report_start(struct tui *t)
{
    struct tui_request *r = t->rep_queue;

    if (t->rep_async != NULL || r == NULL || !t->signed_in || t->locked)
        return;
    t->rep_queue = r->next;
    t->rep_async = db_report_start(t->reports, &t->id.session, r->stmts, r->n, &r->origin);
    if (t->rep_async == NULL)
        tui_queue_append(&t->queue, r);
    else
        t->rep_inflight = r;
}

static void tui_report_step(struct tui *t)
{
    struct tui_request *r = t->rep_inflight;
    struct db_error err = { 0 };
    enum db_report_status st = db_report_step(t->rep_async, &r->origin, &err);

    if (st == DB_REPORT_BUSY)
        return;
    db_report_free(t->rep_async);
    t->rep_async = NULL;
    t->rep_inflight = NULL;
    if (st == DB_REPORT_PRIMARY)
        tui_queue_append(&t->queue, r);
    else
        tui_request_deliver(t, r, st == DB_REPORT_DONE ? NULL : &err);
    db_error_clear(&err);
}

/* Milliseconds the oldest running query has taken, or -1 when none runs. */
static long tui_busy_ms(const struct tui *t)
{
    long ms = t->async != NULL ? db_async_elapsed_ms(t->async) : -1;

    if (t->rep_async != NULL && db_report_elapsed_ms(t->rep_async) > ms)
        ms = db_report_elapsed_ms(t->rep_async);
    return ms;
}

static void tui_request_cancel(struct tui *t)
{
    if (t->async == NULL && t->rep_async == NULL)
        return;
    if (t->async != NULL)
        db_async_cancel(t->async);
    if (t->rep_async != NULL)
        db_report_cancel(t->rep_async);
    tui_message(t, TUI_MSG_WARN, "Cancelling…");
}

static void tui_reconnect_tick(struct tui *t)
{
    if (!t->db_down || time(NULL) < t->db_retry_at)
        return;
    if (db_reconnect(t->db)) {
        t->db_down = false;
        tui_message(t, TUI_MSG_OK, "Reconnected to the database.");
        struct screen *top = tui_top(t);
        if (top != NULL && top->ops->resume != NULL)
            top->ops->resume(top);
    } else {
        t->db_retry_at = time(NULL) + 2;
    }
    t->dirty = true;
}

/* ---- drawing ---------------------------------------------------------- */

void tui_print(WINDOW *w, int y, int x, int width, enum theme_slot slot, enum text_align align,
               const char *text)
{
    char *fitted;

    if (width <= 0)
        return;
    fitted = text_fit(text ? text : "", width, align);
    wattrset(w, theme_attr(slot));
    mvwaddstr(w, y, x, fitted);
    wattrset(w, theme_attr(THEME_BODY));
    free(fitted);
}

void tui_printf(WINDOW *w, int y, int x, int width, enum theme_slot slot, const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xvasprintf(fmt, ap);
    va_end(ap);
    tui_print(w, y, x, width, slot, TEXT_ALIGN_LEFT, s);
    free(s);
}

WINDOW *tui_box(int h, int w, const char *title)
{
    if (h > LINES - 2)
        h = LINES - 2;
    if (w > COLS - 2)
        w = COLS - 2;
    WINDOW *win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
    wbkgdset(win, ' ' | theme_attr(THEME_DIALOG));
    werase(win);
    wattrset(win, theme_attr(THEME_DIALOG));
    box(win, 0, 0);
    if (title != NULL) {
        char *t = xasprintf(" %s ", title);
        int tw = text_width(t);
        tui_print(win, 0, 2, tw < w - 4 ? tw : w - 4, THEME_DIALOG_TITLE, TEXT_ALIGN_LEFT, t);
        free(t);
    }
    return win;
}

static void tui_draw_title(struct tui *t)
{
    struct screen *top = tui_top(t);
    char right[320], clock[32];
    time_t now = time(NULL);
    struct tm tm;

    localtime_r(&now, &tm);
    strftime(clock, sizeof(clock), "%a %d %b %H:%M", &tm);
    if (t->signed_in)
        snprintf(right, sizeof(right), "%s · %s%s%s  %s", t->id.username,
                 db_role_name(t->id.session.role), t->id.location_name[0] ? " · " : "",
                 t->id.location_name, clock);
    else
        snprintf(right, sizeof(right), "%s", clock);
    int rw = text_width(right) + 1;
    wattrset(stdscr, theme_attr(THEME_TITLE));
    mvhline(0, 0, ' ', COLS);
    char *left = xasprintf(" Kontor · %s", top ? top->title : "");
    tui_print(stdscr, 0, 0, COLS - rw - 1, THEME_TITLE, TEXT_ALIGN_LEFT, left);
    tui_print(stdscr, 0, COLS - rw, rw, THEME_TITLE, TEXT_ALIGN_RIGHT, right);
    free(left);
}

static void tui_hints(struct tui *t, char *buf, size_t len)
{
    struct screen *top = tui_top(t);
    char keys[32];
    size_t used = 0;

    buf[0] = '\0';
    if (top != NULL) {
        for (size_t i = 0; i < top->ops->nkeys; i++) {
            const struct screen_key *k = &top->ops->keys[i];
            if (!k->hint || (t->signed_in && !perm_allows(t->id.session.role, k->perm)))
                continue;
            used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "%s %s  ",
                                     k->name, k->help);
        }
    }
    if (t->signed_in) {
        snprintf(buf + (used < len ? used : len), used < len ? len - used : 0,
                 "%s help  %s command  %s quit",
                 keymap_keys_text(&t->keymap, ACTION_HELP, keys, 8), ":",
                 keymap_key_name(KEYMAP_FN(KEY_F(10)), keys + 16, 16));
    }
}

static void tui_draw_status(struct tui *t)
{
    static const char spin[] = "|/-\\";
    char hints[256], state[64];
    int y = LINES - 1;
    enum theme_slot slot = THEME_STATUS;

    wattrset(stdscr, theme_attr(THEME_STATUS));
    mvhline(y, 0, ' ', COLS);
    if (t->db_down) {
        snprintf(state, sizeof(state), "○ reconnecting");
        slot = THEME_STATUS_WARN;
    } else if (tui_busy_ms(t) >= TUI_SPINNER_MS) {
        snprintf(state, sizeof(state), "%c working · Esc cancels", spin[t->spinner % 4]);
        slot = THEME_STATUS_WARN;
    } else if (t->listen != NULL && db_listen_state(t->listen) != DB_LISTEN_CONNECTED) {
        snprintf(state, sizeof(state), "● connected · live updates reconnecting");
        slot = THEME_STATUS_WARN;
    } else {
        snprintf(state, sizeof(state), t->listen != NULL ? "● live" : "● connected");
        slot = THEME_STATUS_OK;
    }
    int sw = text_width(state) + 1;
    if (t->message[0] != '\0') {
        static const enum theme_slot slots[] = {
            [TUI_MSG_INFO] = THEME_STATUS, [TUI_MSG_OK] = THEME_STATUS_OK,
            [TUI_MSG_WARN] = THEME_STATUS_WARN, [TUI_MSG_ERROR] = THEME_STATUS_ERROR,
        };
        tui_print(stdscr, y, 1, COLS - sw - 2, slots[t->message_level], TEXT_ALIGN_LEFT,
                  t->message);
    } else {
        tui_hints(t, hints, sizeof(hints));
        tui_print(stdscr, y, 1, COLS - sw - 2, THEME_KEY_HINT, TEXT_ALIGN_LEFT, hints);
    }
    tui_print(stdscr, y, COLS - sw, sw, slot, TEXT_ALIGN_RIGHT, state);
}

static void tui_layout(struct tui *t)
{
    if (t->body != NULL)
        delwin(t->body);
    t->too_small = LINES < TUI_MIN_ROWS || COLS < TUI_MIN_COLS;
    t->body = newwin(LINES > 2 ? LINES - 2 : 1, COLS, 1, 0);
    keypad(t->body, TRUE);
    /* Lets ncurses scroll a list with the terminal's insert/delete line
     * instead of rewriting every row: far fewer bytes over SSH. */
    idlok(stdscr, TRUE);
    idlok(t->body, TRUE);
    t->dirty = true;
}

static void tui_draw(struct tui *t)
{
    struct screen *top = tui_top(t);

    curs_set(0);
    if (t->too_small) {
        werase(stdscr);
        char *m = xasprintf("Kontor needs at least %dx%d; this terminal is %dx%d.",
                            TUI_MIN_COLS, TUI_MIN_ROWS, COLS, LINES);
        tui_print(stdscr, LINES / 2, 0, COLS, THEME_WARNING, TEXT_ALIGN_CENTER, m);
        free(m);
        wnoutrefresh(stdscr);
        doupdate();
        return;
    }
    tui_draw_title(t);
    tui_draw_status(t);
    wnoutrefresh(stdscr);
    wbkgdset(t->body, ' ' | theme_attr(THEME_BODY));
    werase(t->body);
    if (top != NULL && top->ops->draw != NULL)
        top->ops->draw(top, t->body);
    wnoutrefresh(t->body);
    for (int i = 0; i < t->noverlays; i++)
        t->overlays[i]->ops->draw(t->overlays[i], t);
    doupdate();
}

/* ---- input ------------------------------------------------------------ */

static void tui_key(struct tui *t, int key)
{
    struct screen *top = tui_top(t);
    enum action a = keymap_lookup(&t->keymap, key);

    t->last_key = time(NULL);
    if (t->message[0] != '\0' && t->message_level != TUI_MSG_ERROR)
        t->message[0] = '\0';
    if (t->noverlays > 0) {
        struct overlay *o = t->overlays[t->noverlays - 1];
        if (!o->ops->key(o, t, key)) {
            /* by identity: the answer's callback may have opened the next
             * dialog above this one */
            for (int i = t->noverlays - 1; i >= 0; i--) {
                if (t->overlays[i] == o) {
                    memmove(&t->overlays[i], &t->overlays[i + 1],
                            (size_t)(t->noverlays - 1 - i) * sizeof(t->overlays[0]));
                    t->noverlays--;
                    break;
                }
            }
            o->ops->free(o);
        }
        t->dirty = true;
        return;
    }
    /* Esc cancels a query only once the spinner says so; a quick background
     * fetch must not turn Esc from "back" into "cancel". */
    if (tui_busy_ms(t) >= TUI_SPINNER_MS && (key == 27 || a == ACTION_CANCEL)) {
        tui_request_cancel(t);
        return;
    }
    if (top != NULL && top->ops->key != NULL && top->ops->key(top, key, a)) {
        t->dirty = true;
        return;
    }
    t->dirty = true;
    switch (a) {
    case ACTION_QUIT:
        t->quit = true;
        break;
    case ACTION_HELP:
        tui_help_open(t);
        break;
    case ACTION_COMMAND:
        if (t->signed_in && !t->locked)
            tui_palette_open(t);
        break;
    case ACTION_REFRESH:
        clearok(curscr, TRUE);
        break;
    case ACTION_BACK:
        if (top != NULL && t->depth > 1 && t->signed_in && !t->locked)
            tui_close(top);
        break;
    default:
        break;
    }
}

static void tui_read_keys(struct tui *t)
{
    wint_t wch;
    int ret;

    /* Drain everything ncurses has buffered: it may hold keys already read. */
    wtimeout(t->body, 0);
    while ((ret = wget_wch(t->body, &wch)) != ERR) {
        if (ret == KEY_CODE_YES && wch == KEY_RESIZE)
            continue;
        tui_key(t, keymap_key_from_wch(ret, wch));
        if (t->quit)
            break;
    }
}

/* ---- sign-in and lock -------------------------------------------------- */

/* Channels the database notifies on (payload: a row id). */
static const char *const tui_channels[] = { "kontor_order", "kontor_return" };

static void tui_listen_start(struct tui *t)
{
    char *err = NULL;

    if (t->listen != NULL)
        return;
    t->listen = db_listen_open(t->cfg, tui_channels,
                               sizeof(tui_channels) / sizeof(tui_channels[0]), &err);
    if (t->listen == NULL) {
        tui_message(t, TUI_MSG_WARN, "Live updates are off: %s", err);
        free(err);
    }
}

static void tui_on_notify(void *arg, const char *channel, const char *payload)
{
    struct tui *t = arg;

    for (int i = 0; i < t->depth; i++) {
        struct screen *s = t->stack[i];
        if (s->ops->notify != NULL)
            s->ops->notify(s, channel, payload);
    }
    t->dirty = true;
}

static void tui_listen_step(struct tui *t)
{
    if (t->listen == NULL)
        return;
    enum db_listen_state before = db_listen_state(t->listen);
    db_listen_drain(t->listen, tui_on_notify, t);
    if (db_listen_resumed(t->listen)) {
        /* What happened while we were away: let the screens reload. */
        struct screen *top = tui_top(t);
        if (top != NULL && top->ops->resume != NULL)
            top->ops->resume(top);
    }
    if (db_listen_state(t->listen) != before)
        t->dirty = true;
}

void tui_signed_in(struct tui *t, const struct auth_identity *id)
{
    bool same = t->locked && strcmp(t->id.username, id->username) == 0;
    struct auth_identity old = t->id;

    if (t->signed_in && !same)
        auth_sign_out(t->db, &old);
    t->id = *id;
    t->signed_in = true;
    t->last_key = time(NULL);
    if (t->locked) {
        t->locked = false;
        if (same) {
            /* Back to where the staff member was: drop the sign-in screen. */
            tui_pop_to(t, t->depth - 1);
            tui_message(t, TUI_MSG_OK, "Welcome back, %s.", id->display_name);
            tui_listen_start(t);
            return;
        }
    }
    tui_pop_to(t, 0);
    tui_open(t, "home", "");
    tui_message(t, TUI_MSG_OK, "Signed in as %s (%s).", id->display_name,
                db_role_name(id->session.role));
    /* After the greeting, so that "Live updates are off: …" stays visible. */
    tui_listen_start(t);
}

static void tui_lock(struct tui *t)
{
    if (!t->signed_in || t->locked)
        return;
    while (t->noverlays > 0) {
        struct overlay *o = t->overlays[--t->noverlays];
        o->ops->free(o);
    }
    t->locked = true;
    tui_push(t, tui_find_screen(t, "login"), "");
    tui_message(t, TUI_MSG_WARN, "Locked after %ld minutes without a key press.",
                t->idle_lock_s / 60);
}

/* ---- signals in the loop ---------------------------------------------- */

static void tui_resize(struct tui *t)
{
    struct winsize ws;

    if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0 && ws.ws_col > 0)
        resizeterm(ws.ws_row, ws.ws_col);
    tui_layout(t);
}

static void tui_suspend(struct tui *t)
{
    struct sigaction sa, old;

    tui_restore_terminal();
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    sigaction(SIGTSTP, &sa, &old);
    raise(SIGTSTP);
    sigaction(SIGTSTP, &old, NULL);
    refresh();
    tui_resize(t);
}

static void tui_handle_signals(struct tui *t)
{
    unsigned char sig;

    while (read(signal_pipe[0], &sig, 1) == 1) {
        switch (sig) {
        case SIGWINCH:
        case SIGCONT:
            tui_resize(t);
            break;
        case SIGTSTP:
            tui_suspend(t);
            break;
        case SIGINT:
            if (tui_busy_ms(t) >= 0)
                tui_request_cancel(t);
            else if (!t->signed_in)
                t->quit = true;
            else
                tui_message(t, TUI_MSG_INFO, "Press F10 or type :quit to quit.");
            break;
        case SIGHUP:
        case SIGTERM:
            t->quit = true;
            t->exit_status = 128 + sig;
            break;
        default:
            break;
        }
    }
}

/* ---- the loop --------------------------------------------------------- */

static int tui_poll_timeout(const struct tui *t)
{
    int ms = 60000 - (int)(time(NULL) % 60) * 1000; /* the clock */

    if (t->async != NULL || t->rep_async != NULL)
        ms = 100; /* the spinner, and the replica's connect deadline */
    if (t->db_down)
        ms = ms < 1000 ? ms : 1000;
    if (t->signed_in && !t->locked && t->idle_lock_s > 0) {
        long left = (long)(t->last_key + t->idle_lock_s - time(NULL)) * 1000;
        if (left < ms)
            ms = left > 0 ? (int)left : 0;
    }
    if (t->message[0] != '\0' && ms > 5000)
        ms = 5000;
    if (t->listen != NULL) {
        int lt = db_listen_timeout_ms(t->listen);
        if (lt >= 0 && lt < ms)
            ms = lt;
    }
    return ms;
}

static void tui_loop(struct tui *t)
{
    int last_minute = -1;

    while (!t->quit) {
        tui_report_start(t);
        tui_request_start(t);
        if (t->dirty) {
            tui_draw(t);
            t->dirty = false;
        }
        struct pollfd fds[5] = {
            { .fd = STDIN_FILENO, .events = POLLIN },
            { .fd = signal_pipe[0], .events = POLLIN },
            { .fd = t->async ? db_async_fd(t->async) : -1,
              .events = (short)(POLLIN | (t->async && db_async_want_write(t->async) ? POLLOUT : 0)) },
            { .fd = t->listen ? db_listen_fd(t->listen) : -1,
              .events = (short)(POLLIN | (t->listen && db_listen_want_write(t->listen) ? POLLOUT : 0)) },
            { .fd = t->rep_async ? db_report_fd(t->rep_async) : -1,
              .events = (short)(POLLIN | (t->rep_async && db_report_want_write(t->rep_async)
                                              ? POLLOUT : 0)) },
        };
        int n = poll(fds, 5, tui_poll_timeout(t));
        if (n < 0 && errno != EINTR)
            fatal("poll failed: %s", strerror(errno));
        if (fds[1].revents & POLLIN)
            tui_handle_signals(t);
        if (fds[0].revents & (POLLHUP | POLLERR)) {
            t->quit = true; /* the terminal (SSH connection) is gone */
            t->exit_status = 129;
        } else if (fds[0].revents & POLLIN) {
            tui_read_keys(t);
        }
        if (t->async != NULL)
            tui_request_step(t);
        if (t->rep_async != NULL)
            tui_report_step(t);
        if (tui_busy_ms(t) >= TUI_SPINNER_MS) {
            t->spinner++;
            t->dirty = true;
        }
        tui_listen_step(t);
        tui_reconnect_tick(t);
        time_t now = time(NULL);
        if (t->signed_in && !t->locked && t->idle_lock_s > 0 &&
            now - t->last_key >= t->idle_lock_s)
            tui_lock(t);
        if (t->message[0] != '\0' && now - t->message_at >= 8) {
            t->message[0] = '\0';
            t->dirty = true;
        }
        if (now / 60 != last_minute) {
            last_minute = (int)(now / 60);
            t->dirty = true;
        }
    }
}

/* ---- start and end ---------------------------------------------------- */

/* Returns 0, or the exit status: 2 for a bad configuration (keys, theme,
 * idle lock), 1 when the database or the terminal cannot be reached. */
static int tui_setup(struct tui *t, char **err)
{
    const char *theme = config_get(t->cfg, "console", "theme");
    const char *dir = config_get(t->cfg, "console", "themes_dir");
    const char *no_color = getenv("NO_COLOR");
    long idle = 15;

    if (!keymap_load(&t->keymap, t->cfg, err))
        return 2;
    if (!config_get_int(t->cfg, "console", "idle_lock_minutes", 0, 1440, &idle, err))
        return 2;
    t->idle_lock_s = idle * 60;
    if (dir == NULL || dir[0] == '\0')
        dir = access("themes/default.ini", R_OK) == 0 ? "themes" : KONTOR_THEMEDIR;
    if (!theme_load(&t->theme, theme, dir, err))
        return 2;
    t->db = db_open(t->cfg, DB_TARGET_CONSOLE, err);
    if (t->db == NULL)
        return 1;
    t->reports = db_reports_open(t->cfg, err);
    if (t->reports == NULL && *err != NULL)
        return 2;
    if (initscr() == NULL) {
        *err = xstrdup("cannot start the terminal (is TERM set?)");
        return 1;
    }
    tui_current = t;
    fatal_set_cleanup(tui_fatal_cleanup);
    cbreak();
    noecho();
    nonl();
    intrflush(stdscr, FALSE);
    keypad(stdscr, TRUE);
    set_escdelay(25);
    curs_set(0);
    bool colour = has_colors() && (no_color == NULL || no_color[0] == '\0');
    if (colour)
        start_color();
    theme_apply(&t->theme, colour, colour ? COLORS : 0);
    tui_signals_install();
    tui_layout(t);
    return 0;
}

static void tui_teardown(struct tui *t)
{
    if (t->async != NULL) {
        /* Cancelled and drained: an unfinished transaction is rolled back. */
        db_async_free(t->async);
        t->async = NULL;
        tui_request_free(t->inflight);
        t->inflight = NULL;
    }
    if (t->rep_async != NULL)
        tui_report_stop(t);
    while (t->noverlays > 0) {
        struct overlay *o = t->overlays[--t->noverlays];
        o->ops->free(o);
    }
    tui_pop_to(t, 0);
    tui_queue_free(&t->queue);
    tui_queue_free(&t->rep_queue);
    if (t->signed_in)
        auth_sign_out(t->db, &t->id);
    db_listen_close(t->listen);
    if (t->body != NULL)
        delwin(t->body);
    tui_restore_terminal();
    fatal_set_cleanup(NULL);
    tui_current = NULL;
    for (int i = 0; i < t->nhistory; i++)
        free(t->history[i]);
    db_reports_close(t->reports);
    db_close(t->db);
}

int tui_run(struct config *cfg, const struct screen_ops *const *screens, size_t n)
{
    struct tui t = { .cfg = cfg, .screens = screens, .nscreens = n };
    char *err = NULL;

    int status = tui_setup(&t, &err);
    if (status != 0) {
        tui_restore_terminal();
        fprintf(stderr, "kontor: %s\n", err);
        free(err);
        db_close(t.db);
        db_reports_close(t.reports);
        return status;
    }
    t.last_key = time(NULL);
    if (tui_push(&t, tui_find_screen(&t, "login"), "") == NULL) {
        tui_teardown(&t);
        fprintf(stderr, "kontor: no sign-in screen\n");
        return 1;
    }
    tui_loop(&t);
    tui_teardown(&t);
    return t.exit_status;
}
