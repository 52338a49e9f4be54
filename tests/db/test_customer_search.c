/* Customer search against the real database (migration 0010), each search
 * as a signed-in staff member through the statement the console sends
 * (customer_search_stmt): a search-quality table of what staff hear —
 * misspellings, umlaut and accent variants, phone numbers in every format
 * and fragments, e-mails in other case, loyalty cards with spaces, order and
 * RMA numbers, ids — with the customer that must come first (or in the
 * first few); what a clerk gets is masked by the database; merged records
 * lead to their survivor, erased customers say so; the vocabulary of name
 * keys stays exact through inserts, renames, merges and erasure; and each
 * role's search runs on indexes (plans captured with auto_explain, with
 * sequential scans disabled: an operator that lost its index under a
 * policy would still show a Seq Scan). Demo data, scale "test": customer 1
 * is Jürgen Müller, 2 his duplicate record Juergen Mueller. */
#include "dbtest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/customer_search.h"
#include "kontor/xalloc.h"

/* Runs a search as the connection's role (a transaction opened by
 * dbtest_begin_as); returns the result (caller PQclear()s). */
static PGresult *search(PGconn *c, const char *text, int limit)
{
    struct customer_search q;
    struct db_stmt *st = customer_search_stmt(&q, text, limit);
    PGresult *r = PQexecParams(c, st->sql, st->nparams, NULL, st->params, NULL, NULL, 0);

    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        fprintf(stderr, "search \"%s\" failed: %s", text, PQresultErrorMessage(r));
        PQclear(r);
        fail();
    }
    return r;
}

/* The 1-based rank of customer id in r, or 0. */
static int rank_of(const PGresult *r, long long id)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (strtoll(PQgetvalue(r, i, CUSTOMER_SEARCH_ID), NULL, 10) == id)
            return i + 1;
    return 0;
}

static void dump(const char *text, const PGresult *r)
{
    fprintf(stderr, "  results for \"%s\":\n", text);
    for (int i = 0; i < PQntuples(r) && i < 8; i++)
        fprintf(stderr, "    %d. #%s %s (%s) %s %s score %s\n", i + 1,
                PQgetvalue(r, i, CUSTOMER_SEARCH_ID), PQgetvalue(r, i, CUSTOMER_SEARCH_NAME),
                PQgetvalue(r, i, CUSTOMER_SEARCH_CITY), PQgetvalue(r, i, CUSTOMER_SEARCH_MATCH),
                PQgetvalue(r, i, CUSTOMER_SEARCH_MATCHED), PQgetvalue(r, i, CUSTOMER_SEARCH_SCORE));
}

/* ---- the search-quality table ---------------------------------------------------- */

struct search_case {
    const char *text;  /* what staff type */
    long long id;      /* the customer that must be found */
    int within;        /* at this rank or better (1: first) */
    const char *match; /* the kind of match of that row, or NULL for any */
};

static const struct search_case quality_cases[] = {
    /* names as heard: umlauts written out, dropped, misspelt */
    { "Muller", 1, 1, "name exact" },
    { "Mueller", 1, 1, "name exact" },
    { "Müller", 1, 1, "name exact" },
    { "MÜLLER", 1, 1, "name exact" },
    { "Müler", 1, 1, "phonetic" },
    { "Muler", 1, 1, "phonetic" },
    { "Mülelr", 1, 1, "similar" },
    { "Jurgen Muller", 1, 1, "name exact" },
    { "Juergen Mueller", 1, 1, "name exact" },
    { "Jürgen Müller", 1, 1, "name exact" },
    { "jürgen müller", 1, 1, "name exact" },
    { "Müller, Jürgen", 1, 1, "name exact" },
    { "Jürgen Müler", 1, 1, "phonetic" },
    { "Jürgen Mülelr", 1, 1, "similar" },
    { "Jurgen Muller", 2, 2, "name exact" }, /* the duplicate record right after him */
    { "Jürgen Mü", 1, 1, "name begins" },   /* still typing */
    { "Jürgen Müller Bremen", 1, 1, "name exact" },
    { "Müller Bremen", 1, 1, "name exact" },
    { "Schroeder", 3, 1, "name exact" },
    { "Katharina Schroder", 3, 1, "name exact" },
    { "Katarina Schröder", 3, 1, NULL },
    { "Bjoern Schroeder", 7, 1, "name exact" },
    { "Björn Schröder", 7, 1, "name exact" },
    { "Zoe Hartmann", 4, 1, "name exact" },
    { "Zoë Hartman", 4, 1, "phonetic" },
    { "Helene Dubois", 10, 1, "name exact" },
    { "Hélène Dubois", 10, 1, "name exact" },
    { "Jose Garcia", 11, 1, "name exact" },
    { "Ayse Yilmaz", 17, 1, "name exact" },
    { "Greta Lueders", 14, 1, "name exact" },
    { "Greta Luders", 14, 1, "name exact" },
    { "Koehler", 9, 1, "name exact" },
    { "Sabine Köhler", 9, 1, "name exact" },
    { "Sabine Koler", 9, 1, NULL },
    { "Paul Neuman", 5, 1, "phonetic" },
    { "Malte Brinkman", 16, 1, "phonetic" },
    { "Lena Vogt", 6, 1, "name exact" },
    { "Lena Fogt", 6, 1, "phonetic" },
    { "Mia Schulte", 12, 1, "name exact" },
    { "Finn Peterson", 15, 1, NULL },
    /* phone numbers in any format (stored "+49 421 1234567") and fragments */
    { "+49 421 1234567", 1, 1, "phone" },
    { "+494211234567", 1, 1, "phone" },
    { "0421/1234567", 1, 1, "phone" },
    { "0421 123 45 67", 1, 1, "phone" },
    { "(0421) 1234567", 1, 1, "phone" },
    { "0049 421 1234567", 1, 1, "phone" },
    { "0049-421-123-4567", 1, 1, "phone" },
    { "1234567", 1, 1, "phone part" },
    { "123 4567", 1, 1, "phone part" },
    { "421 1234", 1, 1, "phone part" },
    { "0421 12345", 1, 1, "phone part" },
    { "+49 421 123", 1, 1, "phone part" },
    { "0421 5550109", 9, 1, "phone" },    /* stored "0421 5550109" */
    { "+49 421 5550109", 9, 1, "phone" },
    { "0170-5550101", 4, 1, "phone" },    /* stored "0170 5550101" */
    { "5550101", 4, 1, "phone part" },
    { "040 7654321", 3, 1, "phone" },
    /* e-mail in any case, whole or in part */
    { "JUERGEN.MUELLER@EXAMPLE.DE", 1, 1, "email" },
    { "Juergen.Mueller@Example.com", 2, 1, "email" },
    { "k.schroeder@", 3, 1, "email part" },
    { "zoe.hartmann", 4, 1, NULL }, /* her name, and her e-mail */
    { "hartmann@example", 4, 1, "email part" },
    /* loyalty cards with or without spaces */
    { "4000 1234 5678", 1, 1, "loyalty" },
    { "400012345678", 1, 1, "loyalty" },
    { "4000-1111-2222", 2, 1, "loyalty" },
    { "1111 2222", 2, 1, "loyalty part" },
    /* order numbers, with or without the K-, and accounts */
    { "K-100001", 1, 1, "number" },
    { "k100001", 1, 1, "number" },
    { "100001", 1, 1, "number" },
    { "jm1977", 1, 1, "account" },
    { "MP099999907", 7, 1, "account" },
    /* ids */
    { "#17", 17, 1, "id" },
    { "id:5", 5, 1, "id" },
};

static void test_search_quality(void **state)
{
    struct dbtest *t = *state;
    PGconn *c = dbtest_begin_as(t, "service", "service");
    int failures = 0;

    for (size_t i = 0; i < sizeof(quality_cases) / sizeof(quality_cases[0]); i++) {
        const struct search_case *k = &quality_cases[i];
        PGresult *r = search(c, k->text, 0);
        int rank = rank_of(r, k->id);
        const char *match = rank > 0 ? PQgetvalue(r, rank - 1, CUSTOMER_SEARCH_MATCH) : "";

        if (rank == 0 || rank > k->within || (k->match && strcmp(match, k->match) != 0)) {
            fprintf(stderr, "search \"%s\": customer %lld at rank %d (want <= %d), match \"%s\" "
                    "(want \"%s\")\n", k->text, k->id, rank, k->within, match,
                    k->match ? k->match : "any");
            dump(k->text, r);
            failures++;
        }
        PQclear(r);
    }
    assert_int_equal(failures, 0);
}

/* RMA codes lead to the customer of the returned order. */
static void test_search_rma(void **state)
{
    struct dbtest *t = *state;
    char *rma = dbtest_scalar(t->owner,
                              "SELECT r.rma FROM kontor.return_order r JOIN kontor.sales_order o "
                              "ON o.id = r.order_id WHERE o.customer_id = 1 ORDER BY r.id LIMIT 1",
                              0, NULL);
    PGconn *c = dbtest_begin_as(t, "service", "service");

    assert_non_null(rma);
    PGresult *r = search(c, rma, 0);
    assert_int_equal(rank_of(r, 1), 1);
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_MATCH), "number");
    PQclear(r);
    r = search(c, rma + 2, 0); /* without the "R-" */
    assert_int_equal(rank_of(r, 1), 1);
    PQclear(r);
    free(rma);
}

/* A common surname shared by hundreds: the exact full name still first,
 * the misspelt one too, and the list stays at its limit. */
static void test_search_common_surname(void **state)
{
    struct dbtest *t = *state;

    dbtest_ok(t->owner,
              "INSERT INTO kontor.customer (first_name, last_name, city) "
              "SELECT (ARRAY['Anna','Jan','Julia','Jens','Jürgen','Achim'])[1 + i % 6], "
              "       (ARRAY['Müller','Mueller','Möller','Miller'])[1 + i % 4], 'Hamburg' "
              "FROM generate_series(1, 800) AS i");
    PGconn *c = dbtest_begin_as(t, "service", "service");
    PGresult *r = search(c, "Jürgen Müller Bremen", 0);
    assert_int_equal(rank_of(r, 1), 1);
    assert_int_equal(rank_of(r, 2), 2);
    PQclear(r);
    r = search(c, "Muller", 0);
    assert_int_equal(PQntuples(r), CUSTOMER_SEARCH_LIMIT);
    assert_int_equal(rank_of(r, 1), 1); /* registration order among equals */
    for (int i = 0; i < PQntuples(r); i++)
        assert_string_equal(PQgetvalue(r, i, CUSTOMER_SEARCH_MATCH), "name exact");
    PQclear(r);
    r = search(c, "Jurgen Müler", 0);
    assert_int_equal(rank_of(r, 1), 1);
    PQclear(r);
    r = search(c, "Muller", CUSTOMER_SEARCH_MAX + 50);
    assert_int_equal(PQntuples(r), CUSTOMER_SEARCH_MAX);
    PQclear(r);
}

/* ---- what the database hands each role --------------------------------------------- */

/* Clerks: names and masked contact only; no search by e-mail or phone (a
 * clerk could otherwise probe who owns an address), a card only whole and
 * shown masked. */
static void test_clerk_gets_masked_contact(void **state)
{
    struct dbtest *t = *state;
    PGconn *c = dbtest_begin_as(t, "clerk", "clerk");
    PGresult *r = search(c, "Jurgen Muller", 0);

    assert_int_equal(rank_of(r, 1), 1);
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_CONTACT), "j***@example.de · ***567");
    for (int i = 0; i < PQntuples(r); i++) {
        const char *contact = PQgetvalue(r, i, CUSTOMER_SEARCH_CONTACT);
        const char *p[1] = { contact };
        assert_int_equal(dbtest_count(c, "SELECT ($1 ~ '^([^@ ]\\*\\*\\*@[^ ]+)?( · )?"
                                          "(\\*\\*\\*[0-9]{3})?$')::int", 1, p), 1);
        assert_null(strstr(contact, "mueller"));
    }
    PQclear(r);
    static const char *const refused[] = { "+49 421 1234567", "1234567", "0421/1234567",
                                           "juergen.mueller@example.de", "k.schroeder@",
                                           "1111 2222", "jm1977" };
    for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
        r = search(c, refused[i], 0);
        if (PQntuples(r) != 0)
            dump(refused[i], r);
        assert_int_equal(PQntuples(r), 0);
        PQclear(r);
    }
    r = search(c, "4000 1234 5678", 0);
    assert_int_equal(rank_of(r, 1), 1);
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_MATCHED), "**** 5678");
    PQclear(r);
    r = search(c, "K-100001", 0);
    assert_int_equal(rank_of(r, 1), 1);
    PQclear(r);
    /* and the tables behind it stay closed to them */
    dbtest_fails(c, "SELECT count(*) FROM kontor.customer_name_word", 0, NULL, "42501");
}

static void test_service_gets_full_contact(void **state)
{
    struct dbtest *t = *state;
    PGconn *c = dbtest_begin_as(t, "service", "service");
    PGresult *r = search(c, "Jurgen Muller", 0);

    assert_int_equal(rank_of(r, 1), 1);
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_CONTACT),
                        "juergen.mueller@example.de · +49 421 1234567");
    char *orders = dbtest_scalar(t->owner, "SELECT count(*) FROM kontor.sales_order "
                                           "WHERE customer_id = 1", 0, NULL);
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_ORDERS), orders);
    free(orders);
    PQclear(r);
}

/* Only the search itself is granted; its helpers and admins get nothing. */
static void test_grants(void **state)
{
    struct dbtest *t = *state;
    static const char *const internal[] = {
        "SELECT * FROM kontor._customer_name_probes('{muller}')",
        "SELECT kontor._customer_search_names('{muller}', 5, NULL, '{}')",
        "SELECT kontor._customer_survivor(1)",
        "SELECT kontor.customer_name_words_rebuild()",
        "SELECT count(*) FROM kontor.customer_name_word",
    };
    static const char *const roles[] = { "clerk", "service", "manager", "admin" };

    for (size_t r = 0; r < sizeof(roles) / sizeof(roles[0]); r++) {
        PGconn *c = dbtest_begin_as(t, roles[r], roles[r]);
        for (size_t i = 0; i < sizeof(internal) / sizeof(internal[0]); i++) {
            dbtest_ok(c, "SAVEPOINT s");
            dbtest_fails(c, internal[i], 0, NULL, "42501");
            dbtest_ok(c, "ROLLBACK TO SAVEPOINT s");
        }
        if (strcmp(roles[r], "admin") == 0)
            dbtest_fails(c, "SELECT * FROM kontor.customer_search('Muller', 5)", 0, NULL, "42501");
    }
}

/* Blank, silly and hostile texts: nothing, never everything, no error. */
static void test_odd_texts(void **state)
{
    struct dbtest *t = *state;
    PGconn *c = dbtest_begin_as(t, "service", "service");
    static const char *const nothing[] = { "", "   ", "%", "%%%", "___", "'", "\\", "--",
                                           "*", "?", "1", "@", ".", "a%b@c" };
    char *longtext = xcalloc(1, 4001);

    for (size_t i = 0; i < sizeof(nothing) / sizeof(nothing[0]); i++) {
        PGresult *r = search(c, nothing[i], 0);
        if (strcmp(nothing[i], "1") == 0) {
            assert_int_equal(rank_of(r, 1), 1); /* the customer id 1 alone */
            assert_int_equal(PQntuples(r), 1);
        } else {
            if (PQntuples(r) != 0)
                dump(nothing[i], r);
            assert_int_equal(PQntuples(r), 0);
        }
        PQclear(r);
    }
    memset(longtext, 'm', 4000);
    PQclear(search(c, longtext, 0));
    free(longtext);
    PQclear(search(c, "a b c d e f g h i j k", 0));
}

/* ---- merged and erased ------------------------------------------------------------------ */

static void commit_as(struct dbtest *t, const char *user, const char *sql)
{
    PGconn *c = dbtest_begin_as(t, user, user);

    dbtest_ok(c, sql);
    dbtest_ok(c, "COMMIT");
}

static void test_merged_shows_survivor(void **state)
{
    struct dbtest *t = *state;

    commit_as(t, "manager", "SELECT kontor.customer_merge(2, 1, 'the same person')");
    PGconn *c = dbtest_begin_as(t, "service", "service");
    static const char *const texts[] = { "Juergen Mueller", "Jurgen Muller", "4000 1111 2222",
                                         "juergen.mueller@example.com", "#2" };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        PGresult *r = search(c, texts[i], 0);
        if (rank_of(r, 1) != 1 || rank_of(r, 2) != 0)
            dump(texts[i], r);
        assert_int_equal(rank_of(r, 1), 1);
        assert_int_equal(rank_of(r, 2), 0);
        if (strcmp(texts[i], "#2") == 0)
            assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_MERGED_FROM), "2");
        PQclear(r);
    }
}

static void test_erased_says_erased(void **state)
{
    struct dbtest *t = *state;
    char *number = dbtest_scalar(t->owner, "SELECT number FROM kontor.sales_order "
                                           "WHERE customer_id = 13 ORDER BY id LIMIT 1", 0, NULL);

    assert_non_null(number);
    commit_as(t, "manager", "SELECT kontor.customer_erase(13, 'asked to be forgotten')");
    PGconn *c = dbtest_begin_as(t, "service", "service");
    PGresult *r = search(c, "Thomas Becker", 0);
    assert_int_equal(rank_of(r, 13), 0);
    PQclear(r);
    r = search(c, "erased", 0);
    assert_int_equal(rank_of(r, 13), 0);
    PQclear(r);
    r = search(c, number, 0);
    assert_int_equal(rank_of(r, 13), 1);
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_ERASED), "t");
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_NAME), "(erased customer)");
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_CONTACT), "");
    PQclear(r);
    free(number);
}

/* ---- the vocabulary of name keys -------------------------------------------------------- */

/* Keys the customers carry that the vocabulary lacks, and keys it holds
 * that nobody carries. */
static const char sql_vocab_diff[] =
    "WITH want AS (SELECT DISTINCT k.kind, k.key FROM kontor.customer c "
    "  CROSS JOIN LATERAL (VALUES ('l', kontor.name_key(c.last_name)), "
    "                             ('f', kontor.name_key(c.first_name))) AS k(kind, key) "
    "  WHERE c.erased_at IS NULL AND k.key <> '') "
    "SELECT (SELECT count(*) FROM (SELECT kind, key FROM want EXCEPT "
    "        SELECT kind, key FROM kontor.customer_name_word) a) "
    "     + (SELECT count(*) FROM (SELECT kind, key FROM kontor.customer_name_word "
    "        EXCEPT SELECT kind, key FROM want) b)";

/* Kept exact by the statement triggers, whoever writes: rows added in bulk
 * (also with triggers off, as the demo loader runs), by service, renamed,
 * merged, erased, deleted; a name nobody has any more is gone. */
static void test_vocabulary_exact(void **state)
{
    struct dbtest *t = *state;

    assert_int_equal(dbtest_count(t->owner, sql_vocab_diff, 0, NULL), 0);
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.customer_name_word "
                                            "WHERE kind = 'l' AND key = 'dubois'", 0, NULL), 1);
    commit_as(t, "service",
              "INSERT INTO kontor.customer (first_name, last_name, city) "
              "VALUES ('Ännchen', 'Müller-Lüdenscheidt', 'Bad Zwischenahn')");
    commit_as(t, "service", "UPDATE kontor.customer SET last_name = 'Gärtner' WHERE id = 5");
    commit_as(t, "service", "UPDATE kontor.customer SET city = 'Delmenhorst' WHERE id = 6");
    commit_as(t, "manager", "SELECT kontor.customer_merge(2, 1, 'the same person')");
    commit_as(t, "manager", "SELECT kontor.customer_erase(10, 'asked to be forgotten')");
    dbtest_ok(t->owner, "INSERT INTO kontor.customer (first_name, last_name) "
                        "SELECT 'Max', 'Mustermann' FROM generate_series(1, 50)");
    dbtest_ok(t->owner, "DELETE FROM kontor.customer WHERE id IN (SELECT id FROM kontor.customer "
                        "WHERE last_name = 'Mustermann' ORDER BY id LIMIT 20)");
    assert_int_equal(dbtest_count(t->owner, sql_vocab_diff, 0, NULL), 0);
    dbtest_ok(t->owner, "DELETE FROM kontor.customer WHERE last_name = 'Mustermann'");
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.customer_name_word "
                                            "WHERE key = 'mustermann'", 0, NULL), 0);
    /* the way the demo loader writes: triggers off for the session */
    dbtest_ok(t->owner, "BEGIN");
    dbtest_ok(t->owner, "SET LOCAL session_replication_role = replica");
    dbtest_ok(t->owner, "INSERT INTO kontor.customer (first_name, last_name, city) "
                        "VALUES ('Quirin', 'Oberhollenzer', 'Wilhelmshaven')");
    dbtest_ok(t->owner, "COMMIT");
    assert_int_equal(dbtest_count(t->owner, sql_vocab_diff, 0, NULL), 0);
    /* the erased customer's surname was the only one: gone */
    assert_int_equal(dbtest_count(t->owner, "SELECT count(*) FROM kontor.customer_name_word "
                                            "WHERE key IN ('dubois', 'helene')", 0, NULL), 0);
    PGconn *c = dbtest_begin_as(t, "service", "service");
    PGresult *r = search(c, "Annchen Muller Ludenscheidt", 0);
    assert_true(PQntuples(r) >= 1);
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_NAME), "Ännchen Müller-Lüdenscheidt");
    PQclear(r);
    r = search(c, "Paul Gaertner", 0);
    assert_int_equal(rank_of(r, 5), 1);
    PQclear(r);
    r = search(c, "Quirin Oberholenzer", 0); /* misspelt: through the vocabulary */
    assert_true(PQntuples(r) >= 1);
    assert_string_equal(PQgetvalue(r, 0, CUSTOMER_SEARCH_NAME), "Quirin Oberhollenzer");
    PQclear(r);
}

/* ---- the console's use of a result ------------------------------------------------------- */

static void test_direct_open(void **state)
{
    struct dbtest *t = *state;
    PGconn *c = dbtest_begin_as(t, "service", "service");
    static const struct {
        const char *text;
        long long id; /* 0: show the list */
    } cases[] = {
        { "040 7654321", 3 }, { "+49 40 7654321", 3 }, { "K-100001", 1 }, { "100001", 1 },
        { "+49 421 1234567", 0 }, /* both of Jürgen's records have it: the list */
        { "4000 1234 5678", 1 }, { "juergen.mueller@example.de", 1 }, { "#17", 17 },
        { "17", 17 }, { "jm1977", 1 }, { "Muller", 0 }, { "Jürgen Müller", 0 },
        { "1234567", 0 }, { "Zoe Hartmann", 0 },
    };

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        PGresult *r = search(c, cases[i].text, 0);
        int row = customer_search_direct(r);
        long long got = row >= 0 ? strtoll(PQgetvalue(r, row, CUSTOMER_SEARCH_ID), NULL, 10) : 0;
        if (got != cases[i].id) {
            fprintf(stderr, "direct open for \"%s\": %lld, want %lld\n", cases[i].text, got,
                    cases[i].id);
            dump(cases[i].text, r);
        }
        assert_true(got == cases[i].id);
        PQclear(r);
    }
    PGresult *r = search(c, "K-100001", 0);
    char buf[96];
    assert_string_equal(customer_search_match_text(r, 0, buf, sizeof(buf)), "order K-100001");
    PQclear(r);
    r = search(c, "Müler", 0);
    assert_string_equal(customer_search_match_text(r, 0, buf, sizeof(buf)), "sounds like");
    PQclear(r);
}

/* ---- indexes, as each role --------------------------------------------------------------- */

struct plans {
    char *text;
    size_t len;
};

static void collect_plan(void *arg, const PGresult *res)
{
    struct plans *p = arg;
    const char *msg = PQresultErrorMessage(res);
    size_t n = strlen(msg);

    p->text = xrealloc(p->text, p->len + n + 1);
    memcpy(p->text + p->len, msg, n + 1);
    p->len += n;
}

/* Every statement inside the search as plans (auto_explain with nested
 * statements, sent to the client); with sequential scans disabled, none
 * may remain on the customer tables. */
static void check_plans_as(struct dbtest *t, const char *role, const char *const *texts,
                           size_t n, const char *const *want)
{
    struct plans p = { 0 };
    PGconn *c = dbtest_begin_as(t, role, role);

    PQsetNoticeReceiver(c, collect_plan, &p);
    dbtest_ok(c, "SET LOCAL enable_seqscan = off");
    dbtest_ok(c, "SET LOCAL client_min_messages = log");
    for (size_t i = 0; i < n; i++)
        PQclear(search(c, texts[i], 0));
    dbtest_ok(c, "SET LOCAL client_min_messages = warning");
    assert_non_null(p.text);
    static const char *const tables[] = { "Seq Scan on customer ", "Seq Scan on customer_identity",
                                          "Seq Scan on customer_name_word",
                                          "Seq Scan on sales_order", "Seq Scan on return_order" };
    for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
        const char *at = strstr(p.text, tables[i]);
        if (at != NULL) {
            const char *from = at - p.text > 1500 ? at - 1500 : p.text;
            fprintf(stderr, "as %s: %s\n...%.2000s\n", role, tables[i], from);
        }
        assert_null(at);
    }
    if (getenv("KONTOR_TEST_PLANS") != NULL)
        fprintf(stderr, "---- plans as %s ----\n%s\n", role, p.text);
    for (size_t i = 0; want[i] != NULL; i++) {
        if (strstr(p.text, want[i]) == NULL)
            fprintf(stderr, "as %s: no \"%s\" in the plans\n", role, want[i]);
        assert_non_null(strstr(p.text, want[i]));
    }
    free(p.text);
}

static void test_indexes_as_each_role(void **state)
{
    struct dbtest *t = *state;
    char sql[512];

    /* sizes where a planner prefers an index to reading the table */
    dbtest_ok(t->owner,
              "WITH c AS (INSERT INTO kontor.customer (first_name, last_name, city) "
              "  SELECT (ARRAY['Anna','Jan','Julia','Jens','Paul','Achim'])[1 + i % 6], "
              "         (ARRAY['Meyer','Schulz','Becker','Wolf','Krause','Lange'])[1 + i % 6] "
              "         || CASE WHEN i % 3 = 0 THEN '' ELSE '-' || (ARRAY['Lüdecke','Brandt',"
              "            'Vogel','Hahn','Jäger','Roth','Frank','Berg'])[1 + i % 8] END, "
              "         (ARRAY['Kiel','Celle','Lübeck'])[1 + i % 3] "
              "  FROM generate_series(1, 30000) AS i RETURNING id) "
              "INSERT INTO kontor.customer_identity (customer_id, kind, value) "
              "SELECT id, 'phone', '+49 30 ' || (1000000 + id * 7) FROM c UNION ALL "
              "SELECT id, 'email', 'k' || id || '@example.org' FROM c");
    dbtest_ok(t->owner, "ANALYZE kontor.customer");
    dbtest_ok(t->owner, "ANALYZE kontor.customer_identity");
    dbtest_ok(t->owner, "ANALYZE kontor.customer_name_word");
    /* auto_explain in every new session of this test database */
    snprintf(sql, sizeof(sql),
             "ALTER DATABASE \"%s\" SET session_preload_libraries = 'auto_explain'", t->dbname);
    dbtest_ok(t->owner, sql);
    static const char *const settings[] = { "log_min_duration = 0", "log_nested_statements = on",
                                            "log_analyze = off" };
    for (size_t i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
        snprintf(sql, sizeof(sql), "ALTER DATABASE \"%s\" SET auto_explain.%s", t->dbname,
                 settings[i]);
        dbtest_ok(t->owner, sql);
    }
    static const char *const all[] = { "Muller", "Jürgen Müler", "Müller Bremen", "Mülelr",
                                       "K-100001", "4000 1234 5678", "+49 421 1234567",
                                       "1234567", "4000", "juergen.mueller@example.de",
                                       "k.schroeder@", "jm1977", "12345678" };
    static const char *const want_service[] = {
        "customer_last_key_idx", "customer_full_key_idx", "customer_identity_phone_trgm",
        "customer_identity_email_trgm", "customer_identity_loyalty_trgm",
        "customer_identity_norm_idx", "sales_order_number_key", "customer_name_word_trgm",
        "customer_city_key_idx", NULL
    };
    static const char *const want_clerk[] = { "customer_last_key_idx", "customer_full_key_idx",
                                              "customer_name_word_trgm", "customer_city_key_idx",
                                              NULL };
    const size_t n = sizeof(all) / sizeof(all[0]);

    check_plans_as(t, "service", all, n, want_service);
    check_plans_as(t, "manager", all, n, want_service);
    check_plans_as(t, "clerk", all, n, want_clerk);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        DBTEST(test_search_quality),
        DBTEST(test_search_rma),
        DBTEST(test_search_common_surname),
        DBTEST(test_clerk_gets_masked_contact),
        DBTEST(test_service_gets_full_contact),
        DBTEST(test_grants),
        DBTEST(test_odd_texts),
        DBTEST(test_merged_shows_survivor),
        DBTEST(test_erased_says_erased),
        DBTEST(test_vocabulary_exact),
        DBTEST(test_direct_open),
        DBTEST(test_indexes_as_each_role),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}
