/* The audit log: written by the database in the same transaction as every
 * staff change; here it is verified and read. */
#ifndef KONTOR_AUDIT_H
#define KONTOR_AUDIT_H

#include <stdbool.h>

#include "kontor/db.h"

struct audit_verify_result {
    bool ok;
    long long checked;
    long long first_bad_id; /* 0 when ok */
};

bool audit_verify(struct db *db, const struct db_session *s, struct audit_verify_result *r,
                  struct db_error *err);

#endif
