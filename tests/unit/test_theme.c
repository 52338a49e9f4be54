/* Themes: every shipped theme parses and sets every slot, the built-in mono
 * theme matches themes/mono.ini, errors name file, line, slot and value, and
 * without colour every slot still has a readable attribute. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/theme.h"

static const char *shipped[] = { "default", "light", "mono", "high-contrast" };

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf = calloc(1, 65536);
    size_t n;

    assert_non_null(f);
    assert_non_null(buf);
    n = fread(buf, 1, 65535, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void test_shipped_themes_parse(void **state)
{
    for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
        struct theme t;
        char *err = NULL, path[128];

        snprintf(path, sizeof(path), "themes/%s.ini", shipped[i]);
        if (!theme_load(&t, path, NULL, &err))
            fail_msg("%s: %s", path, err);
        assert_string_equal(t.name, shipped[i]);
        /* by name in a directory, too */
        assert_true(theme_load(&t, shipped[i], "themes", &err));
        assert_string_equal(t.name, shipped[i]);
    }
}

/* A shipped theme must say something about every slot, not lean on mono. */
static void test_shipped_themes_set_every_slot(void **state)
{
    for (size_t i = 0; i < sizeof(shipped) / sizeof(shipped[0]); i++) {
        char path[128], *text;

        snprintf(path, sizeof(path), "themes/%s.ini", shipped[i]);
        text = read_text(path);
        for (int s = 0; s < THEME_SLOT_COUNT; s++) {
            char line[64];

            snprintf(line, sizeof(line), "\n%s = ", theme_slot_name((enum theme_slot)s));
            if (strstr(text, line) == NULL)
                fail_msg("%s lacks slot %s", path, theme_slot_name((enum theme_slot)s));
        }
        free(text);
    }
}

static void test_default_values(void **state)
{
    struct theme t;
    char *err = NULL;

    assert_true(theme_load(&t, "default", "themes", &err));
    assert_int_equal(t.style[THEME_SELECTED].fg, 0);
    assert_int_equal(t.style[THEME_SELECTED].bg, 6);
    assert_int_equal(t.style[THEME_BODY].fg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.style[THEME_BODY].bg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.style[THEME_ERROR].attrs, THEME_ATTR_BOLD);
    assert_true(theme_load(&t, "light", "themes", &err));
    assert_int_equal(t.style[THEME_STATUS_OK].fg, 28);
}

static void test_mono_file_matches_builtin(void **state)
{
    struct theme file, builtin;
    char *err = NULL, *text = read_text("themes/mono.ini");

    theme_init_mono(&builtin);
    assert_true(theme_load(&file, "themes/mono.ini", NULL, &err));
    assert_memory_equal(file.style, builtin.style, sizeof(file.style));
    assert_int_equal(builtin.style[THEME_SELECTED].attrs, THEME_ATTR_REVERSE);
    assert_int_equal(builtin.style[THEME_TITLE].attrs, THEME_ATTR_BOLD);
    for (int s = 0; s < THEME_SLOT_COUNT; s++) {
        assert_int_equal(builtin.style[s].fg, THEME_COLOR_DEFAULT);
        assert_int_equal(builtin.style[s].bg, THEME_COLOR_DEFAULT);
    }
    free(text);
}

static void test_builtin_mono_without_dir(void **state)
{
    struct theme t;
    char *err = NULL;

    assert_true(theme_load(&t, "mono", "/nonexistent/kontor-themes", &err));
    assert_null(err);
    assert_string_equal(t.name, "mono");
    assert_false(theme_load(&t, "default", "/nonexistent/kontor-themes", &err));
    assert_non_null(strstr(err, "/nonexistent/kontor-themes/default.ini"));
    free(err);
}

static void test_parse_grammar(void **state)
{
    struct theme t;
    char *err = NULL;
    const char *text = "# comment\n"
                       "; also a comment\n"
                       "\n"
                       "[colors]\n"
                       "  selected = black on cyan bold  \n"
                       "title = default reverse\n"
                       "status = on blue underline dim\n"
                       "chart = color208\n"
                       "mark = BOLD\n"
                       "dim = normal\r\n";

    assert_true(theme_parse(&t, text, "inline", &err));
    assert_int_equal(t.style[THEME_SELECTED].fg, 0);
    assert_int_equal(t.style[THEME_SELECTED].bg, 6);
    assert_int_equal(t.style[THEME_SELECTED].attrs, THEME_ATTR_BOLD);
    assert_int_equal(t.style[THEME_TITLE].fg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.style[THEME_TITLE].attrs, THEME_ATTR_REVERSE);
    assert_int_equal(t.style[THEME_STATUS].fg, THEME_COLOR_DEFAULT);
    assert_int_equal(t.style[THEME_STATUS].bg, 4);
    assert_int_equal(t.style[THEME_STATUS].attrs, THEME_ATTR_UNDERLINE | THEME_ATTR_DIM);
    assert_int_equal(t.style[THEME_CHART].fg, 208);
    assert_int_equal(t.style[THEME_MARK].attrs, THEME_ATTR_BOLD);
    assert_int_equal(t.style[THEME_DIM].attrs, 0);
    /* a slot left out keeps the mono look */
    assert_int_equal(t.style[THEME_ERROR].attrs, THEME_ATTR_BOLD);
}

static void check_error(const char *text, const char *const *want)
{
    struct theme t;
    char *err = NULL;

    theme_init_mono(&t);
    if (theme_parse(&t, text, "bad.ini", &err))
        fail_msg("accepted: %s", text);
    for (; *want != NULL; want++)
        if (strstr(err, *want) == NULL)
            fail_msg("message '%s' lacks '%s'", err, *want);
    free(err);
}

static void test_parse_errors(void **state)
{
    check_error("[colors]\nbody = default\nselected = black on cyna bold\n",
                (const char *[]){ "bad.ini:3:", "[colors] selected", "'cyna'",
                                  "black on cyna bold", NULL });
    check_error("[colors]\nfrobnicate = red\n",
                (const char *[]){ "bad.ini:2:", "frobnicate", "unknown slot", "body", NULL });
    check_error("[colors]\ntitle = blinking\n",
                (const char *[]){ "bad.ini:2:", "title", "unknown colour or attribute",
                                  "'blinking'", NULL });
    check_error("[colors]\ntitle = color256\n", (const char *[]){ "'color256'", NULL });
    check_error("[colors]\ntitle = colorx\n", (const char *[]){ "'colorx'", NULL });
    check_error("[colors]\ntitle = red blue\n",
                (const char *[]){ "second colour", "'blue'", NULL });
    check_error("[colors]\ntitle = red on\n", (const char *[]){ "after 'on'", NULL });
    check_error("[colors]\ntitle = red on blue on green\n",
                (const char *[]){ "second background", NULL });
    check_error("[colors]\ntitle =\n", (const char *[]){ "bad.ini:2:", "no colour", NULL });
    check_error("[colors]\ntitle = red\ntitle = blue\n",
                (const char *[]){ "bad.ini:3:", "set twice", NULL });
    check_error("title = red\n", (const char *[]){ "bad.ini:1:", "outside the [colors]", NULL });
    check_error("[colours]\n", (const char *[]){ "bad.ini:1:", "[colours]", NULL });
    check_error("[colors\n", (const char *[]){ "bad.ini:1:", "[section]", NULL });
    check_error("[colors]\ntitle red\n", (const char *[]){ "bad.ini:2:", "slot = colours", NULL });
}

static void test_load_missing_file(void **state)
{
    struct theme t;
    char *err = NULL;

    assert_false(theme_load(&t, "themes/nope.ini", NULL, &err));
    assert_non_null(strstr(err, "themes/nope.ini"));
    free(err);
}

static void test_basic_colour_fallback(void **state)
{
    static const short map[][2] = {
        { 0, 0 }, { 7, 7 }, { 9, 1 }, { 15, 7 }, { 16, 0 }, { 196, 1 }, { 46, 2 },
        { 226, 3 }, { 21, 4 }, { 201, 5 }, { 51, 6 }, { 231, 7 }, { 232, 0 }, { 255, 7 },
        { 208, 1 }, { 28, 0 },
    };

    for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
        assert_int_equal(theme_color_basic(map[i][0]), map[i][1]);
}

/* Without colour the ncurses side needs no terminal, so it is tested here. */
static void test_attributes_without_colour(void **state)
{
    struct theme t;
    char *err = NULL;

    assert_true(theme_load(&t, "default", "themes", &err));
    theme_apply(&t, false, 0);
    assert_int_equal(theme_attr(THEME_SELECTED), A_REVERSE);
    assert_int_equal(theme_attr(THEME_TITLE), A_BOLD);
    assert_int_equal(theme_attr(THEME_ERROR), A_BOLD);
    assert_int_equal(theme_attr(THEME_BODY), A_NORMAL);

    setenv("NO_COLOR", "1", 1);
    theme_apply(&t, true, 256);
    assert_int_equal(theme_attr(THEME_SELECTED), A_REVERSE);
    assert_int_equal(theme_attr(THEME_STATUS), A_REVERSE);
    assert_int_equal(theme_attr(THEME_DIALOG_TITLE), A_BOLD | A_REVERSE);
    unsetenv("NO_COLOR");

    /* an attributes-only theme is used as it is */
    assert_true(theme_parse(&t, "[colors]\nselected = underline bold\n", "x", &err));
    theme_apply(&t, false, 0);
    assert_int_equal(theme_attr(THEME_SELECTED), A_UNDERLINE | A_BOLD);
}

/* Without colour every slot that marks a state differs from body. */
static void test_mono_states_readable(void **state)
{
    static const enum theme_slot states[] = {
        THEME_TITLE, THEME_HEADER, THEME_SELECTED, THEME_STATUS, THEME_STATUS_WARN,
        THEME_STATUS_ERROR, THEME_WARNING, THEME_ERROR, THEME_MARK, THEME_KEY_HINT,
        THEME_INPUT, THEME_DIALOG_TITLE,
    };
    struct theme t;

    theme_init_mono(&t);
    theme_apply(&t, false, 0);
    for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
        if (theme_attr(states[i]) == theme_attr(THEME_BODY))
            fail_msg("slot %s looks like body without colour", theme_slot_name(states[i]));
}

static void test_colour_pairs(void **state)
{
    FILE *out = fopen("/dev/null", "w"), *in = fopen("/dev/null", "r");
    SCREEN *scr = newterm("xterm-256color", out, in);
    struct theme t;
    char *err = NULL;
    short fg, bg;

    if (scr == NULL) {
        fclose(out);
        fclose(in);
        skip();
    }
    start_color();
    assert_true(theme_load(&t, "default", "themes", &err));
    theme_apply(&t, has_colors(), COLORS);
    assert_int_equal(PAIR_NUMBER(theme_attr(THEME_SELECTED)), THEME_SELECTED + 1);
    pair_content((short)(THEME_SELECTED + 1), &fg, &bg);
    assert_int_equal(fg, 0);
    assert_int_equal(bg, 6);
    assert_true(theme_attr(THEME_ERROR) & A_BOLD);
    /* an 8-colour terminal gets the nearest basic colour */
    assert_true(theme_load(&t, "light", "themes", &err));
    theme_apply(&t, true, 8);
    pair_content((short)(THEME_STATUS_WARN + 1), &fg, &bg);
    assert_int_equal(fg, 1);
    endwin();
    delscreen(scr);
    fclose(out);
    fclose(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_themes_parse),
        cmocka_unit_test(test_shipped_themes_set_every_slot),
        cmocka_unit_test(test_default_values),
        cmocka_unit_test(test_mono_file_matches_builtin),
        cmocka_unit_test(test_builtin_mono_without_dir),
        cmocka_unit_test(test_parse_grammar),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_load_missing_file),
        cmocka_unit_test(test_basic_colour_fallback),
        cmocka_unit_test(test_attributes_without_colour),
        cmocka_unit_test(test_mono_states_readable),
        cmocka_unit_test(test_colour_pairs),
    };

    unsetenv("NO_COLOR");
    return cmocka_run_group_tests(tests, NULL, NULL);
}
