/* `kontor audit verify`: recomputes the audit log's hash chain (admin). */
#include <stdlib.h>
#include <string.h>

#include "kontor/audit.h"
#include "kontor/cli.h"

int cmd_audit_verify(struct cli *cli, int argc, char **argv)
{
    struct audit_verify_result r;
    struct db_error err = { 0 };
    int st;

    if (argc != 1) {
        fprintf(stderr, "usage: kontor audit verify\n");
        return CLI_USAGE;
    }
    st = cli_sign_in(cli);
    if (st != CLI_OK)
        return st;
    if (!audit_verify(cli->db, &cli->id.session, &r, &err)) {
        st = cli_fail(&err);
        db_error_clear(&err);
        return st;
    }
    if (!r.ok) {
        printf("kontor: the audit log is BROKEN at event %lld (%lld events checked)\n",
               r.first_bad_id, r.checked);
        return CLI_FAILED;
    }
    printf("kontor: the audit log verifies: %lld events, hash chain intact\n", r.checked);
    return CLI_OK;
}
