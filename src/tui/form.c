/* The form widget: one line per field, UTF-8 editing with a cursor, checks
 * per kind (whole numbers, money in cents, real dates) on leaving a field
 * and on save, and password buffers that never move and are wiped. */
#include "kontor/form.h"

#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/text.h"
#include "kontor/theme.h"
#include "kontor/xalloc.h"

#define FORM_DEFAULT_WIDTH 30
#define FORM_DEFAULT_MAX_LEN 200
#define FORM_GUTTER 2
#define FORM_KEY_TAB 9
#define FORM_KEY_ENTER 10
#define FORM_KEY_CTRL_U 21
#define FORM_KEY_BACKSPACE 127
#define FORM_FOCUS_MARK "\xe2\x96\xb6" /* U+25B6 ▶ */

struct form_input {
    char *buf;             /* fixed capacity: a password is never copied by realloc */
    size_t cap, len, cur;  /* bytes; cur is on a character boundary */
    size_t scroll;         /* first byte shown */
    int choice;
    bool yes;
    char *initial;         /* the value after form_set (not for passwords) */
    bool edited;           /* passwords: changed since form_set */
    char *error;
    char *canon;           /* form_value's answer, until the field changes */
    bool stale;
};

struct form {
    const struct form_field *fields;
    size_t n;
    struct form_input *in;
    size_t focus, top;
    bool cur_visible;
    int cur_y, cur_x;
};

static bool form_is_text(enum form_kind k)
{
    return k != FORM_CHOICE && k != FORM_YESNO;
}

static size_t form_max_len(const struct form_field *fd)
{
    return fd->max_len > 0 ? (size_t)fd->max_len : FORM_DEFAULT_MAX_LEN;
}

/* ---- parsing ---------------------------------------------------------- */

static char *form_quote(const char *s)
{
    return text_sanitize(s);
}

static const char *form_trim(const char *s, size_t *len)
{
    size_t n;

    while (*s == ' ' || *s == '\t')
        s++;
    n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    *len = n;
    return s;
}

static bool form_parse_int(const char *in, long long *out)
{
    size_t len;
    const char *s = form_trim(in, &len), *end = s + len;
    bool neg = false;
    long long v = 0;

    if (s < end && (*s == '-' || *s == '+'))
        neg = *s++ == '-';
    if (s == end)
        return false;
    for (; s < end; s++) {
        if (*s < '0' || *s > '9')
            return false;
        if (v > (LLONG_MAX - (*s - '0')) / 10)
            return false;
        v = v * 10 + (*s - '0');
    }
    *out = neg ? -v : v;
    return true;
}

/* Reads between min and max digits; returns the count (0 on failure). */
static size_t form_read_digits(const char *s, size_t min, size_t max, int *out)
{
    size_t n = 0;

    *out = 0;
    while (n < max && s[n] >= '0' && s[n] <= '9')
        *out = *out * 10 + (s[n++] - '0');
    return n >= min ? n : 0;
}

static int form_days_in_month(int y, int m)
{
    static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

    return m == 2 && leap ? 29 : days[m - 1];
}

/* 0: a real date; 1: not in a known form; 2: in form but not a real date. */
static int form_parse_date(const char *in, int *y, int *m, int *d)
{
    size_t len, n;
    const char *s = form_trim(in, &len);
    char copy[16];

    if (len == 0 || len >= sizeof(copy))
        return 1;
    memcpy(copy, s, len);
    copy[len] = '\0';
    s = copy;
    if ((n = form_read_digits(s, 4, 4, y)) != 0 && s[n] == '-') {
        s += n + 1;
        if ((n = form_read_digits(s, 1, 2, m)) == 0 || s[n] != '-')
            return 1;
        s += n + 1;
        if ((n = form_read_digits(s, 1, 2, d)) == 0 || s[n] != '\0')
            return 1;
    } else if ((n = form_read_digits(s, 1, 2, d)) != 0 && s[n] == '.') {
        s += n + 1;
        if ((n = form_read_digits(s, 1, 2, m)) == 0 || s[n] != '.')
            return 1;
        s += n + 1;
        if ((n = form_read_digits(s, 4, 4, y)) == 0 || s[n] != '\0')
            return 1;
    } else {
        return 1;
    }
    if (*y < 1 || *m < 1 || *m > 12 || *d < 1 || *d > form_days_in_month(*y, *m))
        return 2;
    return 0;
}

/* ---- values ----------------------------------------------------------- */

/* The value in canonical form, newly allocated (not for passwords). */
static char *form_value_dup(const struct form *f, size_t i)
{
    const struct form_field *fd = &f->fields[i];
    const struct form_input *in = &f->in[i];
    long long v;
    int y, m, d;

    switch (fd->kind) {
    case FORM_INTEGER:
        if (form_parse_int(in->buf, &v))
            return xasprintf("%lld", v);
        break;
    case FORM_MONEY: {
        char *err = NULL;

        if (in->len > 0 && text_parse_money(in->buf, &v, &err))
            return text_money(v, false);
        free(err);
        break;
    }
    case FORM_DATE:
        if (form_parse_date(in->buf, &y, &m, &d) == 0)
            return xasprintf("%04d-%02d-%02d", y, m, d);
        break;
    case FORM_CHOICE:
        return xstrdup(in->choice >= 0 && (size_t)in->choice < fd->nchoices
                           ? fd->choices[in->choice] : "");
    case FORM_YESNO:
        return xstrdup(in->yes ? "true" : "false");
    default:
        break;
    }
    return xstrdup(in->buf);
}

const char *form_value(struct form *f, size_t i)
{
    struct form_input *in;

    if (i >= f->n)
        return "";
    in = &f->in[i];
    if (f->fields[i].kind == FORM_PASSWORD)
        return in->buf;
    if (in->stale || in->canon == NULL) {
        free(in->canon);
        in->canon = form_value_dup(f, i);
        in->stale = false;
    }
    return in->canon;
}

bool form_int(const struct form *f, size_t i, long long *out)
{
    return i < f->n && form_parse_int(f->in[i].buf, out);
}

bool form_money_cents(const struct form *f, size_t i, long long *cents)
{
    char *err = NULL;
    bool ok;

    if (i >= f->n || f->in[i].len == 0)
        return false;
    ok = text_parse_money(f->in[i].buf, cents, &err);
    free(err);
    return ok;
}

bool form_bool(const struct form *f, size_t i)
{
    return i < f->n && f->in[i].yes;
}

int form_choice(const struct form *f, size_t i)
{
    return i < f->n ? f->in[i].choice : -1;
}

static void form_set_message(struct form_input *in, char *msg)
{
    free(in->error);
    in->error = msg;
}

/* The field changed: its old message and canonical value no longer hold. */
static void form_touch(struct form *f, size_t i)
{
    f->in[i].stale = true;
    f->in[i].edited = true;
    form_set_message(&f->in[i], NULL);
}

static void form_wipe_tail(struct form_input *in, size_t old_len)
{
    if (old_len > in->len)
        explicit_bzero(in->buf + in->len, old_len - in->len);
}

static void form_store_text(struct form *f, size_t i, const char *value)
{
    struct form_input *in = &f->in[i];
    size_t n = 0, chars = 0, old = in->len, max = form_max_len(&f->fields[i]);

    while (value[n] != '\0' && chars < max) {
        size_t step = 1;

        while (((unsigned char)value[n + step] & 0xc0) == 0x80)
            step++;
        if (n + step >= in->cap)
            break;
        n += step;
        chars++;
    }
    memcpy(in->buf, value, n);
    in->buf[n] = '\0';
    in->len = in->cur = n;
    in->scroll = 0;
    form_wipe_tail(in, old);
}

void form_set(struct form *f, size_t i, const char *value)
{
    const struct form_field *fd;
    struct form_input *in;

    if (i >= f->n)
        return;
    fd = &f->fields[i];
    in = &f->in[i];
    value = value != NULL ? value : "";
    if (fd->kind == FORM_CHOICE) {
        in->choice = 0;
        for (size_t c = 0; c < fd->nchoices; c++)
            if (strcmp(fd->choices[c], value) == 0)
                in->choice = (int)c;
    } else if (fd->kind == FORM_YESNO) {
        in->yes = strcmp(value, "true") == 0 || strcmp(value, "t") == 0 ||
                  strcmp(value, "yes") == 0 || strcmp(value, "1") == 0;
    } else {
        form_store_text(f, i, value);
    }
    form_touch(f, i);
    in->edited = false;
    free(in->initial);
    in->initial = fd->kind == FORM_PASSWORD ? NULL : form_value_dup(f, i);
}

void form_set_money(struct form *f, size_t i, long long cents)
{
    char *text = text_money(cents, false);

    form_set(f, i, text);
    free(text);
}

bool form_dirty(const struct form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        bool changed;

        if (f->fields[i].kind == FORM_PASSWORD) {
            changed = f->in[i].edited;
        } else {
            char *v = form_value_dup(f, i);

            changed = strcmp(v, f->in[i].initial != NULL ? f->in[i].initial : "") != 0;
            free(v);
        }
        if (changed)
            return true;
    }
    return false;
}

/* ---- construction ----------------------------------------------------- */

struct form *form_new(const struct form_field *fields, size_t n)
{
    struct form *f = xcalloc(1, sizeof(*f));

    f->fields = fields;
    f->n = n;
    f->in = xcalloc(n > 0 ? n : 1, sizeof(*f->in));
    for (size_t i = 0; i < n; i++) {
        struct form_input *in = &f->in[i];

        in->cap = form_max_len(&fields[i]) * 4 + 1;
        in->buf = xcalloc(in->cap, 1);
        in->stale = true;
        if (fields[i].kind != FORM_PASSWORD)
            in->initial = form_value_dup(f, i);
    }
    return f;
}

void form_clear_secrets(struct form *f)
{
    for (size_t i = 0; i < f->n; i++) {
        struct form_input *in = &f->in[i];

        if (f->fields[i].kind != FORM_PASSWORD)
            continue;
        explicit_bzero(in->buf, in->cap);
        in->len = in->cur = in->scroll = 0;
    }
}

void form_free(struct form *f)
{
    if (f == NULL)
        return;
    form_clear_secrets(f);
    for (size_t i = 0; i < f->n; i++) {
        free(f->in[i].buf);
        free(f->in[i].initial);
        free(f->in[i].error);
        free(f->in[i].canon);
    }
    free(f->in);
    free(f);
}

/* ---- validation ------------------------------------------------------- */

static char *form_check_integer(const struct form_field *fd, const char *text)
{
    long long v;
    bool bounded = fd->min != 0 || fd->max != 0;

    if (!form_parse_int(text, &v)) {
        char *q = form_quote(text), *msg = xasprintf("'%s' is not a whole number", q);

        free(q);
        return msg;
    }
    if (bounded && (v < fd->min || v > fd->max))
        return xasprintf("must be between %lld and %lld", fd->min, fd->max);
    return NULL;
}

static char *form_check_date(const char *text)
{
    int y, m, d, rc = form_parse_date(text, &y, &m, &d);
    char *q, *msg;

    if (rc == 0)
        return NULL;
    q = form_quote(text);
    msg = rc == 1 ? xasprintf("'%s' is not a date (use YYYY-MM-DD or DD.MM.YYYY)", q)
                  : xasprintf("'%s' is not a real date", q);
    free(q);
    return msg;
}

/* The message for field i, or NULL when it is valid. The required check
 * only on save: leaving an empty field is not yet a mistake. */
static char *form_check(struct form *f, size_t i, bool saving)
{
    const struct form_field *fd = &f->fields[i];
    const struct form_input *in = &f->in[i];
    char *msg = NULL;
    long long cents;

    if (form_is_text(fd->kind) && in->len == 0)
        return saving && fd->required ? xstrdup("required") : NULL;
    if (fd->kind == FORM_CHOICE && fd->nchoices == 0)
        return saving && fd->required ? xstrdup("required") : NULL;
    if (fd->kind == FORM_INTEGER)
        msg = form_check_integer(fd, in->buf);
    else if (fd->kind == FORM_MONEY && !text_parse_money(in->buf, &cents, &msg))
        return msg != NULL ? msg : xstrdup("is not an amount");
    else if (fd->kind == FORM_DATE)
        msg = form_check_date(in->buf);
    if (msg == NULL && fd->validate != NULL && !fd->validate(form_value(f, i), &msg) &&
        msg == NULL)
        msg = xstrdup("is not valid");
    return msg;
}

bool form_validate(struct form *f)
{
    bool ok = true, focused = false;

    for (size_t i = 0; i < f->n; i++) {
        form_set_message(&f->in[i], form_check(f, i, true));
        if (f->in[i].error != NULL) {
            ok = false;
            if (!focused)
                f->focus = i;
            focused = true;
        }
    }
    return ok;
}

void form_set_error(struct form *f, size_t i, const char *msg)
{
    if (i >= f->n)
        return;
    form_set_message(&f->in[i], msg != NULL ? xstrdup(msg) : NULL);
    for (size_t k = 0; k < f->n; k++) {
        if (f->in[k].error != NULL) {
            f->focus = k;
            break;
        }
    }
}

const char *form_error(const struct form *f, size_t i)
{
    return i < f->n ? f->in[i].error : NULL;
}

size_t form_focus(const struct form *f)
{
    return f->focus;
}

/* ---- keys ------------------------------------------------------------- */

static size_t form_count_chars(const char *s, size_t len)
{
    size_t n = 0;

    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80)
            n++;
    return n;
}

static size_t form_prev_char(const struct form_input *in, size_t pos)
{
    if (pos == 0)
        return 0;
    do
        pos--;
    while (pos > 0 && ((unsigned char)in->buf[pos] & 0xc0) == 0x80);
    return pos;
}

static size_t form_next_char(const struct form_input *in, size_t pos)
{
    if (pos >= in->len)
        return in->len;
    do
        pos++;
    while (pos < in->len && ((unsigned char)in->buf[pos] & 0xc0) == 0x80);
    return pos;
}

/* Numbers, amounts and dates take only the characters they can hold. */
static bool form_kind_accepts(enum form_kind kind, int key)
{
    bool digit = key >= '0' && key <= '9';

    switch (kind) {
    case FORM_INTEGER:
        return digit || key == '-' || key == '+';
    case FORM_MONEY:
        return digit || key == '-' || key == '+' || key == '.' || key == ',';
    case FORM_DATE:
        return digit || key == '-' || key == '.';
    default:
        return true;
    }
}

static enum form_event form_insert(struct form *f, int key)
{
    const struct form_field *fd = &f->fields[f->focus];
    struct form_input *in = &f->in[f->focus];
    char enc[4];
    size_t n;

    if (!form_kind_accepts(fd->kind, key) ||
        form_count_chars(in->buf, in->len) >= form_max_len(fd))
        return FORM_HANDLED;
    n = text_utf8_encode((uint32_t)key, enc);
    if (in->len + n >= in->cap)
        return FORM_HANDLED;
    memmove(in->buf + in->cur + n, in->buf + in->cur, in->len - in->cur + 1);
    memcpy(in->buf + in->cur, enc, n);
    in->len += n;
    in->cur += n;
    form_touch(f, f->focus);
    return FORM_CHANGED;
}

/* Removes bytes [from, to) of the focused field. */
static enum form_event form_delete(struct form *f, size_t from, size_t to)
{
    struct form_input *in = &f->in[f->focus];
    size_t old = in->len;

    if (from >= to)
        return FORM_HANDLED;
    memmove(in->buf + from, in->buf + to, in->len - to + 1);
    in->len -= to - from;
    in->cur = from;
    form_wipe_tail(in, old + 1);
    in->buf[in->len] = '\0';
    form_touch(f, f->focus);
    return FORM_CHANGED;
}

static enum form_event form_cycle(struct form *f, int step)
{
    const struct form_field *fd = &f->fields[f->focus];
    struct form_input *in = &f->in[f->focus];

    if (fd->kind == FORM_YESNO) {
        in->yes = !in->yes;
    } else {
        if (fd->nchoices == 0)
            return FORM_HANDLED;
        size_t c = (size_t)in->choice;

        in->choice = (int)(step < 0 ? (c + fd->nchoices - 1) % fd->nchoices
                                    : (c + 1) % fd->nchoices);
    }
    form_touch(f, f->focus);
    return FORM_CHANGED;
}

/* A letter picks the next choice that starts with it. */
static enum form_event form_choice_letter(struct form *f, int key)
{
    const struct form_field *fd = &f->fields[f->focus];
    struct form_input *in = &f->in[f->focus];

    if (key >= 0x80)
        return FORM_HANDLED;
    for (size_t k = 1; k <= fd->nchoices; k++) {
        size_t c = ((size_t)in->choice + k) % fd->nchoices;

        if (tolower((unsigned char)fd->choices[c][0]) == tolower(key)) {
            in->choice = (int)c;
            form_touch(f, f->focus);
            return FORM_CHANGED;
        }
    }
    return FORM_HANDLED;
}

static enum form_event form_char(struct form *f, int key)
{
    const struct form_field *fd = &f->fields[f->focus];
    struct form_input *in = &f->in[f->focus];

    if (fd->kind == FORM_YESNO) {
        if (key == ' ')
            return form_cycle(f, 1);
        bool y = key == 'y' || key == 'Y', n = key == 'n' || key == 'N';

        if ((y && !in->yes) || (n && in->yes))
            return form_cycle(f, 1);
        return FORM_HANDLED;
    }
    if (fd->kind == FORM_CHOICE)
        return key == ' ' ? form_cycle(f, 1) : form_choice_letter(f, key);
    return form_insert(f, key);
}

/* Leaving a field checks what was typed (not yet whether it is required). */
static enum form_event form_move(struct form *f, bool next)
{
    if (f->n == 0)
        return FORM_HANDLED;
    if (f->in[f->focus].error == NULL)
        form_set_message(&f->in[f->focus], form_check(f, f->focus, false));
    f->focus = next ? (f->focus + 1) % f->n : (f->focus + f->n - 1) % f->n;
    return FORM_HANDLED;
}

static enum form_event form_save(struct form *f)
{
    return form_validate(f) ? FORM_SAVE : FORM_HANDLED;
}

static enum form_event form_edit_key(struct form *f, int key)
{
    const struct form_field *fd = &f->fields[f->focus];
    struct form_input *in = &f->in[f->focus];

    if (!form_is_text(fd->kind)) {
        if (key == KEYMAP_FN(KEY_LEFT) || key == KEYMAP_FN(KEY_RIGHT))
            return form_cycle(f, key == KEYMAP_FN(KEY_LEFT) ? -1 : 1);
        return FORM_NONE;
    }
    if (key == KEYMAP_FN(KEY_LEFT))
        in->cur = form_prev_char(in, in->cur);
    else if (key == KEYMAP_FN(KEY_RIGHT))
        in->cur = form_next_char(in, in->cur);
    else if (key == KEYMAP_FN(KEY_HOME))
        in->cur = 0;
    else if (key == KEYMAP_FN(KEY_END))
        in->cur = in->len;
    else if (key == FORM_KEY_BACKSPACE)
        return form_delete(f, form_prev_char(in, in->cur), in->cur);
    else if (key == KEYMAP_FN(KEY_DC))
        return form_delete(f, in->cur, form_next_char(in, in->cur));
    else if (key == FORM_KEY_CTRL_U)
        return form_delete(f, 0, in->len);
    else
        return FORM_NONE;
    return FORM_HANDLED;
}

enum form_event form_key(struct form *f, int key, enum action a)
{
    enum form_event ev;

    if (a == ACTION_CANCEL || (a == ACTION_BACK && !text_is_typeable(key)))
        return FORM_CANCEL;
    if (f->n == 0)
        return a == ACTION_SAVE ? FORM_SAVE : FORM_NONE;
    if (text_is_typeable(key))
        return form_char(f, key);
    if (key == FORM_KEY_ENTER || a == ACTION_OPEN)
        return f->focus + 1 == f->n ? form_save(f) : form_move(f, true);
    if (a == ACTION_SAVE)
        return form_save(f);
    if ((ev = form_edit_key(f, key)) != FORM_NONE)
        return ev;
    if (a == ACTION_NEXT_FIELD || a == ACTION_MOVE_DOWN || key == FORM_KEY_TAB)
        return form_move(f, true);
    if (a == ACTION_PREV_FIELD || a == ACTION_MOVE_UP || key == KEYMAP_FN(KEY_BTAB))
        return form_move(f, false);
    return FORM_NONE;
}

/* ---- drawing ---------------------------------------------------------- */

static void form_put(WINDOW *w, int y, int x, attr_t attr, const char *text, int cols,
                     enum text_align align)
{
    char *fit;

    if (cols <= 0)
        return;
    fit = text_fit(text, cols, align);
    wattrset(w, attr);
    mvwaddstr(w, y, x, fit);
    free(fit);
}

static int form_width_of(const char *s, size_t len)
{
    char *part = xstrndup(s, len);
    int n = text_width(part);

    free(part);
    return n;
}

/* Scrolls a long text so the cursor stays in view; returns the cursor's
 * column inside the input. */
static int form_draw_text(struct form_input *in, WINDOW *w, int y, int x, int cols)
{
    if (in->cur < in->scroll)
        in->scroll = in->cur;
    while (in->scroll < in->cur && form_width_of(in->buf + in->scroll, in->cur - in->scroll) >
                                       cols - 1)
        in->scroll = form_next_char(in, in->scroll);
    form_put(w, y, x, theme_attr(THEME_INPUT), in->buf + in->scroll, cols, TEXT_ALIGN_LEFT);
    return form_width_of(in->buf + in->scroll, in->cur - in->scroll);
}

static int form_draw_input(struct form *f, size_t i, WINDOW *w, int y, int x, int cols)
{
    const struct form_field *fd = &f->fields[i];
    struct form_input *in = &f->in[i];
    char *text;

    switch (fd->kind) {
    case FORM_PASSWORD:
        form_put(w, y, x, theme_attr(THEME_INPUT), "(hidden)", cols, TEXT_ALIGN_LEFT);
        return 0;
    case FORM_CHOICE:
        text = xasprintf("%s \xe2\x96\xbe", in->choice >= 0 && (size_t)in->choice < fd->nchoices
                                                ? fd->choices[in->choice] : "");
        break;
    case FORM_YESNO:
        text = xstrdup(in->yes ? "[x] yes" : "[ ] no");
        break;
    default:
        return form_draw_text(in, w, y, x, cols);
    }
    form_put(w, y, x, theme_attr(THEME_INPUT), text, cols, TEXT_ALIGN_LEFT);
    free(text);
    return 0;
}

static int form_label_width(const struct form *f, int width)
{
    int lw = 0;

    for (size_t i = 0; i < f->n; i++) {
        int n = text_width(f->fields[i].label);

        lw = n > lw ? n : lw;
    }
    lw += 1;
    return lw > width / 3 ? width / 3 : lw;
}

static void form_draw_field(struct form *f, size_t i, WINDOW *w, int y, int x, int width,
                            int lw)
{
    const struct form_field *fd = &f->fields[i];
    int ix = x + FORM_GUTTER + lw + 1, right = x + width;
    int iw = fd->width > 0 ? fd->width : FORM_DEFAULT_WIDTH, cx;
    attr_t body = theme_attr(THEME_BODY);

    form_put(w, y, x, body, "", width, TEXT_ALIGN_LEFT);
    form_put(w, y, x, body, i == f->focus ? FORM_FOCUS_MARK : " ", FORM_GUTTER,
             TEXT_ALIGN_LEFT);
    form_put(w, y, x + FORM_GUTTER, body, fd->label, lw < right - x - FORM_GUTTER
             ? lw : right - x - FORM_GUTTER, TEXT_ALIGN_LEFT);
    if (iw > right - ix)
        iw = right - ix;
    if (iw <= 0)
        return;
    cx = form_draw_input(f, i, w, y, ix, iw);
    if (i == f->focus) {
        f->cur_visible = true;
        f->cur_y = y;
        f->cur_x = ix + (cx < iw ? cx : iw - 1);
    }
    if (f->in[i].error != NULL)
        form_put(w, y, ix + iw + 1, theme_attr(THEME_ERROR), f->in[i].error,
                 right - (ix + iw + 1), TEXT_ALIGN_LEFT);
}

void form_draw(struct form *f, WINDOW *w, int y, int x, int height, int width)
{
    int lw = form_label_width(f, width);

    f->cur_visible = false;
    if (height <= 0 || width <= 0)
        return;
    if (f->focus < f->top)
        f->top = f->focus;
    if (f->focus >= f->top + (size_t)height)
        f->top = f->focus - (size_t)height + 1;
    for (int line = 0; line < height; line++) {
        size_t i = f->top + (size_t)line;

        if (i < f->n)
            form_draw_field(f, i, w, y + line, x, width, lw);
        else
            form_put(w, y + line, x, theme_attr(THEME_BODY), "", width, TEXT_ALIGN_LEFT);
    }
    wattrset(w, A_NORMAL);
}

bool form_cursor(const struct form *f, int *y, int *x)
{
    if (!f->cur_visible)
        return false;
    *y = f->cur_y;
    *x = f->cur_x;
    return true;
}
