# The returns queue and the manager's approvals (:returns, :approvals).

OPEN_STATUSES="('requested', 'authorised', 'received', 'inspected')"
# pending ALIAS: the condition of the approvals queue for the rows of ALIAS.
pending() {
    echo "$1.needs_approval and $1.approval_decision is null
          and $1.status not in ('rejected', 'cancelled', 'closed')"
}

# 1234567 -> 1,234,567, as the title shows a count.
grouped() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

# The screen without its title and status lines: the list only.
list_lines() { e2e_screen | sed '1d;$d'; }

# rma_selected RMA: until the selected row (▶) is the one of RMA.
rma_selected() {
    deadline=$(( $(date +%s) + 8 ))
    while [ "$(date +%s)" -le "$deadline" ]; do
        list_lines | grep -F "▶" | grep -qF -- "$1" && return 0
        sleep 0.05
    done
    fail "$1 is not selected"
}

# approvals_select RMA: moves the selection to RMA (the list is ordered by
# the time approval was asked for, then id).
approvals_select() {
    pos=$(e2e_sql "select count(*) from kontor.return_order r, kontor.return_order t
                   where t.rma = '$1' and $(pending r)
                     and (r.approval_requested_at, r.id) < (t.approval_requested_at, t.id)")
    e2e_keys g
    i=0
    while [ "$i" -lt "$pos" ]; do e2e_keys Down; i=$((i + 1)); done
    rma_selected "$1"
}

test_returns_queue_title_filter_and_open() {
    # R-7K2Q9M has waited five days since inspection: overdue (after 2 days).
    e2e_sql "update kontor.return_order set status_changed_at = now() - interval '5 days'
             where rma = 'R-7K2Q9M'" >/dev/null
    open_n=$(e2e_sql "select count(*) from kontor.return_order where status in $OPEN_STATUSES")
    e2e_start 120 30 || return 1
    e2e_sign_in service demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type returns; e2e_keys Enter
    e2e_wait "Returns · open · oldest first · $(grouped "$open_n")" || return 1
    e2e_wait "Value €" || return 1
    # A word the filter does not know changes nothing.
    e2e_keys /
    e2e_wait "Filter returns" || return 1
    e2e_type bogus; e2e_keys Enter
    e2e_wait '"bogus" is not a return status or location' || return 1
    e2e_screen | head -1 | grep -qF "Returns · open · oldest first" || { fail "the filter changed"; return 1; }
    # Inspected at the warehouse.
    n=$(e2e_sql "select count(*) from kontor.return_order r join kontor.location l on l.id = r.location_id
                 where r.status = 'inspected' and l.code = 'WH-01'")
    e2e_keys f
    e2e_wait "Filter returns" || return 1
    e2e_type "inspected wh-01"; e2e_keys Enter
    e2e_wait "Returns · inspected, awaiting refund · WH-01 · oldest first · $(grouped "$n")" || return 1
    e2e_wait "R-7K2Q9M" || return 1
    other=$(list_lines | grep -E 'R-[0-9A-Z]{6}' | grep -vc ' inspected ')
    [ "$other" = 0 ] || { fail "$other rows that are not inspected"; return 1; }
    list_lines | grep -F "R-7K2Q9M" | grep -qF OVERDUE || { fail "R-7K2Q9M is not marked OVERDUE"; return 1; }
    # The oldest comes first, and Enter opens it.
    first=$(e2e_sql "select r.rma from kontor.return_order r join kontor.location l on l.id = r.location_id
                     where r.status = 'inspected' and l.code = 'WH-01'
                     order by r.status_changed_at, r.id limit 1")
    rma_selected "$first" || return 1
    e2e_keys Enter
    e2e_wait "Return $first" || return 1
    e2e_keys Escape
    e2e_wait "Returns · inspected, awaiting refund · WH-01" || return 1
}

test_returns_links_of_the_home_screen() {
    e2e_start 120 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    for link in "received:received" "inspected:inspected, awaiting refund" "requested:requested" \
                "approval:waiting for approval"; do
        e2e_keys ':'; e2e_type "returns ${link%%:*}"; e2e_keys Enter
        e2e_wait "Returns · ${link#*:} · oldest first · " || return 1
        e2e_keys Escape
        e2e_wait "Waiting for you" || return 1
    done
}

test_returns_clerk_sees_own_store() {
    rma=$(e2e_sql "select rma from kontor.return_order where id = 6")
    n=$(e2e_sql "select count(*) from kontor.return_order r join kontor.location l on l.id = r.location_id
                 where r.status = 'received' and l.code = 'HB-01'")
    e2e_start 100 30 || return 1
    e2e_sign_in clerk demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "returns received"; e2e_keys Enter
    e2e_wait "Returns · received · HB-01 · oldest first · $(grouped "$n")" || return 1
    e2e_wait "$rma" || return 1
    # Another store when it is named.
    e2e_keys /
    e2e_wait "Filter returns" || return 1
    e2e_type "all HH-01"; e2e_keys Enter
    e2e_wait "Returns · all · HH-01 · oldest first" || return 1
    e2e_wait "R-4TQ8ZP" || return 1
    # Approvals are for managers.
    e2e_keys ':'; e2e_type approvals; e2e_keys Enter
    e2e_wait "may not open approvals" || return 1
}

test_returns_queue_is_live() {
    e2e_start 120 30 || return 1
    e2e_sign_in service demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "returns inspected WH-01"; e2e_keys Enter
    e2e_wait "R-7K2Q9M" || return 1
    list_lines | grep -F "R-7K2Q9M" | grep -qF waiting && { fail "R-7K2Q9M waits already"; return 1; }
    # Service asks for approval elsewhere: the row shows it without a key.
    e2e_sql "update kontor.return_order set needs_approval = true, approval_note = 'over limit'
             where rma = 'R-7K2Q9M'" >/dev/null
    deadline=$(( $(date +%s) + 8 ))
    until list_lines | grep -F "R-7K2Q9M" | grep -qF waiting; do
        [ "$(date +%s)" -le "$deadline" ] || { fail "the queue did not update"; return 1; }
        sleep 0.05
    done
}

test_approvals_approve_reject_and_already_decided() {
    waiting=$(e2e_sql "select count(*) from kontor.return_order r where $(pending r)")
    value=$(e2e_sql "select to_char(kontor.return_value(id) / 100.0, 'FM999,990.00')
                     from kontor.return_order where rma = 'R-9HX3TD'")
    e2e_start 120 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type approvals; e2e_keys Enter
    e2e_wait "Approvals · $waiting waiting" || return 1
    e2e_wait "a approve" || return 1
    list_lines | grep -F "R-2M8WQX" | grep -qF "outside window" || { fail "R-2M8WQX: no reason shown"; return 1; }
    # Approving an inspected return pays it out.
    approvals_select R-9HX3TD || return 1
    e2e_keys a
    e2e_wait "Approve R-9HX3TD" || return 1
    e2e_type "sole defect, goodwill"; e2e_keys Enter
    e2e_wait "R-9HX3TD approved: refunded $value €" || return 1
    e2e_wait "Approvals · $((waiting - 1)) waiting" || return 1
    list_lines | grep -qF R-9HX3TD && { fail "R-9HX3TD is still listed"; return 1; }
    [ "$(e2e_sql "select status from kontor.return_order where rma = 'R-9HX3TD'")" = refunded ] ||
        { fail "R-9HX3TD was not refunded"; return 1; }
    # Rejecting: Esc first leaves it alone.
    approvals_select R-2M8WQX || return 1
    e2e_keys x
    e2e_wait "Reject R-2M8WQX" || return 1
    e2e_keys Escape
    e2e_gone "Reject R-2M8WQX" || return 1
    e2e_keys x
    e2e_wait "Reject R-2M8WQX" || return 1
    e2e_type "receipt too late"; e2e_keys Enter
    e2e_wait "R-2M8WQX rejected." || return 1
    [ "$(e2e_sql "select approval_decision from kontor.return_order where rma = 'R-2M8WQX'")" = rejected ] ||
        { fail "R-2M8WQX was not rejected"; return 1; }
    # A request arrives live; another manager decides it while the reason
    # is being typed here: nothing happens twice.
    e2e_sql "update kontor.return_order set needs_approval = true, approval_note = 'coat, seam torn'
             where rma = 'R-7K2Q9M'" >/dev/null
    e2e_wait "R-7K2Q9M" || return 1
    approvals_select R-7K2Q9M || return 1
    e2e_keys a
    e2e_wait "Approve R-7K2Q9M" || return 1
    e2e_sql "update kontor.return_order set approval_decision = 'rejected', approved_at = now(),
             approval_reason = 'decided by phone' where rma = 'R-7K2Q9M'" >/dev/null
    e2e_type "looks fine"; e2e_keys Enter
    e2e_wait "R-7K2Q9M: already decided" || return 1
    [ "$(e2e_sql "select count(*) from kontor.refund f join kontor.return_order r on r.id = f.return_id
                  where r.rma = 'R-7K2Q9M'")" = 0 ] || { fail "R-7K2Q9M was paid out"; return 1; }
    [ "$(e2e_sql "select approval_decision from kontor.return_order where rma = 'R-7K2Q9M'")" = rejected ] ||
        fail "the other manager's decision was overwritten"
}

test_approvals_empty_and_narrow() {
    e2e_sql "update kontor.return_order set approval_decision = 'rejected', approved_at = now(),
             approval_reason = 'cleared for the test' where $(pending return_order)" >/dev/null
    e2e_start 80 24 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type approvals; e2e_keys Enter
    e2e_wait "Approvals · 0 waiting" || return 1
    e2e_wait "Nothing waits for your approval." || return 1
    e2e_keys a Enter
    sleep 0.3
    e2e_screen | grep -qF "Approve R-" && { fail "a prompt for nothing"; return 1; }
    e2e_keys Escape
    e2e_wait "Waiting for you" || return 1
}
