/* Returns without a database: RMA codes (form, alphabet, spread), reading
 * typed codes, the queue's filter words, the newline-separated line lists
 * of the step statements (a control character cannot add a line), and the
 * UTF-8-safe copy they rely on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "kontor/returns.h"
#include "kontor/text.h"

static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

static void test_rma_new_form_and_spread(void **state)
{
    char seen[2000][9];
    int counts[256] = { 0 };

    (void)state;
    assert_true(sodium_init() >= 0);
    for (int i = 0; i < 2000; i++) {
        return_rma_new(seen[i], sizeof(seen[i]));
        assert_int_equal(strlen(seen[i]), 8);
        assert_memory_equal(seen[i], "R-", 2);
        for (int k = 2; k < 8; k++) {
            assert_non_null(strchr(alphabet, seen[i][k]));
            counts[(unsigned char)seen[i][k]]++;
        }
        for (int j = 0; j < i; j++)
            assert_string_not_equal(seen[i], seen[j]);
    }
    /* 12,000 characters over 31 symbols: each appears, none dominates */
    for (const char *a = alphabet; *a; a++) {
        assert_true(counts[(unsigned char)*a] > 200);
        assert_true(counts[(unsigned char)*a] < 600);
    }
    char small[4] = "xyz";
    return_rma_new(small, sizeof(small));
    assert_string_equal(small, "");
}

static void test_rma_parse(void **state)
{
    char out[16];

    (void)state;
    assert_true(return_rma_parse("R-7K2Q9M", out, sizeof(out)));
    assert_string_equal(out, "R-7K2Q9M");
    assert_true(return_rma_parse("  r-7k2q9m ", out, sizeof(out)));
    assert_string_equal(out, "R-7K2Q9M");
    assert_true(return_rma_parse("7k2q9m", out, sizeof(out)));
    assert_string_equal(out, "R-7K2Q9M");
    assert_false(return_rma_parse("R-7K2Q9", out, sizeof(out)));    /* too short */
    assert_false(return_rma_parse("R-7K2Q9MM", out, sizeof(out)));  /* too long */
    assert_false(return_rma_parse("R-7K2Q0M", out, sizeof(out)));   /* 0 is not in the alphabet */
    assert_false(return_rma_parse("R-IK2Q9M", out, sizeof(out)));   /* nor I */
    assert_false(return_rma_parse("R-7K2Q9M x", out, sizeof(out)));
    assert_false(return_rma_parse("", out, sizeof(out)));
    assert_false(return_rma_parse("R-7K2Q9M", out, 8));              /* no room */
}

static void test_filter_words(void **state)
{
    struct return_filter f;
    char *err = NULL;
    char buf[128];

    (void)state;
    assert_true(return_filter_parse(&f, "", &err));
    assert_string_equal(f.status, "open");
    assert_string_equal(f.location, "");
    assert_true(return_filter_parse(&f, "received hb-01", &err));
    assert_string_equal(f.status, "received");
    assert_string_equal(f.location, "HB-01");
    return_filter_describe(&f, buf, sizeof(buf));
    assert_non_null(strstr(buf, "HB-01"));
    assert_true(return_filter_parse(&f, "all", &err));
    assert_string_equal(f.status, "");
    assert_true(return_filter_parse(&f, "Approvals", &err));
    assert_string_equal(f.status, "approval");
    assert_false(return_filter_parse(&f, "received nonsense", &err));
    assert_non_null(err);
    assert_non_null(strstr(err, "nonsense"));
    free(err);
}

/* A reason or SKU with a newline or other control character cannot split
 * into a second line of the list the database reads. */
static void test_line_lists_cannot_be_smuggled(void **state)
{
    static struct return_start q;
    static struct return_new in;

    (void)state;
    memset(&in, 0, sizeof(in));
    strcpy(in.order, "K-100001");
    in.nlines = 2;
    in.lines[0].line_id = 11;
    in.lines[0].qty = 1;
    strcpy(in.lines[0].reason, "too small\n12");
    in.lines[1].line_id = 12;
    in.lines[1].qty = 2;
    strcpy(in.lines[1].reason, "other");
    strcpy(in.lines[1].exchange_sku, "SNK\t-43");
    return_start_stmt(&q, &in);
    assert_string_equal(q.ids, "11\n12");
    assert_string_equal(q.qtys, "1\n2");
    assert_string_equal(q.reasons, "too small\nother");
    assert_string_equal(q.skus, "\nSNK");
    assert_int_equal(q.st.nparams, 11);
}

static void test_text_copy_cuts_at_characters(void **state)
{
    char buf[6];

    (void)state;
    text_copy(buf, sizeof(buf), "Müller");   /* M ü(2) l l = 5 bytes fit */
    assert_string_equal(buf, "Müll");
    text_copy(buf, 3, "Mü");                 /* "M" + half of ü: cut before it */
    assert_string_equal(buf, "M");
    text_copy(buf, sizeof(buf), NULL);
    assert_string_equal(buf, "");
    text_copy_trim(buf, sizeof(buf), " \t K-1 \r\n");
    assert_string_equal(buf, "K-1");
    text_copy_trim(buf, sizeof(buf), "   ");
    assert_string_equal(buf, "");
    text_copy_trim(buf, 3, "  Mü ");        /* trimmed first, then cut at a character */
    assert_string_equal(buf, "M");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rma_new_form_and_spread),
        cmocka_unit_test(test_rma_parse),
        cmocka_unit_test(test_filter_words),
        cmocka_unit_test(test_line_lists_cannot_be_smuggled),
        cmocka_unit_test(test_text_copy_cuts_at_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
