/* Configuration: one INI file, found as DESIGN.md says, read with iniparser.
 * Every key Kontor knows is in one table (config.c), so an unknown or
 * misspelt key is an error that names the file, section and key. */
#ifndef KONTOR_CONFIG_H
#define KONTOR_CONFIG_H

#include <stdbool.h>

struct config;

/* Loads the configuration. explicit_path is --config (or NULL). When no file
 * is named and none is found, an empty configuration (all defaults) results.
 * Returns NULL and sets *err (caller frees) on any problem. */
struct config *config_load(const char *explicit_path, char **err);
/* An empty configuration, for tests and tools. */
struct config *config_empty(void);
void config_free(struct config *cfg);

/* The file that was read, or NULL when defaults are in force. */
const char *config_path(const struct config *cfg);

/* A string value, or def when unset. The result lives as long as cfg. */
const char *config_get(const struct config *cfg, const char *section, const char *key);
/* An integer in [min, max]; returns false and sets *err (naming file, section
 * and key) when the value is not a whole number in range. */
bool config_get_int(const struct config *cfg, const char *section, const char *key, long min,
                    long max, long *out, char **err);
/* Sets a value (used by command-line overrides such as --theme). */
void config_set(struct config *cfg, const char *section, const char *key, const char *value);

/* The keys of a free-form section such as [keys]: fills names (NULL-terminated,
 * caller frees the array, not the strings). */
const char **config_section_keys(const struct config *cfg, const char *section);

/* Reads a password file for unattended runs: it must be a regular file owned
 * by the current user and not readable by group or others. The first line,
 * without its newline, is returned (caller wipes and frees). */
char *config_read_secret_file(const char *path, char **err);

#endif
