/* The console framework: the poll() loop, the screen stack, overlays
 * (help, command palette, dialogs), the title and status bars. A screen is
 * a table of callbacks (struct screen_ops); the list of all screens is
 * handed to tui_run() by src/screens/, so tui/ never includes a screen.
 * Database work runs asynchronously through tui_query(); results come back
 * through the screen's result callback. */
#ifndef KONTOR_TUI_H
#define KONTOR_TUI_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>

#include "kontor/auth.h"
#include "kontor/config.h"
#include "kontor/db.h"
#include "kontor/form.h"
#include "kontor/keymap.h"
#include "kontor/perm.h"
#include "kontor/text.h"
#include "kontor/theme.h"

struct tui;
struct screen;

/* A key a screen handles beyond the common actions, for `?` and the hint
 * line; the screen's key callback still does the work. */
struct screen_key {
    int key;          /* ncurses key code, e.g. 'c' */
    const char *name; /* "c" */
    const char *help; /* "mark collected" */
    enum perm perm;   /* shown only to roles that may do it */
    bool hint;        /* also shown in the bottom hint line */
};

struct screen_ops {
    const char *name;  /* command palette name: "home", "orders", "order" */
    const char *title; /* default title */
    const char *help;  /* one line for the palette and help */
    const char *args;  /* argument hint for the palette, e.g. "[channel]" */
    enum perm perm;    /* required to open it */
    bool in_palette;   /* offered by ':' */
    size_t state_size; /* bytes of zeroed private state for each open instance */
    const struct screen_key *keys;
    size_t nkeys;
    /* Called once after push; args may be "" (never NULL). Return false and
     * set *err to refuse opening (the message is shown, nothing pushed). */
    bool (*open)(struct screen *s, const char *args, char **err);
    /* Draws the body into w (title and status bars are the framework's). */
    void (*draw)(struct screen *s, WINDOW *w);
    /* A key; a is the common action bound to it (ACTION_NONE if none).
     * Returns true when handled; unhandled BACK closes the screen. */
    bool (*key)(struct screen *s, int key, enum action a);
    /* The result of a tui_query(): on success err is NULL and stmts[i].res
     * hold the results (freed by the framework after the callback). */
    void (*result)(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                   const struct db_error *err);
    /* A notification on a channel the console listens to (payload: an id). */
    void (*notify)(struct screen *s, const char *channel, const char *payload);
    /* The screen becomes the top again (a screen above it closed). */
    void (*resume)(struct screen *s);
    void (*close)(struct screen *s);
};

struct screen {
    const struct screen_ops *ops;
    struct tui *tui;
    void *state;
    char title[160]; /* set by the screen; shown in the title bar */
};

/* Runs the console with the registered screens until the user quits.
 * "login" and "home" must be among them. Returns the exit status. */
int tui_run(struct config *cfg, const struct screen_ops *const *screens, size_t n);

/* ---- services for screens ------------------------------------------- */

/* Runs stmts in one transaction as the signed-in staff member, without
 * blocking. The array is copied; the SQL and parameters it points to must
 * stay valid until the result callback (keep them in the screen's state).
 * The callback gets the copy: it may keep a result by setting its res to
 * NULL; the framework frees the rest. A newer query with the same screen
 * and tag replaces an older one that has not started. */
void tui_query(struct screen *s, int tag, struct db_stmt *stmts, size_t n);
/* The same for report statements (read only): on the read replica when
 * [database] reports names one, else (or when the replica cannot serve
 * them, with a message that says why) on the primary like tui_query. */
void tui_report_query(struct screen *s, int tag, struct db_stmt *stmts, size_t n);
/* In the result callback of a tui_report_query: where the results came
 * from, for people ("from the replica", "from the primary: the replica is
 * 42 s behind"); NULL when no replica is configured. */
const char *tui_report_origin(const struct tui *t);

enum tui_msg { TUI_MSG_INFO, TUI_MSG_OK, TUI_MSG_WARN, TUI_MSG_ERROR };
void tui_message(struct tui *t, enum tui_msg level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void tui_db_error(struct tui *t, const struct db_error *err);

/* Opens a screen by name (permission checked; refusal is a message).
 * Returns the new screen, or NULL. */
struct screen *tui_open(struct tui *t, const char *name, const char *args);
/* Closes s (and anything above it). */
void tui_close(struct screen *s);
void tui_dirty(struct tui *t);
/* Sets the screen's title (cut to fit its buffer). */
void tui_set_title(struct screen *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void tui_quit(struct tui *t);

const struct auth_identity *tui_identity(const struct tui *t);
bool tui_allowed(const struct tui *t, enum perm p);
struct db *tui_login_db(struct tui *t);
/* Called by the sign-in screen after a successful sign-in. */
void tui_signed_in(struct tui *t, const struct auth_identity *id);
/* True when the console is locked (idle) rather than freshly started. */
bool tui_locked(const struct tui *t, char *username, size_t len);

/* ---- dialogs (overlays; the callback runs when the dialog closes) --- */

typedef void (*tui_confirm_fn)(struct screen *s, bool yes, void *arg);
typedef void (*tui_text_fn)(struct screen *s, const char *text, void *arg);

void tui_confirm(struct screen *s, const char *title, const char *question, tui_confirm_fn fn,
                 void *arg);
/* Asks for a non-empty reason (overrides, cancellations); fn gets NULL on Esc. */
void tui_prompt(struct screen *s, const char *title, const char *label, tui_text_fn fn,
                void *arg);
void tui_alert(struct tui *t, const char *title, const char *text);

/* A form screen's keys: form_key(), and on FORM_CANCEL the screen closes —
 * after discard_question (yes/no) when the form has unsaved changes. The
 * caller acts on FORM_SAVE and lets FORM_NONE fall through to its own keys. */
enum form_event tui_form_key(struct screen *s, struct form *f, int key, enum action a,
                             const char *discard_question);

/* ---- drawing helpers ------------------------------------------------ */

/* Prints text (sanitized, fitted to width display columns) at y, x. */
void tui_print(WINDOW *w, int y, int x, int width, enum theme_slot slot, enum text_align align,
               const char *text);
void tui_printf(WINDOW *w, int y, int x, int width, enum theme_slot slot, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

#endif
