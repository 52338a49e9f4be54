/* The full-screen console: sign-in, then the screens. */
#ifndef KONTOR_CONSOLE_H
#define KONTOR_CONSOLE_H

struct config;

/* Runs the console until the user quits; returns the exit status. */
int console_run(struct config *cfg);

#endif
