/* Schema migrations: numbered files sql/migrations/NNNN_name.sql, each
 * applied in one transaction and recorded with its checksum in
 * kontor.schema_migration; a changed applied file stops everything. */
#ifndef KONTOR_MIGRATE_H
#define KONTOR_MIGRATE_H

#include <stdbool.h>
#include <stdio.h>

struct db;

struct migrate_report {
    int applied;   /* newly applied by this run */
    int present;   /* already applied before */
};

/* Applies what is new in dir. Progress lines go to out (may be NULL).
 * Returns false with *err (caller frees) when a file is unreadable, an
 * applied file changed, a migration failed (that one is rolled back), or db
 * goes through a connection pooler (the migration lock is session state). */
bool migrate_run(struct db *db, const char *dir, FILE *out, struct migrate_report *rep,
                 char **err);

/* The hex SHA-256 of data (65 bytes incl. NUL in out). Exposed for tests. */
void migrate_checksum(const char *data, size_t len, char out[65]);

#endif
