/* Configuration: defaults, search order, errors that name file, section and
 * key, and refusal of password-bearing files others can read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/config.h"

static char *write_temp(const char *text, mode_t mode)
{
    char *path = strdup("/tmp/kontor-config-test-XXXXXX");
    int fd = mkstemp(path);

    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    chmod(path, mode);
    return path;
}

static void test_defaults_without_file(void **state)
{
    struct config *cfg = config_empty();

    assert_string_equal(config_get(cfg, "database", "login_user"), "kontor_login");
    assert_string_equal(config_get(cfg, "console", "theme"), "default");
    long n = 0;
    char *err = NULL;
    assert_true(config_get_int(cfg, "console", "idle_lock_minutes", 1, 1440, &n, &err));
    assert_int_equal(n, 15);
    config_free(cfg);
}

static void test_values_read(void **state)
{
    char *path = write_temp("[console]\ntheme = mono\nidle_lock_minutes = 7\n", 0644);
    char *err = NULL;
    struct config *cfg = config_load(path, &err);
    long n = 0;

    assert_non_null(cfg);
    assert_string_equal(config_path(cfg), path);
    assert_string_equal(config_get(cfg, "console", "theme"), "mono");
    assert_true(config_get_int(cfg, "console", "idle_lock_minutes", 1, 1440, &n, &err));
    assert_int_equal(n, 7);
    config_free(cfg);
    unlink(path);
    free(path);
}

static void test_unknown_key_named(void **state)
{
    char *path = write_temp("[console]\nthemee = mono\n", 0644);
    char *err = NULL;

    assert_null(config_load(path, &err));
    assert_non_null(err);
    assert_non_null(strstr(err, path));
    assert_non_null(strstr(err, "[console] themee: unknown key"));
    free(err);
    unlink(path);
    free(path);
}

static void test_unknown_section_named(void **state)
{
    char *path = write_temp("[databse]\nconninfo = x\n", 0644);
    char *err = NULL;

    assert_null(config_load(path, &err));
    assert_non_null(strstr(err, "[databse]: unknown section"));
    free(err);
    unlink(path);
    free(path);
}

static void test_bad_number_named(void **state)
{
    char *path = write_temp("[console]\nidle_lock_minutes = soon\n", 0644);
    char *err = NULL;
    struct config *cfg = config_load(path, &err);
    long n = 99;

    assert_non_null(cfg);
    assert_false(config_get_int(cfg, "console", "idle_lock_minutes", 1, 1440, &n, &err));
    assert_int_equal(n, 99);
    assert_non_null(strstr(err, "[console] idle_lock_minutes"));
    assert_non_null(strstr(err, "'soon'"));
    free(err);
    config_free(cfg);
    unlink(path);
    free(path);
}

static void test_password_readable_by_others_refused(void **state)
{
    char *path = write_temp("[database]\nconninfo = host=db password=secret\n", 0644);
    char *err = NULL;

    assert_null(config_load(path, &err));
    assert_non_null(strstr(err, "[database] conninfo holds a password"));
    assert_non_null(strstr(err, "chmod 600"));
    assert_null(strstr(err, "secret"));
    free(err);
    chmod(path, 0600);
    struct config *cfg = config_load(path, &err);
    assert_non_null(cfg);
    config_free(cfg);
    unlink(path);
    free(path);
}

static void test_uri_password_detected(void **state)
{
    char *path = write_temp("[database]\nowner = postgresql://kontor:pw@db1/kontor\n", 0640);
    char *err = NULL;

    assert_null(config_load(path, &err));
    assert_non_null(strstr(err, "[database] owner holds a password"));
    free(err);
    unlink(path);
    free(path);
}

static void test_missing_explicit_file(void **state)
{
    char *err = NULL;

    assert_null(config_load("/nonexistent/kontor.ini", &err));
    assert_non_null(strstr(err, "/nonexistent/kontor.ini"));
    free(err);
}

static void test_env_file_used(void **state)
{
    char *path = write_temp("[console]\ntheme = light\n", 0644);
    char *err = NULL;

    setenv("KONTOR_CONFIG", path, 1);
    struct config *cfg = config_load(NULL, &err);
    unsetenv("KONTOR_CONFIG");
    assert_non_null(cfg);
    assert_string_equal(config_get(cfg, "console", "theme"), "light");
    config_free(cfg);
    unlink(path);
    free(path);
}

static void test_secret_file_permissions(void **state)
{
    char *path = write_temp("s3cret pass\nsecond line\n", 0644);
    char *err = NULL;

    assert_null(config_read_secret_file(path, &err));
    assert_non_null(strstr(err, "readable by you alone"));
    free(err);
    err = NULL;
    chmod(path, 0600);
    char *pw = config_read_secret_file(path, &err);
    assert_non_null(pw);
    assert_string_equal(pw, "s3cret pass");
    free(pw);
    unlink(path);
    free(path);
}

static void test_keys_section_free_form(void **state)
{
    char *path = write_temp("[keys]\nmove_down = j Down\nquit = F10\n", 0644);
    char *err = NULL;
    struct config *cfg = config_load(path, &err);

    assert_non_null(cfg);
    const char **keys = config_section_keys(cfg, "keys");
    int n = 0;
    while (keys[n] != NULL)
        n++;
    assert_int_equal(n, 2);
    assert_string_equal(config_get(cfg, "keys", "quit"), "F10");
    free(keys);
    config_free(cfg);
    unlink(path);
    free(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_without_file),
        cmocka_unit_test(test_values_read),
        cmocka_unit_test(test_unknown_key_named),
        cmocka_unit_test(test_unknown_section_named),
        cmocka_unit_test(test_bad_number_named),
        cmocka_unit_test(test_password_readable_by_others_refused),
        cmocka_unit_test(test_uri_password_detected),
        cmocka_unit_test(test_missing_explicit_file),
        cmocka_unit_test(test_env_file_used),
        cmocka_unit_test(test_secret_file_permissions),
        cmocka_unit_test(test_keys_section_free_form),
    };
    return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
