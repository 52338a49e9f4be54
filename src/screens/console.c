/* Placeholder until the console lands: says so and exits. */
#include <stdio.h>

#include "kontor/console.h"

int console_run(struct config *cfg)
{
    (void)cfg;
    fputs("kontor: the console is not built yet; batch commands work (kontor --help)\n", stderr);
    return 1;
}
