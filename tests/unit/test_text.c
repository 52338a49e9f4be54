/* Text safety and width: hostile strings come out visible and inert, widths
 * follow wcwidth, fitting gives exact columns, money is exact in cents. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/text.h"

static void check_sanitize(const char *in, const char *want)
{
    char *out = text_sanitize(in);

    assert_string_equal(out, want);
    free(out);
}

/* Nothing that could reach the terminal as a control remains. */
static void assert_inert(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;

    for (size_t i = 0; u[i] != '\0'; i++) {
        assert_true(u[i] >= 0x20);
        assert_true(u[i] != 0x7f);
        if (u[i] == 0xc2)
            assert_false(u[i + 1] >= 0x80 && u[i + 1] <= 0x9f);
    }
}

static void test_sanitize_escape_sequences(void **state)
{
    const char *hostile = "\x1b]0;pwned\x07\x1b[2J\x1b[31mred\x1b[0m\x9b" "1m\xc2\x9b" "2J";
    char *out = text_sanitize(hostile);

    assert_null(strchr(out, 0x1b));
    assert_string_equal(out, "^[]0;pwned^G^[[2J^[[31mred^[[0m<9b>1m<9b>2J");
    assert_inert(out);
    free(out);
}

static void test_sanitize_controls(void **state)
{
    check_sanitize("a\tb\nc\rd\x7f" "e\x01", "a^Ib^Jc^Md^?e^A");
    check_sanitize("\x1f", "^_");
    check_sanitize("\xc2\x80\xc2\x9f", "<80><9f>");
    check_sanitize(NULL, "");
    check_sanitize("", "");
}

static void test_sanitize_invalid_utf8(void **state)
{
    check_sanitize("\xff", "<ff>");
    check_sanitize("a\xc3", "a<c3>");            /* cut short */
    check_sanitize("\xc0\xaf", "<c0><af>");      /* overlong '/' */
    check_sanitize("\xed\xa0\x80", "<ed><a0><80>"); /* surrogate */
    check_sanitize("\xf4\x90\x80\x80", "<f4><90><80><80>"); /* above U+10FFFF */
    check_sanitize("\xe2\x80" "x", "<e2><80>x");
}

static void test_sanitize_bidi(void **state)
{
    check_sanitize("pay \xe2\x80\xae" "001\xe2\x80\xac", "pay <U+202E>001<U+202C>");
    check_sanitize("\xe2\x81\xa6x\xe2\x81\xa9", "<U+2066>x<U+2069>");
    check_sanitize("\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xad\xe2\x81\xa7\xe2\x81\xa8",
                   "<U+202A><U+202B><U+202D><U+2067><U+2068>");
}

static void test_sanitize_passes_text(void **state)
{
    const char *ok = "Jürgen Müller · 山田 花子 · Zoë · e\xcc\x81 · € · ▶ ● ✓";

    check_sanitize(ok, ok);
}

static void test_width(void **state)
{
    assert_int_equal(text_width("abc"), 3);
    assert_int_equal(text_width("Jürgen"), 6);
    assert_int_equal(text_width("山田 花子"), 9);
    assert_int_equal(text_width("山"), 2);
    assert_int_equal(text_width("e\xcc\x81"), 1);     /* e + combining acute */
    assert_int_equal(text_width("\xcc\x81"), 0);
    assert_int_equal(text_width("\x1b"), 2);          /* shown as ^[ */
    assert_int_equal(text_width("\xe2\x80\xae"), 8);  /* <U+202E> */
    assert_int_equal(text_width("\xff"), 4);          /* <ff> */
    assert_int_equal(text_width(""), 0);
    assert_int_equal(text_width(NULL), 0);
}

static void check_fit(const char *in, int cols, enum text_align align, const char *want)
{
    char *out = text_fit(in, cols, align);

    assert_string_equal(out, want);
    assert_int_equal(text_width(out), cols < 0 ? 0 : cols);
    free(out);
}

static void test_fit_pad_and_align(void **state)
{
    check_fit("Müller", 8, TEXT_ALIGN_LEFT, "Müller  ");
    check_fit("Müller", 8, TEXT_ALIGN_RIGHT, "  Müller");
    check_fit("Müller", 8, TEXT_ALIGN_CENTER, " Müller ");
    check_fit("Müller", 6, TEXT_ALIGN_LEFT, "Müller");
    check_fit("-3.10", 9, TEXT_ALIGN_RIGHT, "    -3.10");
    check_fit("山田", 5, TEXT_ALIGN_RIGHT, " 山田");
    check_fit("", 3, TEXT_ALIGN_LEFT, "   ");
    check_fit("abc", 0, TEXT_ALIGN_LEFT, "");
    check_fit("abc", -2, TEXT_ALIGN_LEFT, "");
}

static void test_fit_truncate(void **state)
{
    check_fit("Jürgen Müller", 8, TEXT_ALIGN_LEFT, "Jürgen …");
    check_fit("Jürgen Müller", 8, TEXT_ALIGN_RIGHT, "Jürgen …");
    check_fit("Björn Schröder", 5, TEXT_ALIGN_LEFT, "Björ…");
    check_fit("abc", 1, TEXT_ALIGN_LEFT, "…");
    check_fit("abc", 2, TEXT_ALIGN_LEFT, "a…");
    /* CJK: a wide character never split; a space fills the column. */
    check_fit("山田花子", 5, TEXT_ALIGN_LEFT, "山田…");
    check_fit("山田花子", 6, TEXT_ALIGN_LEFT, "山田 …");
    check_fit("山田花子", 2, TEXT_ALIGN_LEFT, " …");
    check_fit("a山田", 4, TEXT_ALIGN_LEFT, "a山…");
    /* Combining characters stay with their base, or go with it. */
    check_fit("e\xcc\x81" "e\xcc\x81" "e\xcc\x81" "e\xcc\x81", 3, TEXT_ALIGN_LEFT,
              "e\xcc\x81" "e\xcc\x81…");
    check_fit("abc\xcc\x81" "d", 3, TEXT_ALIGN_LEFT, "ab…");
    check_fit("e\xcc\x81" "e\xcc\x81", 2, TEXT_ALIGN_LEFT, "e\xcc\x81" "e\xcc\x81");
    /* Escapes are never split either. */
    check_fit("a\x1b", 2, TEXT_ALIGN_LEFT, "a…");
    check_fit("a\x1b", 3, TEXT_ALIGN_LEFT, "a^[");
    check_fit("a\x1b[2Jxyz", 5, TEXT_ALIGN_LEFT, "a^[[…");
}

/* Whatever the input, the result is exactly cols wide and inert. */
static void test_fit_exact_width_everywhere(void **state)
{
    static const char *inputs[] = {
        "", "x", "Jürgen Müller", "山田 花子", "a山b田c", "e\xcc\x81\xcc\x88x",
        "\x1b[31m\xe2\x80\xae\xff\t", "Zoë Hartmann · ▶ K-104232", "\xcc\x81start",
    };
    static const enum text_align aligns[] = { TEXT_ALIGN_LEFT, TEXT_ALIGN_RIGHT,
                                              TEXT_ALIGN_CENTER };

    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        for (int cols = 1; cols <= 30; cols++) {
            for (size_t a = 0; a < 3; a++) {
                char *out = text_fit(inputs[i], cols, aligns[a]);

                assert_int_equal(text_width(out), cols);
                assert_inert(out);
                free(out);
            }
        }
    }
}

static void test_money_format(void **state)
{
    static const struct {
        long long cents;
        bool grouping;
        const char *want;
    } cases[] = {
        { 0, true, "0.00" },
        { 5, true, "0.05" },
        { -5, true, "-0.05" },
        { -310, true, "-3.10" },
        { 99999, true, "999.99" },
        { 100000, true, "1,000.00" },
        { 100000, false, "1000.00" },
        { 3821140, true, "38,211.40" },
        { 11763675, true, "117,636.75" },
        { -123456789, true, "-1,234,567.89" },
        { LLONG_MAX, true, "92,233,720,368,547,758.07" },
        { LLONG_MIN, true, "-92,233,720,368,547,758.08" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        char *s = text_money(cases[i].cents, cases[i].grouping);

        assert_string_equal(s, cases[i].want);
        free(s);
    }
}

static void test_money_parse_accepts(void **state)
{
    static const struct {
        const char *in;
        long long cents;
    } cases[] = {
        { "12", 1200 },
        { "12.5", 1250 },
        { "12.50", 1250 },
        { "1,234.56", 123456 },
        { "1.234,56", 123456 },
        { "12,5", 1250 },
        { "12,05", 1205 },
        { "-3.10", -310 },
        { "+4", 400 },
        { " 7 ", 700 },
        { "0.05", 5 },
        { ".5", 50 },
        { "1,234", 123400 },
        { "12,345,678.9", 1234567890 },
        { "1.234.567,89", 123456789 },
        { "-0", 0 },
        { "92233720368547758.07", LLONG_MAX },
        { "-92,233,720,368,547,758.07", -LLONG_MAX },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long long cents = -1;
        char *err = NULL;
        bool ok = text_parse_money(cases[i].in, &cents, &err);

        if (!ok)
            fail_msg("'%s' rejected: %s", cases[i].in, err);
        assert_int_equal(cents, cases[i].cents);
        assert_null(err);
    }
}

static void test_money_parse_rejects(void **state)
{
    static const struct {
        const char *in, *why;
    } cases[] = {
        { "", "not an amount" },
        { "  ", "not an amount" },
        { "-", "not an amount" },
        { "abc", "not an amount" },
        { "12€", "not an amount" },
        { "1e5", "not an amount" },
        { "--5", "not an amount" },
        { "1 234", "not an amount" },
        { "12.345", "more than two decimal places" },
        { "0.001", "more than two decimal places" },
        { "1,234.567", "more than two decimal places" },
        { "12.", "one or two digits after" },
        { ".", "one or two digits after" },
        { "1.2.3", "more than one decimal separator" },
        { "1,23,4.00", "misplaced thousands separator" },
        { ",5.00", "misplaced thousands separator" },
        { "1,,234", "misplaced thousands separator" },
        { "1234,567.00", "misplaced thousands separator" },
        { "1.5,234", "thousands separator after the decimals" },
        { "1,234.5,6", "more than one decimal separator" },
        { "92233720368547758.08", "too large" },
        { "99999999999999999999", "too large" },
        { "-92233720368547758.08", "too large" },
        { "\x1b[2J", "not an amount" },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        long long cents = 42;
        char *err = NULL;

        if (text_parse_money(cases[i].in, &cents, &err))
            fail_msg("'%s' accepted as %lld", cases[i].in, cents);
        assert_non_null(err);
        if (strstr(err, cases[i].why) == NULL)
            fail_msg("'%s': message '%s' lacks '%s'", cases[i].in, err, cases[i].why);
        assert_null(strchr(err, 0x1b));
        assert_int_equal(cents, 42);
        free(err);
    }
}

static void test_money_round_trip(void **state)
{
    static const long long values[] = { 0, 1, -1, 99, 100, 123456, -987654321, 100000000000LL,
                                        LLONG_MAX, -LLONG_MAX };

    for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
        for (int g = 0; g < 2; g++) {
            char *s = text_money(values[i], g == 1), *err = NULL;
            long long back = 0;

            assert_true(text_parse_money(s, &back, &err));
            assert_int_equal(back, values[i]);
            free(s);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sanitize_escape_sequences),
        cmocka_unit_test(test_sanitize_controls),
        cmocka_unit_test(test_sanitize_invalid_utf8),
        cmocka_unit_test(test_sanitize_bidi),
        cmocka_unit_test(test_sanitize_passes_text),
        cmocka_unit_test(test_width),
        cmocka_unit_test(test_fit_pad_and_align),
        cmocka_unit_test(test_fit_truncate),
        cmocka_unit_test(test_fit_exact_width_everywhere),
        cmocka_unit_test(test_money_format),
        cmocka_unit_test(test_money_parse_accepts),
        cmocka_unit_test(test_money_parse_rejects),
        cmocka_unit_test(test_money_round_trip),
    };

    if (setlocale(LC_CTYPE, "C.UTF-8") == NULL && setlocale(LC_CTYPE, "") == NULL) {
        fprintf(stderr, "test_text: no UTF-8 locale\n");
        return 1;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}
