/* Customer search: one text — a name (misspelt, with or without umlauts),
 * a phone number in any format or a fragment of it, an e-mail address, a
 * loyalty card, an order or RMA number, a customer id — to a ranked list,
 * best first. The matching and the ranking are kontor.customer_search()
 * (migration 0010); what a role may see is decided there too: clerks get
 * masked contact data and cannot search by e-mail or phone. Like the other
 * builders, the struct owns the storage its parameters point into, so it
 * must live until the result is read. */
#ifndef KONTOR_CUSTOMER_SEARCH_H
#define KONTOR_CUSTOMER_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "kontor/db.h"

#define CUSTOMER_SEARCH_LIMIT 50 /* rows a search returns unless asked otherwise */
#define CUSTOMER_SEARCH_MAX 200  /* the most the database returns */
#define CUSTOMER_SEARCH_TEXT 256 /* bytes of search text kept (longer is cut) */

/* Columns of a result, in this order. */
enum customer_search_col {
    CUSTOMER_SEARCH_ID,          /* the customer (the survivor of a merge) */
    CUSTOMER_SEARCH_NAME,        /* "Jürgen Müller", "(erased customer)" */
    CUSTOMER_SEARCH_CITY,
    CUSTOMER_SEARCH_CONTACT,     /* e-mail · phone, masked for clerks */
    CUSTOMER_SEARCH_MATCH,       /* the kind of match, see customer_search_match_label */
    CUSTOMER_SEARCH_MATCHED,     /* what matched when not the name: "K-100001" */
    CUSTOMER_SEARCH_SCORE,       /* 0..100; the list is in this order */
    CUSTOMER_SEARCH_ERASED,      /* 't' / 'f' */
    CUSTOMER_SEARCH_MERGED_FROM, /* the merged record that matched, or "" */
    CUSTOMER_SEARCH_ORDERS,      /* number of orders */
    CUSTOMER_SEARCH_COUNT
};

struct customer_search {
    char text[CUSTOMER_SEARCH_TEXT];
    char limit[12];
    const char *params[2];
    struct db_stmt st;
};

/* One statement; text is trimmed and cut at CUSTOMER_SEARCH_TEXT bytes
 * (on a character boundary); limit <= 0 means CUSTOMER_SEARCH_LIMIT. An
 * empty text gives no rows. */
struct db_stmt *customer_search_stmt(struct customer_search *q, const char *text, int limit);

/* True when text holds nothing to search for (only blanks). */
bool customer_search_blank(const char *text);

/* What matched, for people: "name", "sounds like", "phone +49 421 1234567",
 * "order K-100001", "via merged #2" appended for a merged record. Writes
 * into buf and returns it. */
const char *customer_search_match_text(const PGresult *res, int row, char *buf, size_t len);

/* Scores at or above this are unambiguous identifiers (an explicit id, an
 * order or RMA number, the whole e-mail, phone, card or account). */
#define CUSTOMER_SEARCH_STRONG 95

/* The row to open at once instead of showing the list, or -1: the only
 * row scoring CUSTOMER_SEARCH_STRONG or more (an order number typed as
 * plain digits too), or the only row at all when it is a customer id. */
int customer_search_direct(const PGresult *res);

#endif
