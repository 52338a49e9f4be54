# Scenario 2 of SCENARIOS.md from the service desk: a caller gives a phone
# number in another format than stored, or a misspelt name; service sees one
# journey across channels and flags the second record for a manager (the
# merge itself: test_duplicates.sh).

test_scenario2_service_finds_the_caller_and_flags_the_duplicate() {
    e2e_start 100 30 || return 1
    e2e_sign_in service demo
    e2e_wait "Waiting for you" || return 1
    # stored as +49 421 1234567; the caller says "0421 123 4567"
    e2e_keys ':'; e2e_type "customer 0421 123 4567"; e2e_keys Enter
    e2e_wait "2 found" || return 1
    e2e_screen | grep -F "Jürgen Müller" | grep -qF "▶" || fail "Jürgen is not the first hit"
    # a misspelt name finds him too
    e2e_keys /; e2e_type "Jurgen Muler"; e2e_keys Enter
    e2e_wait '“Jurgen Muler”' || return 1
    e2e_wait ' found' || return 1
    e2e_screen | grep -F "Jürgen Müller" | grep -qF "▶" || fail "Jürgen is not the first hit"
    e2e_keys Enter
    e2e_wait "Customer 1 · Jürgen Müller" || return 1
    # one journey: newsletter click, web order, store purchase, return, consents
    e2e_wait "clicked · November Edit" || return 1
    e2e_wait "order K-100002" || return 1
    e2e_wait "order K-100003 · in store Bremen" || return 1
    e2e_wait "return R-4TQ8ZP" || return 1
    e2e_wait "newsletter ✓" || return 1
    # Enter on an entry opens its record
    e2e_keys G; e2e_keys k; e2e_keys k; e2e_keys k; e2e_keys k; e2e_keys k
    e2e_keys Enter
    e2e_wait "Return R-4TQ8ZP" || return 1
    e2e_keys Escape
    # the second record (loyalty card at the store) is flagged for a manager
    e2e_wait "Customer 1 · Jürgen Müller" || return 1
    e2e_keys d
    e2e_wait "#2 Juergen Mueller" || return 1
    e2e_keys f
    e2e_wait "Why are they the same person?" || return 1
    e2e_type "caller confirmed: same phone, card from the Hamburg till"; e2e_keys Enter
    e2e_wait "#1 and #2 flagged for a manager." || return 1
    [ "$(e2e_sql "select count(*) from kontor.customer_duplicate where status = 'open'
                  and least(customer_a, customer_b) = 1 and greatest(customer_a, customer_b) = 2")" = 1 ] ||
        fail "no open flag for the pair"
}
