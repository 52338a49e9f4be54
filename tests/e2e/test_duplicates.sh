# Duplicate customers (scenario 2 of SCENARIOS.md): customer 2 is Jürgen
# Müller again, registered at the Hamburg till with a loyalty card.

duplicates_restart() {
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME" 2>/dev/null
    e2e_start "${2:-100}" "${3:-30}" || return 1
    e2e_sign_in "$1" demo
    e2e_wait "Waiting for you" || return 1
}

duplicates_open() {
    e2e_keys ':'; e2e_type "duplicates${1:+ $1}"; e2e_keys Enter
}

test_duplicates_scenario2_flag_compare_merge() {
    # Service finds the second record among Jürgen's suggestions and flags it.
    duplicates_restart service || return 1
    duplicates_open 1
    e2e_wait "#2 Juergen Mueller" || return 1
    e2e_wait "115  phone, name, address, birthdate" || return 1
    e2e_keys f
    e2e_wait "Why are they the same person?" || return 1
    e2e_type "same phone, loyalty card from Hamburg"; e2e_keys Enter
    e2e_wait "#1 and #2 flagged for a manager." || return 1
    # service does not merge
    e2e_keys Enter
    e2e_wait "#2 · merges into #1" || return 1
    e2e_keys m
    e2e_wait "Your role may not do that: a manager merges customers." || return 1
    [ "$(e2e_sql "select status || ' ' || s.username from kontor.customer_duplicate d
                  join kontor.staff s on s.id = d.flagged_by where customer_a = 1 and customer_b = 2")" = \
      "open service" ] || fail "flag not recorded"
    # Before: the store order is the second record's.
    duplicates_restart manager || return 1
    e2e_keys ':'; e2e_type "order K-100006"; e2e_keys Enter
    e2e_wait "Juergen Mueller · juergen.mueller@example.com" || return 1
    e2e_keys Escape
    # The manager's list: flagged pairs first, best first.
    duplicates_open
    e2e_wait "flag: phone, name, address, birthdate" || return 1
    e2e_screen | grep -F "#1 Jürgen Müller" | grep -qF "▶" || fail "the demo pair is not first"
    # Side by side: both records, what they share.
    e2e_keys Enter
    e2e_wait "Score 115 · phone, name, address, birthdate" || return 1
    e2e_wait 'FLAGGED by Ben Scholz' || return 1
    e2e_wait "Schwachhauser Heerstr. 41" || return 1
    e2e_wait "0421 / 123 45 67  =" || return 1
    e2e_wait "1 (last K-100006" || return 1
    # s swaps which one survives; swap back: Jürgen's web record survives.
    e2e_keys s
    e2e_wait "#2 · survives" || return 1
    e2e_keys s
    e2e_wait "#1 · survives" || return 1
    e2e_keys m
    e2e_wait "Merge #2 Juergen Mueller into #1 Jürgen Müller?" || return 1
    e2e_keys y
    e2e_wait "Merged #2 into #1: 1 order, 0 returns, 0 interactions, 1 consent, 3 identities moved." || return 1
    e2e_gone "#2 Juergen Mueller" || return 1
    # The store order now shows under Jürgen's record.
    e2e_keys ':'; e2e_type "order K-100006"; e2e_keys Enter
    e2e_wait "Jürgen Müller · juergen.mueller@example." || return 1
    e2e_keys Escape
    # Opening the merged record's number leads to the survivor.
    duplicates_open 2
    e2e_wait "#2 was merged into #1 Jürgen Müller on" || return 1
    e2e_wait "Duplicates · customer 1" || return 1
    [ "$(e2e_sql "select kontor.customer_survivor(2)")" = 1 ] || fail "customer_survivor(2)"
    row=$(e2e_sql "select merged_into || ' ' || (select count(*) from kontor.sales_order where customer_id = 2)
                   || ' ' || (select count(*) from kontor.customer_identity where customer_id = 2)
                   from kontor.customer where id = 2")
    [ "$row" = "1 0 0" ] || fail "loser: $row"
    row=$(e2e_sql "select d.status || ' ' || s.username from kontor.customer_duplicate d
                   join kontor.staff s on s.id = d.resolved_by where customer_a = 1 and customer_b = 2")
    [ "$row" = "merged manager" ] || fail "flag: $row"
    row=$(e2e_sql "select s.username || ' ' || (e.after ->> 'survivor') from kontor.audit_event e
                   join kontor.staff s on s.id = e.staff_id
                   where e.action = 'customer.merged' and e.entity_id = '2'")
    [ "$row" = "manager 1" ] || fail "audit: $row"
}

# A suggestion that is not a duplicate: dismissed with a reason, never
# suggested again.
test_duplicates_dismiss() {
    duplicates_restart manager || return 1
    duplicates_open
    e2e_wait "#217 Torsten Günther" || return 1
    e2e_keys G
    e2e_keys x
    e2e_wait "Why are they different people?" || return 1
    e2e_type "father and son, same name"; e2e_keys Enter
    e2e_wait "#217 and #405 are different people: not suggested again." || return 1
    e2e_gone "#217 Torsten Günther" || return 1
    [ "$(e2e_sql "select status || ' ' || note from kontor.customer_duplicate
                  where customer_a = 217 and customer_b = 405")" = "dismissed father and son, same name" ] ||
        fail "dismissal not recorded"
    # A service agent may look, not dismiss; a clerk is not offered the screen.
    duplicates_restart service || return 1
    duplicates_open
    e2e_wait "#1 Jürgen Müller" || return 1
    e2e_gone "#217 Torsten Günther" || return 1
    e2e_keys x
    e2e_wait "Your role may not do that" || return 1
    duplicates_restart clerk || return 1
    duplicates_open
    e2e_wait "Your role (clerk) may not open duplicates." || return 1
}

# At 80×24 the list and both records fit; a merged record cannot be
# merged again (a second console merging the same pair is told so).
test_duplicates_80x24_merged_meanwhile() {
    duplicates_restart manager 80 24 || return 1
    duplicates_open 2
    e2e_wait "#1 Jürgen Müller" || return 1
    e2e_wait "#2 Juergen Mueller" || return 1
    e2e_keys Enter
    e2e_wait "#2 · merges into #1" || return 1
    e2e_wait "card   4000 1111 2222" || return 1
    # another manager merges first, in a session of their own
    psql -X -q -tA -U kontor_login -d "$E2E_DB" >/dev/null <<'SQL' || fail "merge by another session"
\set ON_ERROR_STOP on
SELECT token FROM kontor.auth_finish('manager', true, 'e2e') \gset
BEGIN;
SET LOCAL ROLE kontor_manager;
SELECT kontor.session_begin(:'token');
SELECT kontor.customer_merge(2, 1, 'by the other console');
COMMIT;
SQL
    e2e_keys m
    e2e_wait "Merge #2 Juergen Mueller into #1" || return 1
    e2e_keys y
    e2e_wait "customer 2 was already merged into customer 1" || return 1
    [ "$(e2e_sql "select count(*) from kontor.audit_event where action = 'customer.merged'")" = 1 ] ||
        fail "merged twice"
}
