/* Customer search: the statement that runs kontor.customer_search (all the
 * matching, ranking and masking happen there, migration 0010), the words
 * people read for each kind of match, and when a search is unambiguous
 * enough to open the customer at once. */
#include "kontor/customer_search.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "kontor/text.h"

static const char sql_search[] =
    "SELECT id, name, city, contact, match, matched, score, erased, merged_from, orders "
    "FROM kontor.customer_search($1, $2::int)";

bool customer_search_blank(const char *text)
{
    for (; text != NULL && *text != '\0'; text++)
        if (!isspace((unsigned char)*text))
            return false;
    return true;
}

struct db_stmt *customer_search_stmt(struct customer_search *q, const char *text, int limit)
{
    text_copy_trim(q->text, sizeof(q->text), text);
    if (limit <= 0)
        limit = CUSTOMER_SEARCH_LIMIT;
    if (limit > CUSTOMER_SEARCH_MAX)
        limit = CUSTOMER_SEARCH_MAX;
    snprintf(q->limit, sizeof(q->limit), "%d", limit);
    q->params[0] = q->text;
    q->params[1] = q->limit;
    q->st = (struct db_stmt)DB_STMT(sql_search, 2, q->params);
    return &q->st;
}

/* The kinds of match the database names, and how a person reads them; a
 * prefix is followed by what matched. */
static const struct {
    const char *match, *label;
    bool strong; /* an identifier: one such match may open the customer */
} match_kinds[] = {
    { "id", "customer", true },
    { "number", "order", true },
    { "email", "e-mail", true },
    { "phone", "phone", true },
    { "loyalty", "card", true },
    { "account", "account", true },
    { "email part", "e-mail", false },
    { "phone part", "phone", false },
    { "loyalty part", "card", false },
    { "name exact", "name", false },
    { "name begins", "name begins", false },
    { "phonetic", "sounds like", false },
    { "similar", "similar name", false },
};

const char *customer_search_match_text(const PGresult *res, int row, char *buf, size_t len)
{
    const char *match = db_value(res, row, CUSTOMER_SEARCH_MATCH);
    const char *matched = db_value(res, row, CUSTOMER_SEARCH_MATCHED);
    const char *merged = db_value(res, row, CUSTOMER_SEARCH_MERGED_FROM);
    const char *label = match;
    char via[40] = "";

    for (size_t i = 0; i < sizeof(match_kinds) / sizeof(match_kinds[0]); i++)
        if (strcmp(match, match_kinds[i].match) == 0)
            label = match_kinds[i].label;
    if (merged[0] != '\0')
        snprintf(via, sizeof(via), " (via merged #%s)", merged);
    if (strcmp(match, "number") == 0 && strncmp(matched, "R-", 2) == 0)
        label = "return";
    snprintf(buf, len, "%s%s%s%s", label, matched[0] ? " " : "", matched, via);
    return buf;
}

static bool match_strong(const char *match)
{
    for (size_t i = 0; i < sizeof(match_kinds) / sizeof(match_kinds[0]); i++)
        if (strcmp(match, match_kinds[i].match) == 0)
            return match_kinds[i].strong;
    return false;
}

int customer_search_direct(const PGresult *res)
{
    int n = res != NULL ? PQntuples(res) : 0, found = -1, strong = 0;

    if (n == 1 && strcmp(db_value(res, 0, CUSTOMER_SEARCH_MATCH), "id") == 0)
        return 0;
    for (int r = 0; r < n; r++) {
        const char *match = db_value(res, r, CUSTOMER_SEARCH_MATCH);
        long long score = db_value_ll(res, r, CUSTOMER_SEARCH_SCORE);

        /* a plain-digit id (scored low) is not an identifier among others */
        if (!match_strong(match) || (strcmp(match, "id") == 0 && score < CUSTOMER_SEARCH_STRONG))
            continue;
        if (strcmp(match, "number") != 0 && score < CUSTOMER_SEARCH_STRONG)
            continue;
        strong++;
        found = r;
    }
    return strong == 1 ? found : -1;
}
