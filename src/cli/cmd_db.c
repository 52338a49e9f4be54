/* `kontor db migrate`: applies new migrations over the owner's connection. */
#include <getopt.h>
#include <stdlib.h>

#include "kontor/cli.h"
#include "kontor/migrate.h"
#include "kontor/xalloc.h"

#ifndef KONTOR_SQLDIR
#define KONTOR_SQLDIR "/usr/local/share/kontor/sql"
#endif

int cmd_db_migrate(struct cli *cli, int argc, char **argv)
{
    static const struct option opts[] = { { "sql-dir", required_argument, NULL, 'd' },
                                          { NULL, 0, NULL, 0 } };
    const char *dir = KONTOR_SQLDIR "/migrations";
    struct migrate_report rep;
    char *err = NULL;
    int c;

    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'd')
            return CLI_USAGE;
        dir = optarg;
    }
    if (optind != argc) {
        fprintf(stderr, "kontor: db migrate takes no arguments besides --sql-dir\n");
        return CLI_USAGE;
    }
    struct db *db = db_open(cli->cfg, DB_TARGET_OWNER, &err);
    if (db == NULL) {
        fprintf(stderr, "kontor: %s\n", err);
        free(err);
        return CLI_FAILED;
    }
    bool ok = migrate_run(db, dir, stdout, &rep, &err);
    db_close(db);
    if (!ok) {
        fprintf(stderr, "kontor: %s\n", err);
        free(err);
        return CLI_FAILED;
    }
    printf("kontor: schema up to date (%d applied now, %d before)\n", rep.applied, rep.present);
    return CLI_OK;
}
