/* Allocation that never returns NULL, and the one fatal exit.
 * Running out of memory is fatal; fatal() runs the registered cleanup
 * (which restores the terminal) before it exits. */
#ifndef KONTOR_XALLOC_H
#define KONTOR_XALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));

/* A function fatal() calls before exiting (the console restores the terminal). */
void fatal_set_cleanup(void (*cleanup)(void));
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
