# Returns (scenario 1's return steps and scenario 3 of SCENARIOS.md).

# K-100001 (app, click & collect at Bremen) handed over, as in scenario 1.
returns_collect_k100001() {
    for st in picking ready_for_pickup collected; do
        e2e_sql "update kontor.sales_order set status = '$st' where number = 'K-100001'" >/dev/null
    done
}

returns_restart() {
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME" 2>/dev/null
    e2e_start 100 30 || return 1
    e2e_sign_in "$1" demo
    e2e_wait "Waiting for you" || return 1
}

returns_on_hand() {
    e2e_sql "select s.on_hand from kontor.stock s join kontor.product p on p.id = s.product_id
             join kontor.location l on l.id = s.location_id
             where p.sku = 'SNK-2041-42' and l.code = 'HB-01'"
}

test_scenario1_return_at_the_bremen_counter() {
    returns_collect_k100001
    before=$(returns_on_hand)
    returns_restart clerk || return 1
    # One pair does not fit: the clerk starts a return on the app order.
    e2e_keys ':'; e2e_type "order K-100001"; e2e_keys Enter
    e2e_wait "Nordhafen Runner" || return 1
    e2e_keys r
    e2e_wait "1 Lines" || return 1
    e2e_wait "Store · Bremen HB-01 (your location)" || return 1
    e2e_keys Space
    e2e_wait "qty 1/1" || return 1
    e2e_keys F2
    e2e_wait "authorised. Give the customer the code." || return 1
    rma=$(e2e_sql "select rma from kontor.return_order r join kontor.sales_order o on o.id = r.order_id
                   where o.number = 'K-100001'")
    echo "$rma" | grep -qE '^R-[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{6}$' || fail "RMA code '$rma'"
    e2e_wait "Return $rma" || return 1
    e2e_wait "bought via App" || return 1
    # The goods are on the counter: received, inspected as resellable.
    e2e_keys v
    e2e_wait "$rma is now received." || return 1
    e2e_keys i
    e2e_wait "r resellable" || return 1
    e2e_type r; e2e_keys Enter
    e2e_wait "$rma is now inspected" || return 1
    after=$(returns_on_hand)
    [ "$after" -eq $((before + 1)) ] || fail "stock at Bremen $before -> $after"
    # A clerk does not refund.
    e2e_keys f
    e2e_wait "Refunds are done by customer service" || return 1
    # Customer service refunds it to the original payment, once.
    returns_restart service || return 1
    e2e_keys ':'; e2e_type "return $rma"; e2e_keys Enter
    e2e_wait "Return $rma · inspected" || return 1
    e2e_keys f
    e2e_wait "refund to the original payment 89.95" || return 1
    e2e_keys y
    e2e_wait "$rma: refunded 89.95" || return 1
    e2e_keys f
    e2e_wait "Not possible while $rma is refunded" || return 1
    row=$(e2e_sql "select count(*) || ' ' || sum(f.amount_cents) || ' ' || min(f.method)
                   from kontor.refund f join kontor.return_order r on r.id = f.return_id where r.rma = '$rma'")
    [ "$row" = "1 8995 card" ] || fail "refunds: $row"
    # Bookkeeping: bought in the app, returned in the Bremen store.
    row=$(e2e_sql "select oc.code || ' ' || rc.code || ' ' || l.code from kontor.return_order r
                   join kontor.channel oc on oc.id = r.order_channel_id
                   join kontor.channel rc on rc.id = r.channel_id
                   join kontor.location l on l.id = r.location_id where r.rma = '$rma'")
    [ "$row" = "app store HB-01" ] || fail "channels: $row"
    who=$(e2e_sql "select string_agg(s.username, ',' order by e.id) from kontor.return_event e
                   join kontor.return_order r on r.id = e.return_id join kontor.staff s on s.id = e.staff_id
                   where r.rma = '$rma'")
    [ "$who" = "clerk,clerk,clerk,clerk,service" ] || fail "history by '$who'"
}

test_scenario3_large_refund_needs_a_manager() {
    returns_restart service || return 1
    e2e_keys ':'; e2e_type "return R-7K2Q9M"; e2e_keys Enter
    e2e_wait "Return R-7K2Q9M · inspected" || return 1
    # Over the 200.00 limit: Kontor does not refund, it asks for approval.
    e2e_keys f
    e2e_wait "is over your limit of 200.00" || return 1
    e2e_type "coat, seam torn"; e2e_keys Enter
    e2e_wait "a manager's approval was requested" || return 1
    [ "$(e2e_sql "select count(*) from kontor.refund f join kontor.return_order r on r.id = f.return_id
                  where r.rma = 'R-7K2Q9M'")" = 0 ] || fail "refunded without approval"
    e2e_keys f
    e2e_wait "waits for a manager's approval" || return 1
    # The manager approves in the approval queue; the refund runs once.
    returns_restart manager || return 1
    e2e_keys ':'; e2e_type approvals; e2e_keys Enter
    e2e_wait "R-7K2Q9M" || return 1
    e2e_wait '"coat, seam' || return 1
    # oldest request first: the one just asked for is the last row
    e2e_keys G
    e2e_keys a
    e2e_wait "Enter confirm" || return 1
    e2e_type "goods as new, long-standing customer"; e2e_keys Enter
    e2e_wait "R-7K2Q9M approved" || return 1
    # Pressing the key again never refunds twice.
    e2e_keys ':'; e2e_type "return R-7K2Q9M"; e2e_keys Enter
    e2e_wait "Return R-7K2Q9M · refunded" || return 1
    e2e_keys f
    e2e_wait "Not possible while R-7K2Q9M is refunded" || return 1
    row=$(e2e_sql "select count(*) || ' ' || sum(f.amount_cents) || ' ' || string_agg(s.username, ',')
                   from kontor.refund f join kontor.return_order r on r.id = f.return_id
                   join kontor.staff s on s.id = f.created_by where r.rma = 'R-7K2Q9M'")
    [ "$row" = "1 34900 manager" ] || fail "refunds: $row"
    [ "$(e2e_sql "select approval_decision || ' ' || approval_reason from kontor.return_order
                  where rma = 'R-7K2Q9M'")" = "approved goods as new, long-standing customer" ] ||
        fail "approval not recorded"
}

test_outside_window_only_a_manager_overrides() {
    returns_restart service || return 1
    e2e_keys ':'; e2e_type "return R-2M8WQX"; e2e_keys Enter
    e2e_wait "Return R-2M8WQX · requested" || return 1
    e2e_wait "OUTSIDE the window" || return 1
    e2e_keys a
    e2e_wait "needs a manager's approval first" || return 1
    e2e_keys y
    e2e_wait "Your role may not do that." || return 1
    returns_restart manager || return 1
    e2e_keys ':'; e2e_type "return R-2M8WQX"; e2e_keys Enter
    e2e_wait "WAITING" || return 1
    e2e_keys y
    e2e_wait "Enter confirm" || return 1
    e2e_type "receipt was a gift receipt"; e2e_keys Enter
    e2e_wait "R-2M8WQX approved: now authorised" || return 1
    [ "$(e2e_sql "select status from kontor.return_order where rma = 'R-2M8WQX'")" = authorised ] ||
        fail "not authorised"
}

test_a_line_is_never_returned_twice() {
    returns_collect_k100001
    returns_restart clerk || return 1
    e2e_keys ':'; e2e_type "return new K-100001"; e2e_keys Enter
    e2e_wait "1 Lines" || return 1
    e2e_keys Space; e2e_keys F2
    e2e_wait "authorised. Give the customer the code." || return 1
    e2e_keys Escape
    e2e_keys ':'; e2e_type "return new K-100001"; e2e_keys Enter
    e2e_wait "qty 0/0" || return 1
    e2e_keys Space
    e2e_wait "Nothing of this line is left to return." || return 1
    e2e_keys F2
    e2e_wait "Choose at least one line" || return 1
    # The database refuses it too, whatever the screen offered.
    [ "$(e2e_sql "select count(*) from kontor.return_order r join kontor.sales_order o on o.id = r.order_id
                  where o.number = 'K-100001'")" = 1 ] || fail "a second return was started"
}

# Two lines, one parcel with only the shoes: a question per line, one after
# the other (a wrong answer asks again), then inspection of what came.
test_partial_receipt_asks_per_line() {
    returns_collect_k100001
    before=$(returns_on_hand)
    returns_restart clerk || return 1
    e2e_keys ':'; e2e_type "return new K-100001"; e2e_keys Enter
    e2e_wait "1 Lines" || return 1
    e2e_keys Space; e2e_keys Down; e2e_keys Space
    e2e_wait "[x] SCK-0003" || return 1
    e2e_keys F2
    e2e_wait "authorised. Give the customer the code." || return 1
    e2e_keys V
    e2e_wait "How many came back?" || return 1
    e2e_type "two"; e2e_keys Enter
    e2e_wait "is not a quantity" || return 1
    e2e_wait "How many came back?" || return 1
    e2e_type 1; e2e_keys Enter
    e2e_wait "SCK-0003" || return 1
    e2e_type 0; e2e_keys Enter
    e2e_wait "is now received." || return 1
    got=$(e2e_sql "select string_agg(ol.sku || '=' || rl.qty_received, ',' order by ol.line_no)
                   from kontor.return_line rl join kontor.order_line ol on ol.id = rl.order_line_id
                   join kontor.sales_order o on o.id = ol.order_id where o.number = 'K-100001'")
    [ "$got" = "SNK-2041-42=1,SCK-0003=0" ] || fail "received $got"
    e2e_keys i
    e2e_wait "r resellable" || return 1
    e2e_type d; e2e_keys Enter
    e2e_wait "is now inspected" || return 1
    [ "$(returns_on_hand)" -eq "$before" ] || fail "damaged goods went back into stock"
    # the socks never came: they can be returned later
    [ "$(e2e_sql "select qty_returned from kontor.order_line_status ol join kontor.sales_order o
                  on o.id = ol.order_id where o.number = 'K-100001' and ol.sku = 'SCK-0003'")" = 0 ] ||
        fail "the socks still count as returned"
}

# Text from the database (a note a shop integration wrote) never reaches the
# terminal raw: escape sequences show as ^[.
test_returns_hostile_note_is_shown_harmlessly() {
    e2e_sql "update kontor.return_order set approval_note = E'boots\\033[2J\\033]0;pwned\\007 sole'
             where rma = 'R-9HX3TD'" >/dev/null
    returns_restart manager || return 1
    e2e_keys ':'; e2e_type approvals; e2e_keys Enter
    e2e_wait 'boots^[[2J' || return 1
    e2e_keys ':'; e2e_type "return R-9HX3TD"; e2e_keys Enter
    e2e_wait "Return R-9HX3TD · inspected" || return 1
    e2e_wait 'boots^[[2J^[]0;pwned^G sole' || return 1
}
