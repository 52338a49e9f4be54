/* Orders across every channel: the SQL of the list (keyset pages, one
 * statement per sort and fetch kind), the count, the detail parts, lifecycle
 * moves with row versions, notes, the pickup queue, the counter search and
 * staff preferences; plus the filter words of the palette. Values travel as
 * parameters only. Filter parameters left empty fold away when PostgreSQL
 * plans the (unnamed) statement with its values, so each page runs on the
 * index that fits the filters that are set. */
#include "kontor/order.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/text.h"
#include "kontor/xalloc.h"

/* ---- small helpers ------------------------------------------------------- */


static void lower_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static void upper_ascii(char *s)
{
    for (; *s; s++)
        *s = (char)toupper((unsigned char)*s);
}

/* ---- labels ---------------------------------------------------------------- */

static const struct {
    const char *code, *label;
} order_statuses[] = {
    { "placed", "placed" },
    { "paid", "paid" },
    { "picking", "picking" },
    { "shipped", "shipped" },
    { "delivered", "delivered" },
    { "ready_for_pickup", "ready for pickup" },
    { "collected", "collected" },
    { "completed", "completed" },
    { "cancelled", "cancelled" },
    { "partially_returned", "partially returned" },
    { "returned", "returned" },
}, order_fulfilments[] = {
    { "ship", "ship" },
    { "click_collect", "C&C" },
    { "in_store", "in store" },
};

#define N_STATUSES (sizeof(order_statuses) / sizeof(order_statuses[0]))
#define N_FULFILMENTS (sizeof(order_fulfilments) / sizeof(order_fulfilments[0]))

const char *order_status_label(const char *status)
{
    for (size_t i = 0; status != NULL && i < N_STATUSES; i++)
        if (strcmp(order_statuses[i].code, status) == 0)
            return order_statuses[i].label;
    return status != NULL ? status : "";
}

const char *order_fulfilment_label(const char *fulfilment)
{
    for (size_t i = 0; fulfilment != NULL && i < N_FULFILMENTS; i++)
        if (strcmp(order_fulfilments[i].code, fulfilment) == 0)
            return order_fulfilments[i].label;
    return fulfilment != NULL ? fulfilment : "";
}

/* ---- filters --------------------------------------------------------------- */

static const char *const order_channels[] = { "web", "app", "store", "marketplace",
                                              "phone", "social", "print" };
static const struct {
    const char *word, *fulfilment;
} fulfilment_words[] = {
    { "ship", "ship" },           { "shipping", "ship" },       { "c&c", "click_collect" },
    { "cc", "click_collect" },    { "click_collect", "click_collect" },
    { "click&collect", "click_collect" },                       { "in_store", "in_store" },
    { "instore", "in_store" },
};
static const struct {
    const char *word, *status;
} status_words[] = {
    { "open", "open" }, { "ready", "ready_for_pickup" }, { "new", "placed" },
};

static bool is_date(const char *s)
{
    int y, m, d;
    char tail;

    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return false;
    if (s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || d < 1 || d > 31 || y < 1900)
        return false;
    static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (d > mdays[m - 1])
        return false;
    if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
        return false;
    return true;
}

static bool is_day_word(const char *s)
{
    return strcmp(s, "today") == 0 || strcmp(s, "yesterday") == 0 || is_date(s);
}

/* "today", "yesterday", "2026-11-01", "2026-11-01..2026-11-23", "..D", "D..".
 * Returns 1 when the word was a date (range), 0 when not one, -1 malformed. */
static int parse_dates(struct order_filter *f, const char *w)
{
    const char *dots = strstr(w, "..");
    char a[16], b[16];

    if (dots == NULL) {
        if (is_day_word(w)) {
            text_copy(f->from, sizeof(f->from), w);
            text_copy(f->to, sizeof(f->to), w);
            return 1;
        }
        /* digits and dashes like a date, but not one */
        if (isdigit((unsigned char)w[0]) && strchr(w, '-') != NULL && strlen(w) >= 8
            && strspn(w, "0123456789-") == strlen(w))
            return -1;
        return 0;
    }
    if ((size_t)(dots - w) >= sizeof(a) || strlen(dots + 2) >= sizeof(b))
        return -1;
    memcpy(a, w, (size_t)(dots - w));
    a[dots - w] = '\0';
    text_copy(b, sizeof(b), dots + 2);
    if ((a[0] != '\0' && !is_day_word(a)) || (b[0] != '\0' && !is_day_word(b))
        || (a[0] == '\0' && b[0] == '\0'))
        return -1;
    if (is_date(a) && is_date(b) && strcmp(a, b) > 0)
        return -1;
    text_copy(f->from, sizeof(f->from), a);
    text_copy(f->to, sizeof(f->to), b);
    return 1;
}

static bool is_location_code(const char *w)
{
    size_t n = strlen(w), i = 0;

    while (i < n && isalpha((unsigned char)w[i]))
        i++;
    if (i < 1 || i > 4 || i >= n || w[i] != '-')
        return false;
    return n - i - 1 >= 1 && n - i - 1 <= 3 && strspn(w + i + 1, "0123456789") == n - i - 1;
}

/* Fills one known word into f; false when the word is not one. */
static bool filter_word(struct order_filter *f, const char *word)
{
    char w[64];

    text_copy(w, sizeof(w), word);
    lower_ascii(w);
    for (size_t i = 0; i < sizeof(order_channels) / sizeof(order_channels[0]); i++)
        if (strcmp(w, order_channels[i]) == 0) {
            text_copy(f->channel, sizeof(f->channel), w);
            return true;
        }
    for (size_t i = 0; i < sizeof(fulfilment_words) / sizeof(fulfilment_words[0]); i++)
        if (strcmp(w, fulfilment_words[i].word) == 0) {
            text_copy(f->fulfilment, sizeof(f->fulfilment), fulfilment_words[i].fulfilment);
            return true;
        }
    for (size_t i = 0; i < sizeof(status_words) / sizeof(status_words[0]); i++)
        if (strcmp(w, status_words[i].word) == 0) {
            text_copy(f->status, sizeof(f->status), status_words[i].status);
            return true;
        }
    for (size_t i = 0; i < N_STATUSES; i++)
        if (strcmp(w, order_statuses[i].code) == 0) {
            text_copy(f->status, sizeof(f->status), w);
            return true;
        }
    if (is_location_code(word)) {
        text_copy(f->location, sizeof(f->location), word);
        upper_ascii(f->location);
        return true;
    }
    return false;
}

bool order_filter_parse(struct order_filter *f, const char *args, char **err)
{
    const char *p = args != NULL ? args : "";
    char text[sizeof(f->text)] = "";

    memset(f, 0, sizeof(*f));
    while (*p != '\0') {
        char word[160];
        size_t n;

        while (*p == ' ' || *p == '\t')
            p++;
        if (*p == '\0')
            break;
        if (*p == '"') { /* "literal text" (as order_filter_format writes it) */
            const char *end = strchr(p + 1, '"');
            n = end != NULL ? (size_t)(end - p - 1) : strlen(p + 1);
            if (n >= sizeof(word))
                n = sizeof(word) - 1;
            memcpy(word, p + 1, n);
            word[n] = '\0';
            p = end != NULL ? end + 1 : p + 1 + strlen(p + 1);
        } else {
            n = strcspn(p, " \t");
            if (n >= sizeof(word))
                n = sizeof(word) - 1;
            memcpy(word, p, n);
            word[n] = '\0';
            p += strcspn(p, " \t");
            int d = parse_dates(f, word);
            if (d < 0) {
                *err = xasprintf("'%s' is not a date or date range: use YYYY-MM-DD, "
                                 "YYYY-MM-DD..YYYY-MM-DD, today or yesterday", word);
                return false;
            }
            if (d > 0 || filter_word(f, word))
                continue;
        }
        if (word[0] == '\0')
            continue;
        size_t used = strlen(text), wl = strlen(word);
        if (used + 1 + wl < sizeof(text)) {
            if (used > 0)
                text[used++] = ' ';
            memcpy(text + used, word, wl + 1);
        }
    }
    text_copy(f->text, sizeof(f->text), text);
    return true;
}

static void append(char *buf, size_t len, const char *sep, const char *s)
{
    size_t used = strlen(buf);

    if (used < len)
        snprintf(buf + used, len - used, "%s%s", used ? sep : "", s);
}

/* The channel names of the title, as kontor.channel names them. */
static const char *order_channel_label(const char *code)
{
    static const char *const names[][2] = {
        { "web", "Web" },       { "app", "App" },       { "store", "Stores" },
        { "marketplace", "Marketplace" }, { "phone", "Phone" }, { "social", "Social" },
        { "print", "Print" },
    };

    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(names[i][0], code) == 0)
            return names[i][1];
    return code;
}

void order_filter_describe(const struct order_filter *f, char *buf, size_t len)
{
    char tmp[200];

    if (len == 0)
        return;
    buf[0] = '\0';
    append(buf, len, " · ", f->channel[0] ? order_channel_label(f->channel) : "all channels");
    if (f->status[0])
        append(buf, len, " · ", strcmp(f->status, "open") == 0 ? "open"
                                                                : order_status_label(f->status));
    if (f->fulfilment[0])
        append(buf, len, " · ", order_fulfilment_label(f->fulfilment));
    if (f->location[0])
        append(buf, len, " · ", f->location);
    if (f->from[0] && strcmp(f->from, f->to) == 0) {
        append(buf, len, " · ", f->from);
    } else if (f->from[0] || f->to[0]) {
        snprintf(tmp, sizeof(tmp), "%s..%s", f->from, f->to);
        append(buf, len, " · ", tmp);
    }
    if (f->text[0]) {
        snprintf(tmp, sizeof(tmp), "“%s”", f->text);
        append(buf, len, " · ", tmp);
    }
}

void order_filter_format(const struct order_filter *f, char *buf, size_t len)
{
    char tmp[200];

    if (len == 0)
        return;
    buf[0] = '\0';
    if (f->channel[0])
        append(buf, len, " ", f->channel);
    if (f->status[0])
        append(buf, len, " ", f->status);
    if (f->fulfilment[0])
        append(buf, len, " ", f->fulfilment);
    if (f->location[0])
        append(buf, len, " ", f->location);
    if (f->from[0] && strcmp(f->from, f->to) == 0) {
        append(buf, len, " ", f->from);
    } else if (f->from[0] || f->to[0]) {
        snprintf(tmp, sizeof(tmp), "%s..%s", f->from, f->to);
        append(buf, len, " ", tmp);
    }
    if (f->text[0] && strchr(f->text, '"') == NULL) {
        snprintf(tmp, sizeof(tmp), "\"%s\"", f->text);
        append(buf, len, " ", tmp);
    }
}

/* The free text split by what it can be: an order number (prefix), a pickup
 * code, an e-mail address, a name. Empty strings for what it cannot be. */
struct order_text {
    char number[32], code[16], name[130], email[130];
};

static void order_text_split(const char *text, struct order_text *t)
{
    char s[130];
    size_t n;
    const char *digits;

    memset(t, 0, sizeof(*t));
    text_copy(s, sizeof(s), text);
    /* trim */
    n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    digits = s;
    while (isspace((unsigned char)*digits))
        digits++;
    memmove(s, digits, strlen(digits) + 1);
    if (s[0] == '\0')
        return;
    if (strchr(s, '@') != NULL) {
        text_copy(t->email, sizeof(t->email), s);
        return;
    }
    digits = s;
    if ((s[0] == 'K' || s[0] == 'k') && s[1] == '-')
        digits = s + 2;
    n = strlen(digits);
    if (n >= 1 && n <= 12 && strspn(digits, "0123456789") == n
        && (digits != s || n >= 3)) {
        memcpy(t->number, "K-", 2);
        memcpy(t->number + 2, digits, n + 1); /* n <= 12 */
        return;
    }
    n = strlen(s);
    if (n == 6 && strspn(s, "23456789ABCDEFGHJKMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz") == 6) {
        text_copy(t->code, sizeof(t->code), s);
        upper_ascii(t->code);
    }
    text_copy(t->name, sizeof(t->name), s);
}

/* ---- the list ---------------------------------------------------------------- */

/* Parameters: $1 channel, $2 status|open, $3 fulfilment, $4 location code,
 * $5 from, $6 to (YYYY-MM-DD, today, yesterday), $7 number prefix, $8 pickup
 * code, $9 name, $10 e-mail; pages add $11 limit, $12 sort value, $13 id. */
#define ORDER_TZ "(SELECT kontor.setting_value('business_timezone') #>> '{}')"
#define ORDER_DAY(p)                                                                   \
    "(CASE " p " WHEN 'today' THEN (now() AT TIME ZONE " ORDER_TZ ")::date "            \
    "WHEN 'yesterday' THEN (now() AT TIME ZONE " ORDER_TZ ")::date - 1 "                \
    "ELSE nullif(" p ", '')::date END)"
#define ORDER_OPEN "('collected', 'completed', 'delivered', 'cancelled', 'returned')"
#define ORDER_FILTER                                                                   \
    "($1 = '' OR so.channel_id = (SELECT ch.id FROM kontor.channel ch WHERE ch.code = $1)) " \
    "AND ($2 = '' OR ($2 = 'open' AND so.status NOT IN " ORDER_OPEN ") "                 \
    "     OR ($2 <> 'open' AND so.status = $2)) "                                       \
    "AND ($3 = '' OR so.fulfilment = $3) "                                              \
    "AND ($4 = '' OR so.location_id = (SELECT lc.id FROM kontor.location lc WHERE lc.code = $4)) " \
    "AND ($5 = '' OR so.placed_at >= (" ORDER_DAY("$5") "::timestamp AT TIME ZONE " ORDER_TZ ")) " \
    "AND ($6 = '' OR so.placed_at < ((" ORDER_DAY("$6") " + 1)::timestamp AT TIME ZONE " ORDER_TZ ")) " \
    "AND (($7 = '' AND $8 = '' AND $9 = '' AND $10 = '') "                              \
    "     OR ($7 <> '' AND so.number >= $7 AND so.number < $7 || ':') "                \
    "     OR ($8 <> '' AND so.pickup_code = $8) "                                        \
    "     OR ($9 <> '' AND length(kontor.search_norm($9)) >= 2 AND so.customer_id IN "   \
    "         (SELECT cm.id FROM kontor.customer_masked cm "                            \
    "          WHERE cm.name_norm LIKE '%' || kontor.search_norm($9) || '%')) "          \
    "     OR ($10 <> '' AND so.customer_id IN (SELECT kontor.customer_ids_by_email($10)))) "

#define ORDER_PAGE_SELECT(k1)                                                          \
    "SELECT so.number, to_char(so.placed_at AT TIME ZONE " ORDER_TZ ", 'YYYY-MM-DD HH24:MI') AS placed, " \
    "c.name AS channel, coalesce(l.name, '') AS location, "                              \
    "coalesce(btrim(m.first_name || ' ' || m.last_name), '') AS customer, "              \
    "so.fulfilment, so.status, "                                                         \
    "coalesce((SELECT sum(ol.qty) FROM kontor.order_line ol WHERE ol.order_id = so.id), 0) AS items, " \
    "so.total_cents, " k1 " AS sort_key, so.id "                                          \
    "FROM kontor.sales_order so JOIN kontor.channel c ON c.id = so.channel_id "          \
    "LEFT JOIN kontor.location l ON l.id = so.location_id "                              \
    "LEFT JOIN kontor.customer_masked m ON m.id = so.customer_id "                       \
    "WHERE " ORDER_FILTER

#define K_PLACED "to_char(so.placed_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"
#define K_TOTAL "so.total_cents::text"
#define R_PLACED "(so.placed_at, so.id)"
#define R_TOTAL "(so.total_cents, so.id)"
#define V_PLACED "($12::timestamptz, $13::bigint)"
#define V_TOTAL "($12::bigint, $13::bigint)"
#define DESC_PLACED "ORDER BY so.placed_at DESC, so.id DESC LIMIT $11::int"
#define ASC_PLACED "ORDER BY so.placed_at, so.id LIMIT $11::int"
#define DESC_TOTAL "ORDER BY so.total_cents DESC, so.id DESC LIMIT $11::int"
#define ASC_TOTAL "ORDER BY so.total_cents, so.id LIMIT $11::int"

/* One statement per sort and fetch kind. "Down" is the list's direction:
 * FIRST/AFTER/FROM go down, LAST/BEFORE go up (nearest first). */
#define PAGE_SET(K, R, V, DOWN, UP, LT, GT)                                             \
    {                                                                                  \
        [ORDER_FETCH_FIRST] = ORDER_PAGE_SELECT(K) DOWN,                               \
        [ORDER_FETCH_LAST] = ORDER_PAGE_SELECT(K) UP,                                  \
        [ORDER_FETCH_AFTER] = ORDER_PAGE_SELECT(K) "AND " R " " LT " " V " " DOWN,     \
        [ORDER_FETCH_BEFORE] = ORDER_PAGE_SELECT(K) "AND " R " " GT " " V " " UP,      \
        [ORDER_FETCH_FROM] = ORDER_PAGE_SELECT(K) "AND " R " " LT "= " V " " DOWN,     \
    }

static const char *const sql_page[4][5] = {
    [ORDER_SORT_NEWEST] = PAGE_SET(K_PLACED, R_PLACED, V_PLACED, DESC_PLACED, ASC_PLACED, "<", ">"),
    [ORDER_SORT_OLDEST] = PAGE_SET(K_PLACED, R_PLACED, V_PLACED, ASC_PLACED, DESC_PLACED, ">", "<"),
    [ORDER_SORT_TOTAL_DESC] = PAGE_SET(K_TOTAL, R_TOTAL, V_TOTAL, DESC_TOTAL, ASC_TOTAL, "<", ">"),
    [ORDER_SORT_TOTAL_ASC] = PAGE_SET(K_TOTAL, R_TOTAL, V_TOTAL, ASC_TOTAL, DESC_TOTAL, ">", "<"),
};

/* Fills the ten filter parameters (storage in 10 strings of 130). */
static void filter_params(const struct order_filter *f, char storage[][130], const char **params)
{
    struct order_text t;

    order_text_split(f->text, &t);
    text_copy(storage[0], 130, f->channel);
    text_copy(storage[1], 130, f->status);
    text_copy(storage[2], 130, f->fulfilment);
    text_copy(storage[3], 130, f->location);
    text_copy(storage[4], 130, f->from);
    text_copy(storage[5], 130, f->to);
    text_copy(storage[6], 130, t.number);
    text_copy(storage[7], 130, t.code);
    text_copy(storage[8], 130, t.name);
    text_copy(storage[9], 130, t.email);
    for (int i = 0; i < ORDER_FILTER_PARAMS; i++)
        params[i] = storage[i];
}

struct db_stmt *order_page_stmt(struct order_page *q, const struct order_filter *f,
                                enum order_sort sort, enum order_fetch how,
                                const char *const *key, int limit)
{
    bool keyed = how == ORDER_FETCH_AFTER || how == ORDER_FETCH_BEFORE || how == ORDER_FETCH_FROM;

    if ((unsigned)sort > ORDER_SORT_TOTAL_ASC)
        sort = ORDER_SORT_NEWEST;
    if ((unsigned)how > ORDER_FETCH_FROM)
        how = ORDER_FETCH_FIRST;
    if (keyed && (key == NULL || key[0] == NULL || key[1] == NULL)) {
        how = ORDER_FETCH_FIRST;
        keyed = false;
    }
    q->filter = *f;
    filter_params(&q->filter, q->fparams, q->params);
    snprintf(q->limit, sizeof(q->limit), "%d", limit > 0 ? limit : 50);
    snprintf(q->how, sizeof(q->how), "%d", (int)how);
    snprintf(q->sort, sizeof(q->sort), "%d", (int)sort);
    text_copy(q->text, sizeof(q->text), f->text);
    q->params[ORDER_FILTER_PARAMS] = q->limit;
    if (keyed) {
        text_copy(q->k1, sizeof(q->k1), key[0]);
        text_copy(q->k2, sizeof(q->k2), key[1]);
        q->params[ORDER_FILTER_PARAMS + 1] = q->k1;
        q->params[ORDER_FILTER_PARAMS + 2] = q->k2;
    }
    q->st = (struct db_stmt)DB_STMT(sql_page[sort][how],
                                    ORDER_FILTER_PARAMS + 1 + (keyed ? 2 : 0), q->params);
    return &q->st;
}

/* The list for batch output: the first page's columns without the keys. */
#define LIST_COLS "SELECT number, placed, channel, location, customer, fulfilment, status, items, "
#define LIST_TEXT LIST_COLS "to_char(total_cents / 100.0, 'FM999999990.00') AS total FROM ("
#define LIST_CENTS LIST_COLS "total_cents FROM ("
#define FIRST_NEWEST ORDER_PAGE_SELECT(K_PLACED) DESC_PLACED
#define FIRST_OLDEST ORDER_PAGE_SELECT(K_PLACED) ASC_PLACED
#define FIRST_TOTAL_DESC ORDER_PAGE_SELECT(K_TOTAL) DESC_TOTAL
#define FIRST_TOTAL_ASC ORDER_PAGE_SELECT(K_TOTAL) ASC_TOTAL

static const char *const sql_list[2][4] = {
    { [ORDER_SORT_NEWEST] = LIST_TEXT FIRST_NEWEST ") p",
      [ORDER_SORT_OLDEST] = LIST_TEXT FIRST_OLDEST ") p",
      [ORDER_SORT_TOTAL_DESC] = LIST_TEXT FIRST_TOTAL_DESC ") p",
      [ORDER_SORT_TOTAL_ASC] = LIST_TEXT FIRST_TOTAL_ASC ") p" },
    { [ORDER_SORT_NEWEST] = LIST_CENTS FIRST_NEWEST ") p",
      [ORDER_SORT_OLDEST] = LIST_CENTS FIRST_OLDEST ") p",
      [ORDER_SORT_TOTAL_DESC] = LIST_CENTS FIRST_TOTAL_DESC ") p",
      [ORDER_SORT_TOTAL_ASC] = LIST_CENTS FIRST_TOTAL_ASC ") p" },
};

const char *order_list_sql(enum order_sort sort, bool cents)
{
    if ((unsigned)sort > ORDER_SORT_TOTAL_ASC)
        sort = ORDER_SORT_NEWEST;
    return sql_list[cents ? 1 : 0][sort];
}

/* ---- the count -------------------------------------------------------------- */

/* Exact up to 10,000 matches; beyond, an estimate (shown with ~) from a
 * sample of a fixed number of rows (tsm_system_rows, migration 0015), so its
 * cost stays the same however long the order history grows — a percentage
 * sample grew with the table (8 ms at 1,000,000 orders, 80 at 10,000,000). */
static const char sql_count[] =
    "WITH x AS (SELECT count(*) AS n FROM (SELECT 1 FROM kontor.sales_order so WHERE "
    ORDER_FILTER " LIMIT 10001) q) "
    "SELECT CASE WHEN x.n <= 10000 THEN x.n ELSE "
    "  (SELECT greatest(10001, round(max(pc.reltuples) * avg(CASE WHEN " ORDER_FILTER
    "                                                     THEN 1.0 ELSE 0 END)))::bigint "
    "   FROM kontor.sales_order so TABLESAMPLE public.system_rows (5000) "
    "   CROSS JOIN pg_catalog.pg_class pc WHERE pc.oid = 'kontor.sales_order'::regclass) END, "
    "x.n > 10000 FROM x";

struct db_stmt *order_count_stmt(struct order_count *q, const struct order_filter *f)
{
    filter_params(f, q->params_storage, q->params);
    q->st = (struct db_stmt)DB_STMT(sql_count, ORDER_FILTER_PARAMS, q->params);
    return &q->st;
}

long long order_count_read(const PGresult *res, bool *estimate)
{
    if (res == NULL || PQntuples(res) < 1) {
        *estimate = false;
        return 0;
    }
    *estimate = strcmp(db_value(res, 0, 1), "t") == 0;
    return db_value_ll(res, 0, 0);
}

/* ---- the detail ------------------------------------------------------------- */

/* The order a key names: its number (with or without "K-"), then a pickup
 * code, then an id. */
#define ORDER_KEY                                                                      \
    "WITH o AS (SELECT id FROM ("                                                      \
    " SELECT id, 1 AS p FROM kontor.sales_order WHERE number = upper($1) OR number = 'K-' || $1 " \
    " UNION ALL SELECT id, 2 FROM kontor.sales_order WHERE pickup_code = upper($1) "   \
    " UNION ALL SELECT id, 3 FROM kontor.sales_order "                                 \
    "   WHERE id = CASE WHEN $1 ~ '^[0-9]{1,18}$' THEN $1::bigint END"                  \
    ") k ORDER BY p LIMIT 1) "
#define ORDER_TIME(x) "to_char((" x ") AT TIME ZONE " ORDER_TZ ", 'YYYY-MM-DD HH24:MI')"

/* "3 days", "5 hours", "12 minutes" since a time. */
#define ORDER_AGO(x)                                                                   \
    "(SELECT CASE WHEN d >= 86400 THEN floor(d / 86400)::int || CASE WHEN d < 172800 THEN ' day' ELSE ' days' END " \
    " WHEN d >= 3600 THEN floor(d / 3600)::int || CASE WHEN d < 7200 THEN ' hour' ELSE ' hours' END " \
    " ELSE greatest(floor(d / 60), 0)::int || CASE WHEN d >= 60 AND d < 120 THEN ' minute' ELSE ' minutes' END END " \
    " FROM (SELECT extract(epoch FROM now() - (" x ")) AS d) a)"

#define SQL_HEADER                                                                     \
    ORDER_KEY                                                                          \
    "SELECT so.id, so.version, so.number, c.name AS channel, c.code AS channel_code, "  \
    "coalesce(l.name, '') AS location, coalesce(l.code, '') AS location_code, so.fulfilment, " \
    "so.status, " ORDER_AGO("so.status_changed_at") " AS status_since, "               \
    ORDER_TIME("so.placed_at") " AS placed_at, coalesce(so.pickup_code, '') AS pickup_code, " \
    "so.customer_id, coalesce(btrim(m.first_name || ' ' || m.last_name), '') AS customer, " \
    "coalesce(kontor.customer_contact(so.customer_id), '') AS customer_contact, "      \
    "coalesce(cp.name, '') AS campaign, coalesce(tp.name, '') AS touchpoint, "          \
    "so.total_cents, so.currency, coalesce(s.display_name, '') AS updated_by, "         \
    ORDER_TIME("so.updated_at") " AS updated_at "                                      \
    "FROM o JOIN kontor.sales_order so ON so.id = o.id "                              \
    "JOIN kontor.channel c ON c.id = so.channel_id "                                   \
    "LEFT JOIN kontor.location l ON l.id = so.location_id "                            \
    "LEFT JOIN kontor.customer_masked m ON m.id = so.customer_id "                     \
    "LEFT JOIN kontor.campaign cp ON cp.id = so.campaign_id "                          \
    "LEFT JOIN kontor.touchpoint tp ON tp.id = so.touchpoint_id "                      \
    "LEFT JOIN kontor.staff s ON s.id = so.updated_by"

enum {
    H_ID, H_VERSION, H_NUMBER, H_CHANNEL, H_CHANNEL_CODE, H_LOCATION, H_LOCATION_CODE,
    H_FULFILMENT, H_STATUS, H_STATUS_SINCE, H_PLACED, H_PICKUP, H_CUSTOMER_ID, H_CUSTOMER,
    H_CONTACT, H_CAMPAIGN, H_TOUCHPOINT, H_TOTAL, H_CURRENCY, H_UPDATED_BY, H_UPDATED_AT
};

#define SQL_LINES                                                                      \
    ORDER_KEY                                                                          \
    "SELECT ol.sku, ol.name AS item, coalesce(ol.size, '') AS size, ol.qty, "          \
    "ol.qty_returned AS returned, ol.unit_price_cents AS price_cents "                  \
    "FROM o JOIN kontor.order_line_status ol ON ol.order_id = o.id ORDER BY ol.line_no"

#define SQL_PAYMENTS                                                                   \
    ORDER_KEY                                                                          \
    "SELECT kind, method, reference, amount_cents, status, " ORDER_TIME("at") " AS at FROM (" \
    " SELECT 'payment' AS kind, p.method, coalesce(p.reference, '') AS reference, p.amount_cents, " \
    "        p.status, p.at, p.id FROM o JOIN kontor.payment p ON p.order_id = o.id "  \
    " UNION ALL "                                                                      \
    " SELECT 'refund', r.method, coalesce(ro.rma, ''), r.amount_cents, r.status, r.at, r.id " \
    " FROM o JOIN kontor.refund r ON r.order_id = o.id "                               \
    " LEFT JOIN kontor.return_order ro ON ro.id = r.return_id) x ORDER BY x.at, x.kind, x.id"

#define SQL_HISTORY                                                                    \
    ORDER_KEY                                                                          \
    "SELECT " ORDER_TIME("e.at") " AS at, coalesce(e.from_status, '') AS from_status, " \
    "e.to_status, coalesce(s.display_name || ' (' || s.role || ')', '') AS who, e.source, " \
    "coalesce(e.note, '') AS note "                                                    \
    "FROM o JOIN kontor.order_event e ON e.order_id = o.id "                           \
    "LEFT JOIN kontor.staff s ON s.id = e.staff_id ORDER BY e.at, e.id"

#define SQL_NOTES                                                                      \
    ORDER_KEY                                                                          \
    "SELECT " ORDER_TIME("n.created_at") " AS at, coalesce(s.display_name, '') AS who, n.body " \
    "FROM o JOIN kontor.order_note n ON n.order_id = o.id "                            \
    "LEFT JOIN kontor.staff s ON s.id = n.created_by ORDER BY n.created_at, n.id"

#define SQL_RETURNS                                                                    \
    ORDER_KEY                                                                          \
    "SELECT r.rma, r.status, c.name AS channel, coalesce(l.name, '') AS location, "    \
    ORDER_TIME("r.created_at") " AS created "                                          \
    "FROM o JOIN kontor.return_order r ON r.order_id = o.id "                          \
    "JOIN kontor.channel c ON c.id = r.channel_id "                                    \
    "LEFT JOIN kontor.location l ON l.id = r.location_id ORDER BY r.created_at, r.id"

/* allowed: false where the role may not move this order at all (a clerk and
 * an order of another location). */
#define SQL_MOVES                                                                      \
    ORDER_KEY                                                                          \
    "SELECT t.to_status, t.needs_reason, "                                             \
    "(current_user <> 'kontor_clerk' OR so.location_id IS NULL "                       \
    " OR so.location_id = kontor.current_staff_location()) AS allowed "                \
    "FROM o JOIN kontor.sales_order so ON so.id = o.id "                              \
    "JOIN kontor.order_transition t ON t.fulfilment = so.fulfilment AND t.from_status = so.status " \
    "ORDER BY t.needs_reason, t.to_status = 'cancelled', t.to_status"

static const char *const sql_detail[ORDER_PART_COUNT] = {
    [ORDER_PART_HEADER] = SQL_HEADER,     [ORDER_PART_LINES] = SQL_LINES,
    [ORDER_PART_PAYMENTS] = SQL_PAYMENTS, [ORDER_PART_HISTORY] = SQL_HISTORY,
    [ORDER_PART_NOTES] = SQL_NOTES,       [ORDER_PART_RETURNS] = SQL_RETURNS,
    [ORDER_PART_MOVES] = SQL_MOVES,
};

/* The whole detail as one JSON document (null when there is no such order). */
static const char sql_detail_json[] =
    "SELECT CASE WHEN h.id IS NULL THEN NULL ELSE json_build_object("
    "'order', to_json(h), "
    "'lines', (SELECT coalesce(json_agg(x), '[]') FROM (" SQL_LINES ") x), "
    "'payments', (SELECT coalesce(json_agg(x), '[]') FROM (" SQL_PAYMENTS ") x), "
    "'history', (SELECT coalesce(json_agg(x), '[]') FROM (" SQL_HISTORY ") x), "
    "'notes', (SELECT coalesce(json_agg(x), '[]') FROM (" SQL_NOTES ") x), "
    "'returns', (SELECT coalesce(json_agg(x), '[]') FROM (" SQL_RETURNS ") x), "
    "'moves', (SELECT coalesce(json_agg(x), '[]') FROM (" SQL_MOVES ") x)) END "
    "FROM (SELECT 1) one LEFT JOIN (" SQL_HEADER ") h ON true";

struct db_stmt *order_detail_stmts(struct order_detail *q, const char *key, size_t *n)
{
    text_copy_trim(q->key, sizeof(q->key), key);
    q->params[0] = q->key;
    for (int i = 0; i < ORDER_PART_COUNT; i++)
        q->st[i] = (struct db_stmt)DB_STMT(sql_detail[i], 1, q->params);
    *n = ORDER_PART_COUNT;
    return q->st;
}

struct db_stmt *order_detail_json_stmt(struct order_detail *q, const char *key)
{
    size_t n;

    order_detail_stmts(q, key, &n);
    q->st[0] = (struct db_stmt)DB_STMT(sql_detail_json, 1, q->params);
    return &q->st[0];
}

bool order_header_read(const PGresult *res, struct order_header *h)
{
    memset(h, 0, sizeof(*h));
    if (res == NULL || PQntuples(res) < 1 || PQnfields(res) <= H_UPDATED_AT)
        return false;
    h->id = db_value_ll(res, 0, H_ID);
    h->version = (int)db_value_ll(res, 0, H_VERSION);
    text_copy(h->number, sizeof(h->number), db_value(res, 0, H_NUMBER));
    text_copy(h->channel, sizeof(h->channel), db_value(res, 0, H_CHANNEL));
    text_copy(h->channel_code, sizeof(h->channel_code), db_value(res, 0, H_CHANNEL_CODE));
    text_copy(h->location, sizeof(h->location), db_value(res, 0, H_LOCATION));
    text_copy(h->location_code, sizeof(h->location_code), db_value(res, 0, H_LOCATION_CODE));
    text_copy(h->fulfilment, sizeof(h->fulfilment), db_value(res, 0, H_FULFILMENT));
    text_copy(h->status, sizeof(h->status), db_value(res, 0, H_STATUS));
    text_copy(h->status_since, sizeof(h->status_since), db_value(res, 0, H_STATUS_SINCE));
    text_copy(h->placed_at, sizeof(h->placed_at), db_value(res, 0, H_PLACED));
    text_copy(h->pickup_code, sizeof(h->pickup_code), db_value(res, 0, H_PICKUP));
    h->customer_id = db_value_ll(res, 0, H_CUSTOMER_ID);
    text_copy(h->customer, sizeof(h->customer), db_value(res, 0, H_CUSTOMER));
    text_copy(h->customer_contact, sizeof(h->customer_contact), db_value(res, 0, H_CONTACT));
    text_copy(h->campaign, sizeof(h->campaign), db_value(res, 0, H_CAMPAIGN));
    text_copy(h->touchpoint, sizeof(h->touchpoint), db_value(res, 0, H_TOUCHPOINT));
    h->total_cents = db_value_ll(res, 0, H_TOTAL);
    text_copy(h->currency, sizeof(h->currency), db_value(res, 0, H_CURRENCY));
    text_copy(h->updated_by, sizeof(h->updated_by), db_value(res, 0, H_UPDATED_BY));
    text_copy(h->updated_at, sizeof(h->updated_at), db_value(res, 0, H_UPDATED_AT));
    return true;
}

/* ---- moves and notes -------------------------------------------------------- */

static const char sql_move[] =
    "UPDATE kontor.sales_order SET status = $3, status_note = nullif($4, '') "
    "WHERE id = $1::bigint AND ($2::int <= 0 OR version = $2::int) RETURNING version, status";

/* The row as it is now; may: whether this role may move it at all. */
static const char sql_move_current[] =
    "SELECT so.version, so.status, "
    "coalesce(s.display_name, (SELECT e.source FROM kontor.order_event e "
    "  WHERE e.order_id = so.id ORDER BY e.at DESC, e.id DESC LIMIT 1), '') AS by, "
    ORDER_TIME("so.updated_at") " AS at, so.number, "
    "(current_user <> 'kontor_clerk' OR so.location_id IS NULL "
    " OR so.location_id = kontor.current_staff_location()) AS may "
    "FROM kontor.sales_order so LEFT JOIN kontor.staff s ON s.id = so.updated_by "
    "WHERE so.id = $1::bigint";

struct db_stmt *order_move_stmts(struct order_move *q, long long id, int version,
                                 const char *to_status, const char *note, size_t *n)
{
    snprintf(q->id, sizeof(q->id), "%lld", id);
    snprintf(q->version, sizeof(q->version), "%d", version);
    text_copy(q->to, sizeof(q->to), to_status);
    text_copy(q->note, sizeof(q->note), note);
    q->params[0] = q->id;
    q->params[1] = q->version;
    q->params[2] = q->to;
    q->params[3] = q->note;
    q->cur_params[0] = q->id;
    q->st[0] = (struct db_stmt)DB_STMT(sql_move, 4, q->params);
    q->st[1] = (struct db_stmt)DB_STMT(sql_move_current, 1, q->cur_params);
    *n = 2;
    return q->st;
}

void order_move_read(struct db_stmt *st, struct order_move_outcome *out)
{
    const PGresult *cur = st[1].res;

    memset(out, 0, sizeof(*out));
    if (cur == NULL || PQntuples(cur) < 1) {
        out->result = ORDER_NOT_FOUND;
        return;
    }
    out->version = (int)db_value_ll(cur, 0, 0);
    text_copy(out->status, sizeof(out->status), db_value(cur, 0, 1));
    text_copy(out->by, sizeof(out->by), db_value(cur, 0, 2));
    text_copy(out->at, sizeof(out->at), db_value(cur, 0, 3));
    text_copy(out->number, sizeof(out->number), db_value(cur, 0, 4));
    if (st[0].res != NULL && PQntuples(st[0].res) == 1)
        out->result = ORDER_MOVED;
    else if (strcmp(db_value(cur, 0, 5), "t") != 0)
        out->result = ORDER_REFUSED;
    else
        out->result = ORDER_CONFLICT;
}

static const char sql_note[] =
    "INSERT INTO kontor.order_note (order_id, body) VALUES ($1::bigint, $2) RETURNING id";

struct db_stmt *order_note_stmt(struct order_note *q, long long id, const char *body)
{
    snprintf(q->id, sizeof(q->id), "%lld", id);
    text_copy(q->body, sizeof(q->body), body);
    q->params[0] = q->id;
    q->params[1] = q->body;
    q->st = (struct db_stmt)DB_STMT(sql_note, 2, q->params);
    return &q->st;
}

/* ---- pickups ------------------------------------------------------------------ */

#define PICKUP_TODAY "((now() AT TIME ZONE " ORDER_TZ ")::date::timestamp AT TIME ZONE " ORDER_TZ ")"
#define PICKUP_CLOCK(x)                                                                \
    "CASE WHEN (" x ") >= " PICKUP_TODAY " THEN to_char((" x ") AT TIME ZONE " ORDER_TZ ", 'HH24:MI') " \
    "ELSE to_char((" x ") AT TIME ZONE " ORDER_TZ ", 'DD.MM. HH24:MI') END"

static const char sql_pickup_queue[] =
    "SELECT so.number, c.name AS channel, "
    "coalesce(btrim(m.first_name || ' ' || m.last_name), '') AS customer, "
    "coalesce((SELECT sum(ol.qty) FROM kontor.order_line ol WHERE ol.order_id = so.id), 0) AS items, "
    "q.section, " PICKUP_CLOCK("q.since") " AS since, "
    "floor(extract(epoch FROM now() - q.since) / 86400)::int AS days, "
    "(q.section = 'ready' AND now() - q.since > make_interval(days => "
    "  coalesce(((SELECT kontor.setting_value('pickup_overdue_days')) #>> '{}')::int, 5))) AS overdue, "
    "so.id "
    "FROM kontor.sales_order so "
    "CROSS JOIN LATERAL (SELECT CASE WHEN so.status IN ('placed', 'paid', 'picking') THEN 'pick' "
    "                               WHEN so.status = 'ready_for_pickup' THEN 'ready' "
    "                               ELSE 'collected' END AS section, "
    "                          CASE WHEN so.status IN ('placed', 'paid', 'picking') THEN so.placed_at "
    "                               ELSE so.status_changed_at END AS since) q "
    "JOIN kontor.channel c ON c.id = so.channel_id "
    "LEFT JOIN kontor.customer_masked m ON m.id = so.customer_id "
    "WHERE so.fulfilment = 'click_collect' "
    "AND so.location_id = (SELECT id FROM kontor.location WHERE code = $1) "
    "AND (so.status IN ('placed', 'paid', 'picking', 'ready_for_pickup') "
    "     OR (so.status = 'collected' AND so.status_changed_at >= " PICKUP_TODAY ")) "
    "ORDER BY CASE q.section WHEN 'pick' THEN 0 WHEN 'ready' THEN 1 ELSE 2 END, q.since, so.id";

struct db_stmt *pickup_queue_stmt(struct pickup_queue *q, const char *location_code)
{
    text_copy(q->location, sizeof(q->location), location_code);
    q->params[0] = q->location;
    q->st = (struct db_stmt)DB_STMT(sql_pickup_queue, 1, q->params);
    return &q->st;
}

/* Exact number or pickup code first, then ready orders, other open ones,
 * the rest; newest first within each. */
/* A number or pickup code finds the order whatever its state; a name finds
 * only orders still waiting at this store (to pick or ready), so a common
 * surname costs the store's open pickups, not its whole history. */
static const char sql_pickup_find[] =
    "WITH loc AS (SELECT id FROM kontor.location WHERE code = $1), "
    "hit AS ("
    " SELECT so.id, true AS exact FROM kontor.sales_order so, loc "
    " WHERE so.fulfilment = 'click_collect' AND so.location_id = loc.id "
    "   AND (so.number = upper($2) OR so.number = 'K-' || $2 OR so.pickup_code = upper($2)) "
    " UNION ALL "
    " SELECT so.id, false FROM kontor.sales_order so JOIN loc ON so.location_id = loc.id "
    " JOIN kontor.customer_masked cm ON cm.id = so.customer_id "
    " WHERE so.fulfilment = 'click_collect' "
    "   AND so.status IN ('placed', 'paid', 'picking', 'ready_for_pickup') "
    "   AND length(kontor.search_norm($2)) >= 2 "
    "   AND cm.name_norm LIKE '%' || kontor.search_norm($2) || '%') "
    "SELECT so.number, coalesce(btrim(m.first_name || ' ' || m.last_name), '') AS customer, "
    "so.status, so.id "
    "FROM (SELECT id, bool_or(exact) AS exact FROM hit GROUP BY id) h "
    "JOIN kontor.sales_order so ON so.id = h.id "
    "LEFT JOIN kontor.customer_masked m ON m.id = so.customer_id "
    "ORDER BY h.exact DESC, "
    "CASE so.status WHEN 'ready_for_pickup' THEN 0 WHEN 'picking' THEN 1 WHEN 'paid' THEN 2 "
    "               WHEN 'placed' THEN 3 ELSE 4 END, so.placed_at DESC, so.id DESC "
    "LIMIT 20";

struct db_stmt *pickup_find_stmt(struct pickup_find *q, const char *location_code,
                                 const char *text)
{
    text_copy(q->location, sizeof(q->location), location_code);
    text_copy_trim(q->text, sizeof(q->text), text);
    q->params[0] = q->location;
    q->params[1] = q->text;
    q->st = (struct db_stmt)DB_STMT(sql_pickup_find, 2, q->params);
    return &q->st;
}

/* ---- preferences -------------------------------------------------------------- */

static const char sql_pref_get[] =
    "SELECT value FROM kontor.staff_preference "
    "WHERE staff_id = kontor.current_staff_id() AND key = $1";
static const char sql_pref_set[] =
    "INSERT INTO kontor.staff_preference (key, value) VALUES ($1, $2) "
    "ON CONFLICT (staff_id, key) DO UPDATE SET value = excluded.value, updated_at = now()";

struct db_stmt *staff_pref_get_stmt(struct staff_pref *q, const char *key)
{
    text_copy(q->key, sizeof(q->key), key);
    q->params[0] = q->key;
    q->st = (struct db_stmt)DB_STMT(sql_pref_get, 1, q->params);
    return &q->st;
}

struct db_stmt *staff_pref_set_stmt(struct staff_pref *q, const char *key, const char *value)
{
    text_copy(q->key, sizeof(q->key), key);
    text_copy(q->value, sizeof(q->value), value);
    q->params[0] = q->key;
    q->params[1] = q->value;
    q->st = (struct db_stmt)DB_STMT(sql_pref_set, 2, q->params);
    return &q->st;
}
