/* Kontor: argument parsing, then a batch command (`kontor <noun> <verb>`)
 * or the full-screen console. */
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/cli.h"
#include "kontor/config.h"
#include "kontor/console.h"

#define KONTOR_VERSION "0.1.0"

struct options {
    const char *config;
    const char *theme;
    const char *user;
    const char *format;
    bool help;
    bool version;
};

static void usage(FILE *out)
{
    fputs("usage: kontor [--config FILE] [--theme NAME]          the console\n"
          "       kontor [--config FILE] [--user NAME] [--format text|csv|json] NOUN VERB ...\n"
          "       kontor --help | --version\n\n",
          out);
    cli_usage(out);
    fputs("\nSee kontor(1).\n", out);
}

/* Takes the global options out of argv wherever they stand, so that
 * `kontor report daily --format csv` works like `kontor --format csv ...`. */
static int parse_options(int *argc, char **argv, struct options *o)
{
    static const struct {
        const char *name;
        size_t offset;
    } valued[] = {
        { "--config", offsetof(struct options, config) },
        { "--theme", offsetof(struct options, theme) },
        { "--user", offsetof(struct options, user) },
        { "--format", offsetof(struct options, format) },
    };
    int out = 1;

    for (int i = 1; i < *argc; i++) {
        const char *a = argv[i];
        bool taken = false;

        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            o->help = true;
            continue;
        }
        if (strcmp(a, "--version") == 0) {
            o->version = true;
            continue;
        }
        for (size_t k = 0; k < sizeof(valued) / sizeof(valued[0]); k++) {
            size_t len = strlen(valued[k].name);
            const char **slot = (const char **)((char *)o + valued[k].offset);
            if (strcmp(a, valued[k].name) == 0) {
                if (i + 1 >= *argc) {
                    fprintf(stderr, "kontor: %s needs a value\n", a);
                    return 2;
                }
                *slot = argv[++i];
                taken = true;
            } else if (strncmp(a, valued[k].name, len) == 0 && a[len] == '=') {
                *slot = a + len + 1;
                taken = true;
            }
        }
        if (!taken)
            argv[out++] = argv[i];
    }
    argv[out] = NULL;
    *argc = out;
    return 0;
}

int main(int argc, char **argv)
{
    struct options o = { 0 };
    struct config *cfg;
    char *err = NULL;
    int st;

    setlocale(LC_ALL, "");
    st = parse_options(&argc, argv, &o);
    if (st != 0)
        return st;
    if (o.help) {
        usage(stdout);
        return 0;
    }
    if (o.version) {
        printf("kontor %s\n", KONTOR_VERSION);
        return 0;
    }
    cfg = config_load(o.config, &err);
    if (cfg == NULL) {
        fprintf(stderr, "kontor: %s\n", err);
        free(err);
        return 2;
    }
    if (o.theme != NULL)
        config_set(cfg, "console", "theme", o.theme);
    if (argc > 1)
        st = cli_main(cfg, o.user, o.format, argc - 1, argv + 1);
    else
        st = console_run(cfg);
    config_free(cfg);
    return st;
}
