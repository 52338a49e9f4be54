/* The form widget: validation messages for money, whole numbers and dates,
 * choice cycling, UTF-8 editing, dirty tracking, refusing to save with an
 * empty required field, and passwords that are never drawn and are wiped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/form.h"
#include "kontor/text.h"
#include "kontor/theme.h"

#include "curses_fixture.h"

enum { F_NAME, F_PASSWORD, F_AMOUNT, F_QTY, F_DATE, F_CHANNEL, F_NEWS, F_COUNT };

static const char *const channels[] = { "web", "app", "store" };

static bool starts_with_k(const char *value, char **err)
{
    if (value[0] == 'K')
        return true;
    *err = strdup("must start with K");
    return false;
}

static const struct form_field fields[] = {
    [F_NAME] = { .label = "Name", .kind = FORM_TEXT, .required = true, .max_len = 10 },
    [F_PASSWORD] = { .label = "Password", .kind = FORM_PASSWORD },
    [F_AMOUNT] = { .label = "Amount", .kind = FORM_MONEY, .width = 12 },
    [F_QTY] = { .label = "Quantity", .kind = FORM_INTEGER, .min = 1, .max = 99, .width = 5 },
    [F_DATE] = { .label = "Date", .kind = FORM_DATE, .width = 12 },
    [F_CHANNEL] = { .label = "Channel", .kind = FORM_CHOICE, .choices = channels,
                    .nchoices = 3 },
    [F_NEWS] = { .label = "Newsletter", .kind = FORM_YESNO },
};

#define KEY_LEFT_ KEYMAP_FN(KEY_LEFT)
#define KEY_RIGHT_ KEYMAP_FN(KEY_RIGHT)

static void type(struct form *f, const char *utf8)
{
    size_t len = strlen(utf8);

    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = text_utf8_decode(utf8 + i, len - i, &cp);

        assert_true(n > 0);
        form_key(f, (int)cp, ACTION_NONE);
        i += n;
    }
}

static void focus(struct form *f, size_t i)
{
    while (form_focus(f) != i)
        assert_int_equal(form_key(f, '\t', ACTION_NEXT_FIELD), FORM_HANDLED);
}

/* Sets field i and checks the message a save gives for it. */
static void expect_message(struct form *f, size_t i, const char *value, const char *msg)
{
    form_set(f, i, value);
    assert_false(form_validate(f));
    assert_non_null(form_error(f, i));
    if (strstr(form_error(f, i), msg) == NULL)
        fail_msg("field %zu, '%s': message '%s' lacks '%s'", i, value, form_error(f, i), msg);
}

static struct form *valid_form(void)
{
    struct form *f = form_new(fields, F_COUNT);

    form_set(f, F_NAME, "K-1");
    return f;
}

static void test_money(void **state)
{
    struct form *f = valid_form();
    long long cents = 0;

    focus(f, F_AMOUNT);
    type(f, "1.234,56");
    assert_true(form_money_cents(f, F_AMOUNT, &cents));
    assert_int_equal(cents, 123456);
    assert_string_equal(form_value(f, F_AMOUNT), "1234.56");
    assert_int_equal(form_key(f, 'x', ACTION_NONE), FORM_HANDLED); /* letters refused */
    assert_int_equal(form_key(f, 127, ACTION_NONE), FORM_CHANGED);
    assert_int_equal(form_key(f, 127, ACTION_NONE), FORM_CHANGED);
    type(f, "5");
    assert_true(form_money_cents(f, F_AMOUNT, &cents));
    assert_int_equal(cents, 123450); /* "1.234,5" */
    form_set(f, F_AMOUNT, "12.5");
    assert_true(form_money_cents(f, F_AMOUNT, &cents));
    assert_int_equal(cents, 1250);
    form_set_money(f, F_AMOUNT, -310);
    assert_string_equal(form_value(f, F_AMOUNT), "-3.10");
    assert_true(form_validate(f));
    expect_message(f, F_AMOUNT, "12.345", "more than two decimal places");
    expect_message(f, F_AMOUNT, "1,23,4.00", "thousands separator");
    expect_message(f, F_AMOUNT, "12..5", "decimal separator");
    assert_false(form_money_cents(f, F_AMOUNT, &cents));
    form_set(f, F_AMOUNT, "");
    assert_true(form_validate(f)); /* not required: empty is fine */
    assert_false(form_money_cents(f, F_AMOUNT, &cents));
    form_free(f);
}

static void test_integer(void **state)
{
    struct form *f = valid_form();
    long long n = 0;

    form_set(f, F_QTY, "42");
    assert_true(form_int(f, F_QTY, &n));
    assert_int_equal(n, 42);
    assert_true(form_validate(f));
    expect_message(f, F_QTY, "150", "must be between 1 and 99");
    expect_message(f, F_QTY, "0", "must be between 1 and 99");
    expect_message(f, F_QTY, "4a", "'4a' is not a whole number");
    expect_message(f, F_QTY, "99999999999999999999", "not a whole number");
    assert_int_equal(form_focus(f), F_QTY); /* save moved to the bad field */
    form_set(f, F_QTY, " 7 ");
    assert_true(form_validate(f));
    assert_string_equal(form_value(f, F_QTY), "7");
    form_free(f);
}

static void test_date(void **state)
{
    struct form *f = valid_form();

    form_set(f, F_DATE, "2024-02-29");
    assert_true(form_validate(f));
    assert_string_equal(form_value(f, F_DATE), "2024-02-29");
    form_set(f, F_DATE, "29.2.2024");
    assert_true(form_validate(f));
    assert_string_equal(form_value(f, F_DATE), "2024-02-29");
    form_set(f, F_DATE, "01.12.1999");
    assert_string_equal(form_value(f, F_DATE), "1999-12-01");
    expect_message(f, F_DATE, "2023-02-29", "'2023-02-29' is not a real date");
    expect_message(f, F_DATE, "31.04.2024", "not a real date");
    expect_message(f, F_DATE, "2024-13-01", "not a real date");
    expect_message(f, F_DATE, "24-1-1", "not a date (use YYYY-MM-DD or DD.MM.YYYY)");
    expect_message(f, F_DATE, "2024-01-01x", "not a date");
    expect_message(f, F_DATE, "1.1.24", "not a date");
    form_free(f);
}

/* A field's message goes when the field is edited; leaving checks it. */
static void test_message_on_leave_and_edit(void **state)
{
    struct form *f = valid_form();

    focus(f, F_DATE);
    type(f, "30.02.2024");
    form_key(f, '\t', ACTION_NEXT_FIELD);
    assert_int_equal(form_focus(f), F_CHANNEL);
    assert_non_null(form_error(f, F_DATE));
    form_key(f, KEYMAP_FN(KEY_BTAB), ACTION_PREV_FIELD);
    assert_int_equal(form_focus(f), F_DATE);
    assert_int_equal(form_key(f, 127, ACTION_NONE), FORM_CHANGED);
    assert_null(form_error(f, F_DATE));
    form_free(f);
}

static void test_choice_and_yesno(void **state)
{
    struct form *f = valid_form();

    focus(f, F_CHANNEL);
    assert_string_equal(form_value(f, F_CHANNEL), "web");
    assert_int_equal(form_key(f, ' ', ACTION_MARK), FORM_CHANGED);
    assert_string_equal(form_value(f, F_CHANNEL), "app");
    form_key(f, KEY_RIGHT_, ACTION_NONE);
    assert_string_equal(form_value(f, F_CHANNEL), "store");
    form_key(f, KEY_RIGHT_, ACTION_NONE);
    assert_string_equal(form_value(f, F_CHANNEL), "web"); /* wraps */
    form_key(f, KEY_LEFT_, ACTION_NONE);
    assert_int_equal(form_choice(f, F_CHANNEL), 2);
    form_key(f, 'a', ACTION_ACTIONS_MENU); /* a letter picks the choice */
    assert_string_equal(form_value(f, F_CHANNEL), "app");
    assert_int_equal(form_key(f, 'q', ACTION_BACK), FORM_HANDLED); /* not a way out */
    form_set(f, F_CHANNEL, "store");
    assert_int_equal(form_choice(f, F_CHANNEL), 2);

    focus(f, F_NEWS);
    assert_false(form_bool(f, F_NEWS));
    assert_string_equal(form_value(f, F_NEWS), "false");
    form_key(f, ' ', ACTION_MARK);
    assert_true(form_bool(f, F_NEWS));
    assert_string_equal(form_value(f, F_NEWS), "true");
    form_key(f, 'y', ACTION_NONE);
    assert_true(form_bool(f, F_NEWS));
    form_key(f, 'n', ACTION_NONE);
    assert_false(form_bool(f, F_NEWS));
    form_free(f);
}

static void test_text_editing(void **state)
{
    struct form *f = form_new(fields, F_COUNT);

    type(f, "Zoë");
    assert_string_equal(form_value(f, F_NAME), "Zo\xc3\xab");
    form_key(f, KEY_LEFT_, ACTION_NONE);
    assert_int_equal(form_key(f, 127, ACTION_NONE), FORM_CHANGED); /* the o */
    assert_string_equal(form_value(f, F_NAME), "Z\xc3\xab");
    form_key(f, KEYMAP_FN(KEY_HOME), ACTION_FIRST);
    form_key(f, KEYMAP_FN(KEY_DC), ACTION_NONE);
    assert_string_equal(form_value(f, F_NAME), "\xc3\xab");
    form_key(f, KEYMAP_FN(KEY_END), ACTION_LAST);
    form_key(f, 'q', ACTION_BACK); /* typed, not a way out */
    form_key(f, 'j', ACTION_MOVE_DOWN);
    assert_string_equal(form_value(f, F_NAME), "\xc3\xabqj");
    assert_int_equal(form_focus(f), F_NAME);
    type(f, "123456789"); /* max 10 characters */
    assert_string_equal(form_value(f, F_NAME), "\xc3\xabqj1234567");
    form_key(f, 21, ACTION_NONE); /* C-u */
    assert_string_equal(form_value(f, F_NAME), "");
    assert_int_equal(form_key(f, 27, ACTION_BACK), FORM_CANCEL);
    assert_int_equal(form_key(f, KEYMAP_FN(KEY_F(12)), ACTION_CANCEL), FORM_CANCEL);
    assert_int_equal(form_key(f, KEYMAP_FN(KEY_F(10)), ACTION_QUIT), FORM_NONE);
    form_free(f);
}

static void test_dirty(void **state)
{
    struct form *f = form_new(fields, F_COUNT);

    form_set(f, F_NAME, "K-1");
    form_set(f, F_AMOUNT, "12.50");
    form_set(f, F_CHANNEL, "app");
    form_set(f, F_NEWS, "true");
    assert_false(form_dirty(f));
    type(f, "0");
    assert_true(form_dirty(f));
    form_key(f, 127, ACTION_NONE);
    assert_false(form_dirty(f)); /* back to what it was */
    focus(f, F_AMOUNT);
    form_key(f, 127, ACTION_NONE);
    assert_false(form_dirty(f)); /* "12.5" is the same amount */
    form_key(f, 127, ACTION_NONE);
    assert_true(form_dirty(f));
    form_set(f, F_AMOUNT, "12.50");
    focus(f, F_CHANNEL);
    form_key(f, ' ', ACTION_MARK);
    assert_true(form_dirty(f));
    form_key(f, KEY_LEFT_, ACTION_NONE);
    assert_false(form_dirty(f));
    focus(f, F_PASSWORD);
    type(f, "x");
    assert_true(form_dirty(f));
    form_free(f);
}

static void test_required_and_save(void **state)
{
    struct form *f = form_new(fields, F_COUNT);

    focus(f, F_NEWS);
    assert_int_equal(form_key(f, KEYMAP_FN(KEY_F(2)), ACTION_SAVE), FORM_HANDLED);
    assert_string_equal(form_error(f, F_NAME), "required");
    assert_int_equal(form_focus(f), F_NAME);
    type(f, "Bob");
    assert_null(form_error(f, F_NAME));
    assert_int_equal(form_key(f, KEYMAP_FN(KEY_F(2)), ACTION_SAVE), FORM_SAVE);
    for (size_t i = 0; i < F_COUNT; i++)
        assert_null(form_error(f, i));
    form_free(f);
}

static void test_validator_and_server_error(void **state)
{
    struct form_field one[] = {
        { .label = "Number", .kind = FORM_TEXT, .required = true, .validate = starts_with_k },
        { .label = "Note", .kind = FORM_TEXT },
    };
    struct form *f = form_new(one, 2);

    type(f, "X-1");
    assert_int_equal(form_key(f, 10, ACTION_OPEN), FORM_HANDLED); /* Enter: next field */
    assert_int_equal(form_focus(f), 1);
    assert_string_equal(form_error(f, 0), "must start with K");
    assert_int_equal(form_key(f, 10, ACTION_OPEN), FORM_HANDLED); /* last: save, refused */
    assert_int_equal(form_focus(f), 0);
    form_key(f, KEYMAP_FN(KEY_HOME), ACTION_FIRST);
    form_key(f, KEYMAP_FN(KEY_DC), ACTION_NONE);
    type(f, "K");
    assert_int_equal(form_key(f, KEYMAP_FN(KEY_F(2)), ACTION_SAVE), FORM_SAVE);
    form_key(f, '\t', ACTION_NEXT_FIELD);
    assert_int_equal(form_key(f, 10, ACTION_OPEN), FORM_SAVE); /* Enter on the last */
    form_set_error(f, 0, "K-1 exists already");
    assert_int_equal(form_focus(f), 0);
    assert_string_equal(form_error(f, 0), "K-1 exists already");
    form_free(f);
}

/* ---- drawing and secrets ------------------------------------------------ */


static const char *line_of(WINDOW *w, int y)
{
    static char buf[512];

    memset(buf, 0, sizeof(buf));
    assert_true(mvwinnstr(w, y, 0, buf, (int)sizeof(buf) - 1) != ERR);
    return buf;
}

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

static void test_password_hidden_and_wiped(void **state)
{
    struct form *f = form_new(fields, F_COUNT);
    WINDOW *w = newpad(10, 80);
    const char *pw;
    int y, x;

    assert_non_null(w);
    form_set(f, F_NAME, "K-1");
    focus(f, F_PASSWORD);
    type(f, "s3cr\xc3\xa9t");
    pw = form_value(f, F_PASSWORD);
    assert_string_equal(pw, "s3cr\xc3\xa9t");
    form_draw(f, w, 0, 0, 10, 80);
    for (int i = 0; i < 10; i++) {
        assert_null(strstr(line_of(w, i), "s3cr"));
        assert_null(strstr(line_of(w, i), "*"));
    }
    assert_true(column_of(line_of(w, F_PASSWORD), "(hidden)") > 0);
    /* the cursor gives away nothing about the length either */
    assert_true(form_cursor(f, &y, &x));
    assert_int_equal(y, F_PASSWORD);
    assert_int_equal(x, column_of(line_of(w, F_PASSWORD), "(hidden)"));
    form_key(f, 127, ACTION_NONE);
    form_key(f, 127, ACTION_NONE);
    assert_string_equal(pw, "s3cr"); /* the removed bytes are wiped too */
    for (size_t i = 4; i < 8; i++)
        assert_int_equal(pw[i], 0);
    form_clear_secrets(f);
    for (size_t i = 0; i < 8; i++)
        assert_int_equal(pw[i], 0); /* same buffer, now all zero */
    assert_string_equal(form_value(f, F_PASSWORD), "");
    delwin(w);
    form_free(f);
}

static void test_draw_labels_errors_cursor(void **state)
{
    struct form *f = form_new(fields, F_COUNT);
    WINDOW *w = newpad(10, 100);
    int y, x, input;

    assert_non_null(w);
    form_set(f, F_QTY, "150");
    form_set(f, F_DATE, "2024-02-29");
    form_set(f, F_NEWS, "true");
    form_key(f, KEYMAP_FN(KEY_F(2)), ACTION_SAVE);
    form_key(f, KEYMAP_FN(KEY_END), ACTION_LAST);
    type(f, "Zoë 山");
    form_draw(f, w, 0, 0, 9, 80);
    input = column_of(line_of(w, F_NAME), "Zoë");
    assert_int_equal(column_of(line_of(w, F_NAME), "▶"), 0);
    assert_int_equal(column_of(line_of(w, F_NAME), "Name"), 2);
    assert_int_equal(column_of(line_of(w, F_QTY), "150"), input);
    assert_true(column_of(line_of(w, F_QTY), "must be between 1 and 99") > input + 5);
    assert_true((mvwinch(w, F_QTY, input + 7) & A_BOLD) != 0); /* THEME_ERROR in mono */
    assert_true((mvwinch(w, F_DATE, input) & A_UNDERLINE) != 0); /* THEME_INPUT */
    assert_int_equal(column_of(line_of(w, F_CHANNEL), "web"), input);
    assert_int_equal(column_of(line_of(w, F_NEWS), "[x] yes"), input);
    assert_true(form_cursor(f, &y, &x));
    assert_int_equal(y, F_NAME);
    assert_int_equal(x, input + 6); /* after "Zoë 山": 3 + 1 + 2 columns */
    for (int i = 0; i < 9; i++)
        for (int c = 80; c < 100; c++)
            assert_int_equal(mvwinch(w, i, c) & A_CHARTEXT, ' ');
    /* a long value scrolls so the cursor stays inside the input */
    form_set(f, F_NAME, "");
    type(f, "KKKKKKKKKK");
    form_draw(f, w, 0, 0, 9, 20);
    assert_true(form_cursor(f, &y, &x));
    assert_true(x < 20);
    delwin(w);
    form_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_money),
        cmocka_unit_test(test_integer),
        cmocka_unit_test(test_date),
        cmocka_unit_test(test_message_on_leave_and_edit),
        cmocka_unit_test(test_choice_and_yesno),
        cmocka_unit_test(test_text_editing),
        cmocka_unit_test(test_dirty),
        cmocka_unit_test(test_required_and_save),
        cmocka_unit_test(test_validator_and_server_error),
    };
    const struct CMUnitTest draw_tests[] = {
        cmocka_unit_test(test_password_hidden_and_wiped),
        cmocka_unit_test(test_draw_labels_errors_cursor),
    };
    int failed;

    setlocale(LC_ALL, "C.UTF-8");
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    return failed + cmocka_run_group_tests(draw_tests, setup_curses, teardown_curses);
}
