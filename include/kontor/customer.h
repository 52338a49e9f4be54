/* One customer: the view (profile, identities across channels, consents per
 * purpose and channel, counters and the journey — orders, returns, refunds,
 * touchpoint interactions and notes of every channel, newest first) in one
 * round trip; the edits of profile, identities and consents with row
 * versions (migration 0012: a change made meanwhile is refused, naming who
 * and when); and the privacy requests, export and erasure. What a role may
 * read is the database's to decide: a clerk's statements read the masked
 * view only. Like order.h, every struct that builds a statement owns the
 * storage its parameters point into, so it must live until the result is
 * read. */
#ifndef KONTOR_CUSTOMER_H
#define KONTOR_CUSTOMER_H

#include <stdbool.h>
#include <stddef.h>

#include "kontor/db.h"

/* The journey shows the newest entries only (a customer may have hundreds
 * of orders); the counters say how many there are in all. */
#define CUSTOMER_TIMELINE_MAX 200

/* "48213" or "id:48213" (the palette's argument); false for anything else. */
bool customer_id_parse(const char *s, long long *id);
/* True for the roles that read contact data, consents, notes and
 * interactions (service, manager); a clerk gets the masked view. */
bool customer_role_full(enum db_role role);
/* "e-mail", "phone", "loyalty card", "web account", "marketplace id". */
const char *customer_identity_kind_label(const char *kind);
/* The label of a journey entry's status ("ready for pickup", "refunded"). */
const char *customer_timeline_status_label(const char *kind, const char *status);

/* ---- the view ------------------------------------------------------------- */

enum customer_part {
    CUSTOMER_PART_HEADER,     /* one row: see customer_header */
    CUSTOMER_PART_IDENTITIES, /* enum customer_identity_col; a clerk: masked e-mail and phone */
    CUSTOMER_PART_CONSENTS,   /* enum customer_consent_col, in force; none for a clerk */
    CUSTOMER_PART_COUNTS,     /* one row: see customer_counts */
    CUSTOMER_PART_TIMELINE,   /* enum customer_timeline_col, newest first */
    CUSTOMER_PART_COUNT
};

enum customer_identity_col {
    CI_COL_ID, CI_COL_VERSION, CI_COL_KIND, CI_COL_VALUE, CI_COL_SOURCE,
    CI_COL_VERIFIED, /* 't' / 'f' */
    CI_COL_SINCE,    /* YYYY-MM-DD */
    CI_COL_COUNT
};

enum customer_consent_col {
    CC_COL_ID, CC_COL_PURPOSE, CC_COL_CHANNEL, CC_COL_CHANNEL_CODE,
    CC_COL_GRANTED, /* 't' / 'f' */
    CC_COL_SOURCE,
    CC_COL_AT,      /* YYYY-MM-DD */
    CC_COL_BY,      /* the staff member who recorded it, or "" */
    CC_COL_COUNT
};

enum customer_timeline_col {
    CT_COL_WHEN,   /* "23.11. 10:41" this year, else "28.10.2025" */
    CT_COL_KIND,   /* order | return | refund | interaction | note */
    CT_COL_VIA,    /* channel name, touchpoint kind ("Newsletter") or "Note" */
    CT_COL_WHAT,   /* "order K-104233 · C&C Bremen", "clicked · November Edit · ..." */
    CT_COL_CENTS,  /* amount or "" */
    CT_COL_STATUS, /* the record's status (raw), or "" */
    CT_COL_OPEN,   /* what Enter opens, screen and argument: "order K-104233",
                      "return R-4TQ8ZP"; "" for none */
    CT_COL_AT,     /* UTC ISO time */
    CT_COL_ID,
    CT_COL_COUNT
};

struct customer_header {
    long long id;
    int version;
    char first_name[512], last_name[512], birthdate[16];
    char street[512], postcode[32], city[512], country[8];
    char home_channel[32], since[16];
    long long merged_into;
    char merged_at[16], erased_at[32];
    char updated_by[128], updated_at[32];
    char email_masked[256], phone_masked[64]; /* a clerk's view only */
    bool full;
};

struct customer_counts {
    long long orders, kept_orders; /* all; not cancelled */
    long long revenue_cents;        /* of the orders not cancelled */
    long long returns;              /* not cancelled or rejected */
    long long return_rate_pct;      /* returns per kept order, rounded; -1 without orders */
    long long entries;              /* journey entries in all (what the view could show) */
    long long duplicates;           /* open duplicate flags */
    char by_channel[256];           /* "Web 7, Stores 4, App 3" */
};

struct customer_view {
    char id[24], limit[12];
    const char *params[2];
    struct db_stmt st[CUSTOMER_PART_COUNT];
};
/* The view's statements (one transaction, pipelined). full: see
 * customer_role_full. */
struct db_stmt *customer_view_stmts(struct customer_view *q, long long id, bool full, size_t *n);
/* The same as one JSON document made by PostgreSQL ({customer, identities,
 * consents, counts, timeline}; NULL when there is no such customer). */
struct db_stmt *customer_view_json_stmt(struct customer_view *q, long long id, bool full);
/* What the edit form needs: HEADER, IDENTITIES and CONSENTS of the full view. */
struct db_stmt *customer_edit_load_stmts(struct customer_view *q, long long id, size_t *n);
bool customer_header_read(const PGresult *res, struct customer_header *h);
void customer_counts_read(const PGresult *res, struct customer_counts *c);

/* ---- edits ------------------------------------------------------------------- */

struct customer_profile {
    char first_name[512], last_name[512];
    char birthdate[16]; /* YYYY-MM-DD or "" */
    char street[512], postcode[32], city[512], country[8];
};

#define CUSTOMER_SAVE_MAX 40
#define CUSTOMER_SAVE_PARAMS 9
/* The changes of one save, run in one transaction: all or nothing. */
struct customer_save {
    char id[24];
    size_t n;
    char v[CUSTOMER_SAVE_MAX][CUSTOMER_SAVE_PARAMS][520];
    const char *params[CUSTOMER_SAVE_MAX][CUSTOMER_SAVE_PARAMS];
    struct db_stmt st[CUSTOMER_SAVE_MAX];
};
void customer_save_begin(struct customer_save *q, long long customer_id);
/* The profile; version: the one the editor saw. */
bool customer_save_profile(struct customer_save *q, int version, const struct customer_profile *p);
/* Adds (identity_id 0: kind, value, source) or corrects an identity (value,
 * verified; version: the one seen). */
bool customer_save_identity(struct customer_save *q, long long identity_id, int version,
                            const char *kind, const char *value, const char *source,
                            bool verified);
/* Records a consent given or withdrawn for a purpose via a channel (code);
 * seen: the id of the record in force the editor saw (0: none). */
bool customer_save_consent(struct customer_save *q, const char *purpose, const char *channel,
                           bool granted, const char *source, long long seen);
/* The statements so far (n may be 0: nothing changed). */
struct db_stmt *customer_save_stmts(struct customer_save *q, size_t *n);

/* ---- privacy ----------------------------------------------------------------- */

/* Everything held about the customer, one JSON document made by PostgreSQL
 * (kontor.customer_export: service and managers; audited). One column. */
struct customer_export {
    char id[24];
    const char *params[1];
    struct db_stmt st;
};
struct db_stmt *customer_export_stmt(struct customer_export *q, long long id);

/* Erasure (managers: kontor.customer_erase), then the view as it is now:
 * statement 0 is the erasure, 1.. the view's parts. */
struct customer_erase {
    char id[24], reason[512];
    const char *params[2];
    struct customer_view view;
    struct db_stmt st[1 + CUSTOMER_PART_COUNT];
};
struct db_stmt *customer_erase_stmts(struct customer_erase *q, long long id, const char *reason,
                                     bool full, size_t *n);

#endif
