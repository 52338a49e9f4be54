/* The sign-in screen: user name and password (never echoed, wiped after
 * use), clear messages for wrong passwords and locked accounts, the forced
 * password change, and the lock screen after an idle timeout. */
#include <stdlib.h>
#include <string.h>

#include "kontor/lineedit.h"
#include "kontor/screens.h"
#include "kontor/xalloc.h"

enum login_mode { LOGIN_SIGN_IN, LOGIN_CHANGE };

struct login {
    enum login_mode mode;
    struct lineedit field[2]; /* user + password, or new password + repeat */
    int focus;
    char error[256];
    struct auth_identity pending; /* signed in, must change the password */
};

static const struct screen_key login_keys[] = {
    { .key = '\n', .name = "Enter", .help = "next field / sign in", .perm = PERM_HOME, .hint = true },
    { .key = '\t', .name = "Tab", .help = "next field", .perm = PERM_HOME, .hint = true },
    { .key = 21, .name = "C-u", .help = "clear the field", .perm = PERM_HOME },
};

static bool login_open(struct screen *s, const char *args, char **err)
{
    struct login *l = s->state;
    char user[64];

    l->field[1].secret = true;
    if (tui_locked(s->tui, user, sizeof(user))) {
        lineedit_set(&l->field[0], user);
        l->focus = 1;
        snprintf(s->title, sizeof(s->title), "Locked");
    } else {
        snprintf(s->title, sizeof(s->title), "Sign in");
    }
    return true;
}

static void login_draw_field(WINDOW *w, int y, int x, const char *label,
                             const struct lineedit *le, bool focus)
{
    tui_print(w, y, x, 18, THEME_BODY, TEXT_ALIGN_LEFT, label);
    if (le->secret)
        tui_print(w, y, x + 18, 30, THEME_INPUT, TEXT_ALIGN_LEFT,
                  le->len > 0 ? "(hidden)" : "");
    else
        tui_print(w, y, x + 18, 30, THEME_INPUT, TEXT_ALIGN_LEFT, le->buf);
    if (focus) {
        tui_print(w, y, x - 2, 2, THEME_SELECTED, TEXT_ALIGN_LEFT, "▶");
        wmove(w, y, x + 18 + (le->secret ? 0 : lineedit_cursor_col(le)));
    }
}

static void login_draw(struct screen *s, WINDOW *w)
{
    struct login *l = s->state;
    int rows, cols;

    getmaxyx(w, rows, cols);
    int x = cols / 2 - 24, y = rows / 2 - 5;
    if (x < 2)
        x = 2;
    tui_print(w, y, x, 50, THEME_HEADER, TEXT_ALIGN_LEFT, "Kontor · back office");
    if (l->mode == LOGIN_SIGN_IN) {
        bool locked = tui_locked(s->tui, NULL, 0);
        tui_print(w, y + 1, x, 60, THEME_DIM, TEXT_ALIGN_LEFT,
                  locked ? "The console was locked. Sign in again to continue."
                         : "Sign in with your staff account.");
        login_draw_field(w, y + 3, x, "User name", &l->field[0], l->focus == 0);
        login_draw_field(w, y + 4, x, "Password", &l->field[1], l->focus == 1);
    } else {
        tui_print(w, y + 1, x, 70, THEME_WARNING, TEXT_ALIGN_LEFT,
                  "You must choose a new password before you continue.");
        login_draw_field(w, y + 3, x, "New password", &l->field[0], l->focus == 0);
        login_draw_field(w, y + 4, x, "Repeat it", &l->field[1], l->focus == 1);
    }
    if (l->error[0] != '\0')
        tui_print(w, y + 6, x, cols - x - 1, THEME_ERROR, TEXT_ALIGN_LEFT, l->error);
    tui_print(w, y + 8, x, cols - x - 1, THEME_KEY_HINT, TEXT_ALIGN_LEFT,
              "Enter next field / sign in · Tab switch · F10 quit");
    int cy, cx;
    getyx(w, cy, cx);
    wmove(w, cy, cx);
    curs_set(1);
}

static void login_submit_sign_in(struct screen *s, struct login *l)
{
    struct db_error err = { 0 };
    struct auth_identity id;
    char user[LINEEDIT_MAX];

    if (l->field[0].len == 0) {
        snprintf(l->error, sizeof(l->error), "Please enter your user name.");
        l->focus = 0;
        return;
    }
    snprintf(user, sizeof(user), "%s", l->field[0].buf);
    enum auth_result r = auth_sign_in(tui_login_db(s->tui), user, l->field[1].buf, "console",
                                      &id, &err);
    lineedit_clear(&l->field[1]);
    l->focus = 1;
    if (r == AUTH_ERROR) {
        snprintf(l->error, sizeof(l->error), "%s %s", auth_result_message(r),
                 err.message ? err.message : "");
        db_error_clear(&err);
        return;
    }
    if (r != AUTH_OK) {
        snprintf(l->error, sizeof(l->error), "%s", auth_result_message(r));
        return;
    }
    if (id.must_change_password) {
        l->pending = id;
        l->mode = LOGIN_CHANGE;
        l->focus = 0;
        lineedit_clear(&l->field[0]);
        l->field[0].secret = true;
        l->error[0] = '\0';
        return;
    }
    l->error[0] = '\0';
    tui_signed_in(s->tui, &id);
    explicit_bzero(&id, sizeof(id));
}

static void login_submit_change(struct screen *s, struct login *l)
{
    struct db_error err = { 0 };

    if (strcmp(l->field[0].buf, l->field[1].buf) != 0) {
        snprintf(l->error, sizeof(l->error), "The two passwords differ; type them again.");
    } else if (auth_change_password(tui_login_db(s->tui), &l->pending, l->field[0].buf, &err)) {
        lineedit_clear(&l->field[0]);
        lineedit_clear(&l->field[1]);
        struct auth_identity id = l->pending;
        explicit_bzero(&l->pending, sizeof(l->pending));
        tui_signed_in(s->tui, &id);
        explicit_bzero(&id, sizeof(id));
        return;
    } else {
        snprintf(l->error, sizeof(l->error), "%s", err.message ? err.message : "Not changed.");
        db_error_clear(&err);
    }
    lineedit_clear(&l->field[0]);
    lineedit_clear(&l->field[1]);
    l->focus = 0;
}

static bool login_key(struct screen *s, int key, enum action a)
{
    struct login *l = s->state;

    if (key == '\n') {
        if (l->focus == 0) {
            l->focus = 1;
        } else if (l->mode == LOGIN_SIGN_IN) {
            login_submit_sign_in(s, l);
        } else {
            login_submit_change(s, l);
        }
        return true;
    }
    if (key == '\t' || a == ACTION_MOVE_DOWN || a == ACTION_MOVE_UP || a == ACTION_NEXT_FIELD ||
        a == ACTION_PREV_FIELD) {
        if (key == 'j' || key == 'k')
            return lineedit_key(&l->field[l->focus], key);
        l->focus = 1 - l->focus;
        return true;
    }
    if (key == 27) {
        lineedit_clear(&l->field[l->focus]);
        return true;
    }
    if (lineedit_key(&l->field[l->focus], key)) {
        l->error[0] = '\0';
        return true;
    }
    return a != ACTION_QUIT && a != ACTION_HELP && a != ACTION_REFRESH;
}

static void login_close(struct screen *s)
{
    struct login *l = s->state;

    curs_set(0);
    lineedit_clear(&l->field[0]);
    lineedit_clear(&l->field[1]);
    explicit_bzero(&l->pending, sizeof(l->pending));
}

const struct screen_ops screen_login = {
    .name = "login",
    .title = "Sign in",
    .help = "sign in",
    .perm = PERM_HOME,
    .in_palette = false,
    .state_size = sizeof(struct login),
    .keys = login_keys,
    .nkeys = sizeof(login_keys) / sizeof(login_keys[0]),
    .open = login_open,
    .draw = login_draw,
    .key = login_key,
    .close = login_close,
};
