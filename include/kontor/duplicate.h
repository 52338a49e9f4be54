/* Duplicate customers: the list of flagged pairs and suggestions (migration
 * 0011 finds and scores them: shared e-mail, phone or loyalty card; a name
 * that sounds the same at the same address or birthdate), two records side
 * by side, and the steps — flag (customer service), dismiss and merge (a
 * manager). The rules live in the database; these builders only pass what
 * staff chose. Like order.h, every struct that builds a statement owns the
 * storage its parameters point into, so it must live until the result is
 * read. */
#ifndef KONTOR_DUPLICATE_H
#define KONTOR_DUPLICATE_H

#include <stdbool.h>
#include <stddef.h>

#include "kontor/db.h"

/* Pairs one list shows at most (flagged first, then the best scores). */
#define DUPLICATE_LIMIT 200

/* The palette argument: "" (every pair: *customer = 0) or a customer id
 * ("2", "id:2"). false with *err (caller frees) for anything else. */
bool duplicate_args_parse(const char *args, long long *customer, char **err);

/* ---- the list ---------------------------------------------------------------- */

/* One pair per row, customer_a < customer_b. */
enum duplicate_col {
    DUP_COL_A,
    DUP_COL_B,
    DUP_COL_NAME_A,  /* "first last" */
    DUP_COL_NAME_B,
    DUP_COL_PLACE_A, /* the city, or "" */
    DUP_COL_PLACE_B,
    DUP_COL_SCORE,
    DUP_COL_REASONS,    /* "phone, name, address, birthdate" */
    DUP_COL_FLAG_ID,    /* the open flag, 0 when nobody flagged the pair */
    DUP_COL_FLAGGED_BY, /* display name or "" */
    DUP_COL_FLAGGED_AT, /* "DD.MM.YYYY" or "" */
    DUP_COL_FLAG_NOTE,
    DUP_COL_COUNT
};

/* With a customer: one row about the record the list is for (none when
 * there is no such customer). SURVIVOR is the record it stands for today
 * (itself unless it was merged); MERGED_AT "DD.MM.YYYY HH:MM" or "". */
enum duplicate_focus_col {
    DUP_FOCUS_ID,
    DUP_FOCUS_SURVIVOR,
    DUP_FOCUS_MERGED_AT,
    DUP_FOCUS_ERASED, /* 't' / 'f' */
    DUP_FOCUS_NAME,
    DUP_FOCUS_SURVIVOR_NAME,
    DUP_FOCUS_COUNT
};

enum duplicate_list_part { DUP_LIST_FOCUS, DUP_LIST_ROWS, DUP_LIST_COUNT };

struct duplicate_list {
    char customer[24], limit[12];
    const char *params[2];
    struct db_stmt st[DUP_LIST_COUNT];
};
/* customer 0: every pair; else the pairs of the record that customer
 * stands for today (a merged record's survivor). */
struct db_stmt *duplicate_list_stmts(struct duplicate_list *q, long long customer, int limit,
                                     size_t *n);

/* ---- side by side ----------------------------------------------------------------- */

/* Two rows, a then b. */
enum duplicate_side_col {
    DS_COL_ID,
    DS_COL_NAME,
    DS_COL_BIRTHDATE,  /* "DD.MM.YYYY" or "" */
    DS_COL_STREET,
    DS_COL_PLACE,      /* "28209 Bremen" */
    DS_COL_SINCE,      /* "DD.MM.YYYY" */
    DS_COL_HOME,       /* channel first seen in: "Web", "Store" */
    DS_COL_ORDERS,
    DS_COL_LAST_ORDER, /* "K-100006 · 12.07.2026" or "" */
    DS_COL_RETURNS,
    DS_COL_INTERACTIONS,
    DS_COL_CONSENTS,   /* records, given and withdrawn */
    DS_COL_GRANTED,    /* purposes in force: "newsletter, post" */
    DS_COL_NOTES,
    DS_COL_MERGED_INTO, /* 0 unless merged */
    DS_COL_ERASED,      /* 't' / 'f' */
    DS_COL_COUNT
};

/* Live identities of both, a's first. SHARED: the other record has the
 * same (as the suggestions compare: e-mail without "+tag"). */
enum duplicate_ident_col { DI_COL_CUSTOMER, DI_COL_KIND, DI_COL_VALUE, DI_COL_SOURCE, DI_COL_SHARED,
                           DI_COL_COUNT };

/* One row (none when a customer is missing): score, reasons, the open flag
 * (id 0 when none) and the pair's last decision ("dismissed by Maren Ott
 * 12.03.2026" or ""). */
enum duplicate_pair_col { DP_COL_SCORE, DP_COL_REASONS, DP_COL_FLAG_ID, DP_COL_FLAGGED_BY,
                          DP_COL_FLAGGED_AT, DP_COL_FLAG_NOTE, DP_COL_DECIDED, DP_COL_COUNT };

enum duplicate_compare_part { DUP_CMP_SIDES, DUP_CMP_IDENTITIES, DUP_CMP_PAIR, DUP_CMP_COUNT };

struct duplicate_compare {
    char a[24], b[24];
    const char *params[2];
    struct db_stmt st[DUP_CMP_COUNT];
};
struct db_stmt *duplicate_compare_stmts(struct duplicate_compare *q, long long a, long long b,
                                        size_t *n);

/* ---- steps ----------------------------------------------------------------------------- */

enum duplicate_step_kind {
    DUPLICATE_FLAG,    /* service, manager: result id, outcome ("flagged" / "already") */
    DUPLICATE_DISMISS, /* manager, note required: result id, outcome ("dismissed") */
    DUPLICATE_MERGE,   /* manager: b merges into a; result enum duplicate_merge_col */
};

enum duplicate_merge_col { DM_COL_LOSER, DM_COL_SURVIVOR, DM_COL_ORDERS, DM_COL_RETURNS,
                           DM_COL_INTERACTIONS, DM_COL_CONSENTS, DM_COL_IDENTITIES,
                           DM_COL_RETIRED, DM_COL_COUNT };

/* Statement 0 is the step; then, in the same transaction, the list
 * (list_customer, limit as for duplicate_list_stmts) and the pair side by
 * side, reloaded: 1 + DUP_LIST_COUNT + DUP_CMP_COUNT statements. */
struct duplicate_step {
    enum duplicate_step_kind kind;
    char a[24], b[24], note[512];
    const char *params[3];
    struct duplicate_list list;
    struct duplicate_compare compare;
    struct db_stmt st[1 + DUP_LIST_COUNT + DUP_CMP_COUNT];
};
struct db_stmt *duplicate_step_stmts(struct duplicate_step *q, enum duplicate_step_kind kind,
                                     long long a, long long b, const char *note,
                                     long long list_customer, int limit, size_t *n);

#endif
