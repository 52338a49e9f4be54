/* A new staff account (admin): the form, validated field by field; the
 * initial password is hashed here and wiped; the member must change it at
 * first sign-in. */
#include <ctype.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/form.h"
#include "kontor/screens.h"
#include "kontor/staff.h"
#include "kontor/xalloc.h"

enum { F_USER, F_NAME, F_ROLE, F_LOCATION, F_PASSWORD, F_COUNT };
enum { ADD_Q_SAVE = 1 };

struct staff_add {
    struct form *form;
    struct db_stmt st;
    char *hash;
    const char *params[6];
    bool saving;
};

static const char *const role_choices[] = { "clerk", "service", "manager", "admin" };

static bool staff_add_valid_user(const char *v, char **err)
{
    for (const char *p = v; *p != '\0'; p++) {
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || strchr("._-", *p))) {
            *err = xstrdup("lower-case letters, digits and . _ - only");
            return false;
        }
    }
    return true;
}

static bool staff_add_valid_password(const char *v, char **err)
{
    if (strlen(v) < AUTH_MIN_PASSWORD) {
        *err = xasprintf("at least %d characters", AUTH_MIN_PASSWORD);
        return false;
    }
    return true;
}

static const struct form_field staff_add_fields[F_COUNT] = {
    [F_USER] = { .label = "User name", .kind = FORM_TEXT, .width = 20, .required = true,
                 .max_len = 64, .validate = staff_add_valid_user },
    [F_NAME] = { .label = "Full name", .kind = FORM_TEXT, .width = 32, .required = true,
                 .max_len = 120 },
    [F_ROLE] = { .label = "Role", .kind = FORM_CHOICE, .choices = role_choices,
                 .nchoices = sizeof(role_choices) / sizeof(role_choices[0]) },
    [F_LOCATION] = { .label = "Home location code", .kind = FORM_TEXT, .width = 10,
                     .max_len = 16 },
    [F_PASSWORD] = { .label = "Initial password", .kind = FORM_PASSWORD, .required = true,
                     .validate = staff_add_valid_password },
};

static const struct screen_key staff_add_keys[] = {
    { .key = KEYMAP_FN(KEY_F(2)), .name = "F2", .help = "create the account", .perm = PERM_STAFF,
      .hint = true },
    { .key = 27, .name = "Esc", .help = "cancel", .perm = PERM_STAFF, .hint = true },
};

static bool staff_add_open(struct screen *s, const char *args, char **err)
{
    struct staff_add *sa = s->state;

    sa->form = form_new(staff_add_fields, F_COUNT);
    if (args[0] != '\0')
        form_set(sa->form, F_USER, args);
    snprintf(s->title, sizeof(s->title), "Staff · new account");
    return true;
}

static void staff_add_wipe(struct staff_add *sa)
{
    if (sa->hash != NULL) {
        sodium_memzero(sa->hash, strlen(sa->hash));
        free(sa->hash);
        sa->hash = NULL;
    }
}

static void staff_add_save(struct screen *s, struct staff_add *sa)
{
    char *why = NULL;

    staff_add_wipe(sa);
    sa->hash = auth_hash_password(form_value(sa->form, F_PASSWORD), &why);
    form_clear_secrets(sa->form);
    if (sa->hash == NULL) {
        form_set_error(sa->form, F_PASSWORD, why);
        free(why);
        return;
    }
    const char *loc = form_value(sa->form, F_LOCATION);
    sa->params[0] = form_value(sa->form, F_USER);
    sa->params[1] = form_value(sa->form, F_NAME);
    sa->params[2] = form_value(sa->form, F_ROLE);
    sa->params[3] = loc[0] != '\0' ? loc : NULL;
    sa->params[4] = sa->hash;
    sa->params[5] = "true";
    sa->st = staff_add_stmt(sa->params);
    sa->saving = true;
    tui_query(s, ADD_Q_SAVE, &sa->st, 1);
}

static void staff_add_result(struct screen *s, int tag, struct db_stmt *stmts, size_t n,
                             const struct db_error *err)
{
    struct staff_add *sa = s->state;

    sa->saving = false;
    staff_add_wipe(sa);
    if (err == NULL) {
        tui_message(s->tui, TUI_MSG_OK, "Account %s created; the password must be changed at "
                    "first sign-in.", form_value(sa->form, F_USER));
        tui_close(s);
        return;
    }
    if (err->cls == DB_ERR_UNIQUE)
        form_set_error(sa->form, F_USER, "this user name is taken");
    else if (err->message != NULL && strstr(err->message, "location") != NULL)
        form_set_error(sa->form, F_LOCATION, err->message);
    else
        tui_db_error(s->tui, err);
    form_set_error(sa->form, F_PASSWORD, "type the initial password again");
}

static bool staff_add_key(struct screen *s, int key, enum action a)
{
    struct staff_add *sa = s->state;

    if (sa->saving)
        return true;
    switch (tui_form_key(s, sa->form, key, a, "Discard the new account?")) {
    case FORM_SAVE:
        staff_add_save(s, sa);
        return true;
    case FORM_NONE:
        return false;
    default:
        return true;
    }
}

static void staff_add_draw(struct screen *s, WINDOW *w)
{
    struct staff_add *sa = s->state;
    int rows, cols, y, x;

    getmaxyx(w, rows, cols);
    tui_print(w, 1, 2, cols - 4, THEME_HEADER, TEXT_ALIGN_LEFT,
              "New staff account — the member must change the password at first sign-in");
    form_draw(sa->form, w, 3, 2, rows - 4, cols - 4);
    if (sa->saving)
        tui_print(w, rows - 1, 2, cols - 4, THEME_DIM, TEXT_ALIGN_LEFT, "Saving…");
    if (form_cursor(sa->form, &y, &x)) {
        wmove(w, y, x);
        curs_set(1);
    }
}

static void staff_add_close(struct screen *s)
{
    struct staff_add *sa = s->state;

    staff_add_wipe(sa);
    curs_set(0);
    form_free(sa->form);
}

const struct screen_ops screen_staff_add = {
    .name = "staff-add",
    .title = "New staff account",
    .help = "create a staff account",
    .args = "[user name]",
    .perm = PERM_STAFF,
    .in_palette = true,
    .state_size = sizeof(struct staff_add),
    .keys = staff_add_keys,
    .nkeys = sizeof(staff_add_keys) / sizeof(staff_add_keys[0]),
    .open = staff_add_open,
    .draw = staff_add_draw,
    .key = staff_add_key,
    .result = staff_add_result,
    .close = staff_add_close,
};
