/* Key bindings: the shipped defaults, key names both ways, a user's [keys]
 * overrides, per-screen lookup, and errors that name the action and key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kontor/config.h"
#include "kontor/keymap.h"

static void load_defaults(struct keymap *km)
{
    char *err = NULL;

    if (!keymap_load(km, NULL, &err))
        fail_msg("defaults: %s", err);
}

static void test_default_bindings(void **state)
{
    static const struct {
        int key;
        enum action action;
    } cases[] = {
        { 'j', ACTION_MOVE_DOWN },
        { KEYMAP_FN(KEY_DOWN), ACTION_MOVE_DOWN },
        { 'k', ACTION_MOVE_UP },
        { KEYMAP_FN(KEY_UP), ACTION_MOVE_UP },
        { 'g', ACTION_FIRST },
        { KEYMAP_FN(KEY_HOME), ACTION_FIRST },
        { 'G', ACTION_LAST },
        { KEYMAP_FN(KEY_END), ACTION_LAST },
        { KEYMAP_FN(KEY_NPAGE), ACTION_PAGE_DOWN },
        { KEYMAP_FN(KEY_PPAGE), ACTION_PAGE_UP },
        { '\n', ACTION_OPEN },
        { '\r', ACTION_OPEN },
        { KEYMAP_FN(KEY_ENTER), ACTION_OPEN },
        { 'q', ACTION_BACK },
        { 27, ACTION_BACK },
        { KEYMAP_FN(KEY_F(3)), ACTION_BACK },
        { KEYMAP_FN(KEY_F(10)), ACTION_QUIT },
        { '?', ACTION_HELP },
        { KEYMAP_FN(KEY_F(1)), ACTION_HELP },
        { KEYMAP_FN(KEY_F(2)), ACTION_SAVE },
        { ':', ACTION_COMMAND },
        { '/', ACTION_FILTER },
        { ' ', ACTION_MARK },
        { 's', ACTION_SORT },
        { 12, ACTION_REFRESH },
        { '\t', ACTION_NEXT_FIELD },
        { KEYMAP_FN(KEY_BTAB), ACTION_PREV_FIELD },
        { 'a', ACTION_ACTIONS_MENU },
        { 'x', ACTION_NONE },
        { 0x103, ACTION_NONE }, /* 'ă' is not KEY_UP (259) */
    };
    struct keymap km;

    load_defaults(&km);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        if (keymap_lookup(&km, cases[i].key) != cases[i].action)
            fail_msg("key %#x: got %s, want %s", (unsigned)cases[i].key,
                     action_name(keymap_lookup(&km, cases[i].key)),
                     action_name(cases[i].action));
}

static void test_action_table(void **state)
{
    struct keymap km;

    load_defaults(&km);
    for (int a = ACTION_NONE + 1; a < ACTION_COUNT; a++) {
        assert_true(km.nkeys[a] > 0);
        assert_true(strlen(action_help((enum action)a)) > 0);
        assert_int_equal(action_from_name(action_name((enum action)a)), a);
        assert_non_null(strstr(keymap_defaults_text(), action_name((enum action)a)));
    }
    assert_int_equal(action_from_name("frobnicate"), ACTION_NONE);
    assert_string_equal(action_name(ACTION_MOVE_DOWN), "move_down");
}

static void test_keys_text(void **state)
{
    struct keymap km;
    char buf[64];

    load_defaults(&km);
    assert_string_equal(keymap_keys_text(&km, ACTION_MOVE_DOWN, buf, sizeof(buf)), "j, Down");
    assert_string_equal(keymap_keys_text(&km, ACTION_BACK, buf, sizeof(buf)), "q, Esc, F3");
    assert_string_equal(keymap_keys_text(&km, ACTION_REFRESH, buf, sizeof(buf)), "C-l");
    assert_string_equal(keymap_keys_text(&km, ACTION_MARK, buf, sizeof(buf)), "Space");
    assert_string_equal(keymap_keys_text(&km, ACTION_PAGE_DOWN, buf, sizeof(buf)), "PgDn, C-f");
    assert_string_equal(keymap_keys_text(&km, ACTION_NONE, buf, sizeof(buf)), "");
    keymap_keys_text(&km, ACTION_BACK, buf, 5);
    assert_string_equal(buf, "q, E");
}

static void test_key_names(void **state)
{
    static const struct {
        const char *name;
        int key;
        const char *shown;
    } good[] = {
        { "j", 'j', "j" },
        { "ö", 0xf6, "ö" },
        { "山", 0x5c71, "山" },
        { "Down", KEYMAP_FN(KEY_DOWN), "Down" },
        { "down", KEYMAP_FN(KEY_DOWN), "Down" },
        { "PageDown", KEYMAP_FN(KEY_NPAGE), "PgDn" },
        { "F12", KEYMAP_FN(KEY_F(12)), "F12" },
        { "C-l", 12, "C-l" },
        { "C-L", 12, "C-l" },
        { "C-h", 127, "Backspace" },
        { "C-m", '\n', "Enter" },
        { "Esc", 27, "Esc" },
        { "Space", ' ', "Space" },
        { "Hash", '#', "Hash" },
        { "BTab", KEYMAP_FN(KEY_BTAB), "BTab" },
    };
    static const char *bad[] = { "Dwn", "F13", "F0", "F1x", "C-1", "C-", "C-ab", "ab", "",
                                 "\x01", "\x7f", "\xff", "\xc2\x9b", "\xc3" };

    for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
        char buf[32];
        int key = 0;

        if (!keymap_parse_key(good[i].name, &key))
            fail_msg("'%s' rejected", good[i].name);
        assert_int_equal(key, good[i].key);
        assert_string_equal(keymap_key_name(key, buf, sizeof(buf)), good[i].shown);
    }
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        int key = 0;

        if (keymap_parse_key(bad[i], &key))
            fail_msg("'%s' accepted as %d", bad[i], key);
    }
}

static void test_key_from_terminal(void **state)
{
    assert_int_equal(keymap_key_from_wch(KEY_CODE_YES, KEY_UP), KEYMAP_FN(KEY_UP));
    assert_int_equal(keymap_key_from_wch(OK, 0x103), 0x103);
    assert_int_equal(keymap_key_from_wch(OK, '\r'), '\n');
    assert_int_equal(keymap_key_from_wch(KEY_CODE_YES, KEY_ENTER), '\n');
    assert_int_equal(keymap_key_from_wch(KEY_CODE_YES, KEY_BACKSPACE), 127);
    assert_int_equal(keymap_key_from_wch(OK, '\b'), 127);
    assert_int_equal(keymap_key_from_getch(KEY_F(2)), KEYMAP_FN(KEY_F(2)));
    assert_int_equal(keymap_key_from_getch('j'), 'j');
}

static void test_lookup_in_screen(void **state)
{
    static const enum action form[] = { ACTION_SAVE, ACTION_CANCEL, ACTION_NEXT_FIELD,
                                        ACTION_PREV_FIELD, ACTION_HELP };
    static const enum action list[] = { ACTION_MOVE_DOWN, ACTION_MOVE_UP, ACTION_OPEN,
                                        ACTION_BACK, ACTION_CANCEL };
    struct keymap km;

    load_defaults(&km);
    assert_int_equal(keymap_lookup_in(&km, 27, form, 5), ACTION_CANCEL);
    assert_int_equal(keymap_lookup_in(&km, KEYMAP_FN(KEY_F(3)), form, 5), ACTION_CANCEL);
    assert_int_equal(keymap_lookup_in(&km, 27, list, 5), ACTION_BACK);
    assert_int_equal(keymap_lookup_in(&km, 'j', form, 5), ACTION_NONE);
    assert_int_equal(keymap_lookup_in(&km, 'j', list, 5), ACTION_MOVE_DOWN);
    assert_int_equal(keymap_lookup_in(&km, '\r', list, 5), ACTION_OPEN);
    assert_int_equal(keymap_lookup_in(&km, 'j', list, 0), ACTION_NONE);
}

static void test_user_override(void **state)
{
    struct config *cfg = config_empty();
    struct keymap km;
    char *err = NULL, buf[64];

    config_set(cfg, "keys", "move_down", "J n");
    config_set(cfg, "keys", "back", "Esc");
    config_set(cfg, "keys", "sort", "");
    if (!keymap_load(&km, cfg, &err))
        fail_msg("%s", err);
    assert_int_equal(keymap_lookup(&km, 'J'), ACTION_MOVE_DOWN);
    assert_int_equal(keymap_lookup(&km, 'n'), ACTION_MOVE_DOWN);
    assert_int_equal(keymap_lookup(&km, 'j'), ACTION_NONE);
    assert_int_equal(keymap_lookup(&km, KEYMAP_FN(KEY_DOWN)), ACTION_NONE);
    assert_int_equal(keymap_lookup(&km, 'q'), ACTION_NONE);
    assert_int_equal(keymap_lookup(&km, 27), ACTION_BACK);
    assert_int_equal(keymap_lookup(&km, 's'), ACTION_NONE);
    assert_int_equal(keymap_lookup(&km, 'k'), ACTION_MOVE_UP); /* untouched */
    assert_string_equal(keymap_keys_text(&km, ACTION_MOVE_DOWN, buf, sizeof(buf)), "J, n");
    config_free(cfg);
}

static char *write_config(const char *text)
{
    char *path = strdup("/tmp/kontor-keymap-test-XXXXXX");
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

static void test_override_from_file(void **state)
{
    char *path = write_config("[keys]\nquit = F10 Q\nmark = \"#\"\n");
    char *err = NULL;
    struct config *cfg = config_load(path, &err);
    struct keymap km;

    if (cfg == NULL)
        fail_msg("%s", err);
    if (!keymap_load(&km, cfg, &err))
        fail_msg("%s", err);
    assert_int_equal(keymap_lookup(&km, 'Q'), ACTION_QUIT);
    assert_int_equal(keymap_lookup(&km, '#'), ACTION_MARK);
    assert_int_equal(keymap_lookup(&km, ' '), ACTION_NONE);
    config_free(cfg);
    unlink(path);
    free(path);
}

static void check_load_error(const char *action, const char *value, const char *const *want)
{
    struct config *cfg = config_empty();
    struct keymap km;
    char *err = NULL;

    config_set(cfg, "keys", action, value);
    if (keymap_load(&km, cfg, &err))
        fail_msg("[keys] %s = %s accepted", action, value);
    for (; *want != NULL; want++)
        if (strstr(err, *want) == NULL)
            fail_msg("message '%s' lacks '%s'", err, *want);
    free(err);
    config_free(cfg);
}

static void test_errors(void **state)
{
    check_load_error("move_down", "j Dwn",
                     (const char *[]){ "[keys] move_down", "unknown key name 'Dwn'", NULL });
    check_load_error("frobnicate", "x",
                     (const char *[]){ "[keys] frobnicate", "unknown action", NULL });
    check_load_error("help", "F13", (const char *[]){ "[keys] help", "'F13'", NULL });
    check_load_error("help", "a b c d e f g h i",
                     (const char *[]){ "[keys] help", "more than 8 keys", NULL });
}

static void test_error_names_file(void **state)
{
    char *path = write_config("[keys]\nmove_up = k Upp\n");
    char *err = NULL;
    struct config *cfg = config_load(path, &err);
    struct keymap km;

    if (cfg == NULL)
        fail_msg("%s", err);
    assert_false(keymap_load(&km, cfg, &err));
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "[keys] move_up"));
    assert_non_null(strstr(err, "'Upp'"));
    free(err);
    config_free(cfg);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_bindings),
        cmocka_unit_test(test_action_table),
        cmocka_unit_test(test_keys_text),
        cmocka_unit_test(test_key_names),
        cmocka_unit_test(test_key_from_terminal),
        cmocka_unit_test(test_lookup_in_screen),
        cmocka_unit_test(test_user_override),
        cmocka_unit_test(test_override_from_file),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_error_names_file),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
