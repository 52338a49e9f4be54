/* Audit-log verification through kontor.audit_verify(), which recomputes
 * the hash chain inside the database. */
#include "kontor/audit.h"

#include <string.h>

static const char sql_verify[] = "SELECT ok, checked, first_bad_id FROM kontor.audit_verify()";

bool audit_verify(struct db *db, const struct db_session *s, struct audit_verify_result *r,
                  struct db_error *err)
{
    struct db_stmt st = DB_STMT(sql_verify, 0, NULL);

    if (!db_run_tx(db, s, &st, 1, err))
        return false;
    r->ok = strcmp(db_value(st.res, 0, 0), "t") == 0;
    r->checked = db_value_ll(st.res, 0, 1);
    r->first_bad_id = db_value_ll(st.res, 0, 2);
    db_stmts_clear(&st, 1);
    return true;
}
