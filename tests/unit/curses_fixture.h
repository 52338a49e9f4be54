/* An ncurses screen on /dev/null for widget tests: cmocka group setup and
 * teardown, in the mono theme and a UTF-8 locale. Included by the tests
 * that draw (test_table.c, test_form.c). */
#ifndef KONTOR_CURSES_FIXTURE_H
#define KONTOR_CURSES_FIXTURE_H

#include <curses.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "kontor/theme.h"

static FILE *term_out, *term_in;
static SCREEN *term;

static int setup_curses(void **state)
{
    struct theme th;

    (void)state;
    if (getenv("TERM") == NULL || *getenv("TERM") == '\0')
        setenv("TERM", "xterm-256color", 1);
    if (setlocale(LC_ALL, "C.UTF-8") == NULL)
        return -1;
    term_out = fopen("/dev/null", "w");
    term_in = fopen("/dev/null", "r");
    term = newterm("xterm-256color", term_out, term_in);
    if (term == NULL)
        return -1;
    theme_init_mono(&th);
    theme_apply(&th, false, 0);
    return 0;
}

static int teardown_curses(void **state)
{
    (void)state;
    endwin();
    delscreen(term);
    fclose(term_out);
    fclose(term_in);
    return 0;
}

#endif
