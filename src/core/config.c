/* INI configuration: search order, the table of known keys with defaults,
 * validation with messages that name file, section and key, and refusal of
 * password-bearing files that others can read. */
#include "kontor/config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <iniparser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kontor/strbuf.h"
#include "kontor/xalloc.h"

struct config {
    char *path;
    dictionary *ini;
};

struct config_key {
    const char *section;
    const char *key; /* NULL: any key in the section */
    const char *def;
    bool secret;     /* may hold a password: file must not be readable by others */
};

/* Every key Kontor reads; doc/kontor.ini.example documents each. */
static const struct config_key config_keys[] = {
    { .section = "database", .key = "conninfo", .def = "", .secret = true },
    { .section = "database", .key = "login_user", .def = "kontor_login" },
    { .section = "database", .key = "owner", .def = "", .secret = true },
    { .section = "database", .key = "reports", .def = "", .secret = true },
    { .section = "database", .key = "reports_max_lag_ms", .def = "30000" },
    { .section = "database", .key = "listen", .def = "", .secret = true },
    { .section = "database", .key = "statement_timeout_ms", .def = "15000" },
    { .section = "database", .key = "application_name", .def = "kontor" },
    { .section = "console", .key = "theme", .def = "default" },
    { .section = "console", .key = "idle_lock_minutes", .def = "15" },
    { .section = "console", .key = "themes_dir", .def = "" },
    { .section = "batch", .key = "user", .def = "" },
    { .section = "batch", .key = "password_file", .def = "" },
    { .section = "log", .key = "file", .def = "" },
    { .section = "log", .key = "level", .def = "info" },
    { .section = "keys", .key = NULL, .def = NULL },
};

#define N_KEYS (sizeof(config_keys) / sizeof(config_keys[0]))

static const struct config_key *config_find_key(const char *section, const char *key)
{
    for (size_t i = 0; i < N_KEYS; i++) {
        const struct config_key *k = &config_keys[i];
        if (strcmp(k->section, section) != 0)
            continue;
        if (k->key == NULL || (key != NULL && strcmp(k->key, key) == 0))
            return k;
    }
    return NULL;
}

static bool config_section_known(const char *section)
{
    for (size_t i = 0; i < N_KEYS; i++)
        if (strcmp(config_keys[i].section, section) == 0)
            return true;
    return false;
}

/* iniparser reports syntax errors through a printf-like callback. */
static struct strbuf ini_errors = STRBUF_INIT;

static int config_ini_error(const char *fmt, ...)
{
    va_list ap;
    char *s;

    va_start(ap, fmt);
    s = xvasprintf(fmt, ap);
    va_end(ap);
    if (ini_errors.len < 512)
        strbuf_addstr(&ini_errors, s);
    free(s);
    return 0;
}

static char *config_find_file(const char *explicit_path, char **err)
{
    const char *env = getenv("KONTOR_CONFIG");
    const char *xdg = getenv("XDG_CONFIG_HOME");
    const char *home = getenv("HOME");
    char *p;

    if (explicit_path != NULL || (env != NULL && env[0] != '\0')) {
        const char *path = explicit_path != NULL ? explicit_path : env;
        if (access(path, R_OK) != 0) {
            *err = xasprintf("%s: cannot read the configuration file: %s%s", path,
                             strerror(errno), explicit_path ? "" : " (named by $KONTOR_CONFIG)");
            return NULL;
        }
        return xstrdup(path);
    }
    if (xdg != NULL && xdg[0] != '\0')
        p = xasprintf("%s/kontor/kontor.ini", xdg);
    else if (home != NULL && home[0] != '\0')
        p = xasprintf("%s/.config/kontor/kontor.ini", home);
    else
        p = NULL;
    if (p != NULL && access(p, F_OK) == 0)
        return p;
    free(p);
    if (access("/etc/kontor/kontor.ini", F_OK) == 0)
        return xstrdup("/etc/kontor/kontor.ini");
    return NULL;
}

static bool value_holds_password(const char *v)
{
    /* A conninfo keyword "password=" or a URI with user:password@. */
    if (strstr(v, "password") != NULL)
        return true;
    const char *scheme = strstr(v, "://");
    if (scheme != NULL) {
        const char *at = strchr(scheme + 3, '@');
        const char *colon = strchr(scheme + 3, ':');
        return at != NULL && colon != NULL && colon < at;
    }
    return false;
}

/* Checks every section and key against the table, and the file's mode
 * against any secret it holds. */
static bool config_validate(struct config *cfg, char **err)
{
    int nsec = iniparser_getnsec(cfg->ini);
    struct stat st;
    bool others_can_read = stat(cfg->path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH));

    for (int s = 0; s < nsec; s++) {
        const char *sec = iniparser_getsecname(cfg->ini, s);
        int nkeys = iniparser_getsecnkeys(cfg->ini, sec);
        const char **keys;

        if (!config_section_known(sec)) {
            *err = xasprintf("%s: [%s]: unknown section", cfg->path, sec);
            return false;
        }
        if (nkeys <= 0)
            continue;
        keys = xcalloc((size_t)nkeys, sizeof(*keys));
        iniparser_getseckeys(cfg->ini, sec, keys);
        for (int k = 0; k < nkeys; k++) {
            const char *key = strchr(keys[k], ':') + 1;
            const struct config_key *known = config_find_key(sec, key);
            const char *v = iniparser_getstring(cfg->ini, keys[k], "");
            if (known == NULL) {
                *err = xasprintf("%s: [%s] %s: unknown key", cfg->path, sec, key);
                free(keys);
                return false;
            }
            if (known->secret && others_can_read && value_holds_password(v)) {
                *err = xasprintf("%s: [%s] %s holds a password, but the file is readable by "
                                 "others (mode %03o): refusing it; chmod 600 %s",
                                 cfg->path, sec, key, (unsigned)(st.st_mode & 0777), cfg->path);
                free(keys);
                return false;
            }
        }
        free(keys);
    }
    return true;
}

struct config *config_empty(void)
{
    struct config *cfg = xcalloc(1, sizeof(*cfg));

    cfg->ini = dictionary_new(0);
    return cfg;
}

struct config *config_load(const char *explicit_path, char **err)
{
    char *path = config_find_file(explicit_path, err);
    struct config *cfg;

    if (path == NULL)
        return *err != NULL ? NULL : config_empty();
    strbuf_reset(&ini_errors);
    iniparser_set_error_callback(config_ini_error);
    cfg = xcalloc(1, sizeof(*cfg));
    cfg->path = path;
    cfg->ini = iniparser_load(path);
    iniparser_set_error_callback(NULL);
    if (cfg->ini == NULL || ini_errors.len > 0) {
        char *msg = xstrdup(ini_errors.len ? strbuf_str(&ini_errors) : "cannot be parsed");
        size_t n = strlen(msg);
        while (n > 0 && isspace((unsigned char)msg[n - 1]))
            msg[--n] = '\0';
        *err = xasprintf("%s: %s", path, msg);
        free(msg);
        strbuf_free(&ini_errors);
        config_free(cfg);
        return NULL;
    }
    strbuf_free(&ini_errors);
    if (!config_validate(cfg, err)) {
        config_free(cfg);
        return NULL;
    }
    return cfg;
}

void config_free(struct config *cfg)
{
    if (cfg == NULL)
        return;
    if (cfg->ini != NULL)
        iniparser_freedict(cfg->ini);
    free(cfg->path);
    free(cfg);
}

const char *config_path(const struct config *cfg)
{
    return cfg->path;
}

const char *config_get(const struct config *cfg, const char *section, const char *key)
{
    const struct config_key *known = config_find_key(section, key);
    char entry[128];

    snprintf(entry, sizeof(entry), "%s:%s", section, key);
    return iniparser_getstring(cfg->ini, entry,
                               known != NULL && known->def != NULL ? known->def : NULL);
}

bool config_get_int(const struct config *cfg, const char *section, const char *key, long min,
                    long max, long *out, char **err)
{
    const char *v = config_get(cfg, section, key);
    char *end;
    long n;

    if (v == NULL || v[0] == '\0')
        goto bad;
    errno = 0;
    n = strtol(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < min || n > max)
        goto bad;
    *out = n;
    return true;
bad:
    *err = xasprintf("%s: [%s] %s: expected a whole number from %ld to %ld, got '%s'",
                     cfg->path ? cfg->path : "(defaults)", section, key, min, max, v ? v : "");
    return false;
}

void config_set(struct config *cfg, const char *section, const char *key, const char *value)
{
    char entry[128];

    iniparser_set(cfg->ini, section, NULL);
    snprintf(entry, sizeof(entry), "%s:%s", section, key);
    iniparser_set(cfg->ini, entry, value);
}

const char **config_section_keys(const struct config *cfg, const char *section)
{
    int n = iniparser_getsecnkeys(cfg->ini, section);
    const char **keys = xcalloc((size_t)(n > 0 ? n : 0) + 1, sizeof(*keys));

    if (n > 0) {
        iniparser_getseckeys(cfg->ini, section, keys);
        for (int i = 0; i < n; i++)
            keys[i] = strchr(keys[i], ':') + 1;
    }
    return keys;
}

char *config_read_secret_file(const char *path, char **err)
{
    struct stat st;
    char buf[1024];
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    ssize_t n;

    if (fd < 0) {
        *err = xasprintf("%s: cannot open the password file: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *err = xasprintf("%s: the password file is not a regular file", path);
        close(fd);
        return NULL;
    }
    if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
        *err = xasprintf("%s: the password file must belong to you and be readable by you "
                         "alone (mode %03o): refusing it; chmod 600 %s",
                         path, (unsigned)(st.st_mode & 0777), path);
        close(fd);
        return NULL;
    }
    n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n < 0) {
        *err = xasprintf("%s: cannot read the password file: %s", path, strerror(errno));
        return NULL;
    }
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    char *secret = xstrdup(buf);
    explicit_bzero(buf, sizeof(buf));
    return secret;
}
