# Orders and click & collect (scenarios 1 and 9 of SCENARIOS.md).

test_scenario1_pickup_steps() {
    on_hand() {
        e2e_sql "select s.on_hand from kontor.stock s join kontor.product p on p.id = s.product_id
                 join kontor.location l on l.id = s.location_id
                 where p.sku = 'SNK-2041-42' and l.code = 'HB-01'"
    }
    before=$(on_hand)
    e2e_start 100 30 || return 1
    e2e_sign_in clerk demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type pickups; e2e_keys Enter
    e2e_wait "Pickups · HB-01" || return 1
    e2e_wait "To pick" || return 1
    e2e_wait "K-100001" || return 1
    # The clerk finds the app order by number and picks it.
    e2e_type K-100001; e2e_keys Enter
    e2e_wait "Order K-100001" || return 1
    e2e_wait "Nordhafen Runner" || return 1
    e2e_keys p
    e2e_wait "K-100001 is now picking." || return 1
    e2e_keys r
    e2e_wait "K-100001 is now ready for pickup." || return 1
    [ "$(e2e_sql "select count(*) from kontor.notification_outbox n join kontor.sales_order o
                  on o.id = n.order_id where o.number = 'K-100001'")" = 1 ] ||
        fail "not exactly one customer notification queued"
    # The customer shows the pickup code at the counter.
    e2e_keys Escape
    e2e_wait "Pickups · HB-01" || return 1
    e2e_type JM4242; e2e_keys Enter
    e2e_wait "Order K-100001" || return 1
    e2e_keys c
    e2e_wait "K-100001 is now collected." || return 1
    [ "$(e2e_sql "select status from kontor.sales_order where number = 'K-100001'")" = collected ] ||
        fail "the order is not collected"
    who=$(e2e_sql "select string_agg(s.username, ',' order by e.at) from kontor.order_event e
                   join kontor.sales_order o on o.id = e.order_id join kontor.staff s on s.id = e.staff_id
                   where o.number = 'K-100001'")
    [ "$who" = "clerk,clerk,clerk" ] || fail "history by '$who'"
    after=$(on_hand)
    [ "$after" -eq $((before - 1)) ] || fail "stock at Bremen $before -> $after"
}

test_scenario9_live_pickup_queue() {
    e2e_start 100 30 || return 1
    e2e_sign_in clerk demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type pickups; e2e_keys Enter
    e2e_wait "To pick" || return 1
    # A web order for click & collect at Bremen arrives from the shop.
    number=$(e2e_shop_order)
    [ -n "$number" ] || fail "could not insert the shop's order"
    e2e_wait "$number" 10 || return 1
}

test_order_filters_in_title() {
    e2e_start 120 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "orders app c&c"; e2e_keys Enter
    e2e_wait "Orders · App · C&C" || return 1
    e2e_wait "Number" || return 1
    others=$(e2e_screen | grep -E '^ ?.?K-1' | grep -vc ' App ')
    [ "$others" = 0 ] || fail "$others rows of another channel"
    e2e_keys x
    e2e_wait "Orders · all channels" || return 1
}

test_bulk_action_with_one_failing_order() {
    e2e_start 120 30 || return 1
    e2e_sign_in clerk demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "orders HB-01 c&c"; e2e_keys Enter
    e2e_wait "Number" || return 1
    # K-100001 is paid (may be picked); K-100012 is ready for pickup (may not).
    e2e_keys /; e2e_type K-100001; e2e_keys Enter
    e2e_wait "K-100001" || return 1
    e2e_keys Space
    e2e_keys / C-u; e2e_type K-100012; e2e_keys Enter
    e2e_wait "K-100012" || return 1
    e2e_keys Space
    e2e_keys P
    e2e_wait "Move 2 marked orders to picking?" || return 1
    e2e_keys y
    e2e_wait "1 of 2 orders moved to picking." || return 1
    e2e_wait "K-100012" || return 1
    [ "$(e2e_sql "select status from kontor.sales_order where number = 'K-100001'")" = picking ] ||
        fail "K-100001 was not moved"
    [ "$(e2e_sql "select status from kontor.sales_order where number = 'K-100012'")" = ready_for_pickup ] ||
        fail "K-100012 was moved"
}

test_concurrent_edit_is_not_overwritten() {
    e2e_start 100 30 || return 1
    e2e_sign_in service demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "order K-100019"; e2e_keys Enter
    e2e_wait "Order K-100019" || return 1
    # Meanwhile it moves on elsewhere, without a notification reaching this
    # screen (kontor.bulk suppresses it), so the screen still shows the old version.
    e2e_sql "set local kontor.bulk = 'on';
             update kontor.sales_order set status = 'shipped' where number = 'K-100019'" >/dev/null
    e2e_keys x
    e2e_wait "Why?" || return 1
    e2e_type "customer asked"; e2e_keys Enter
    e2e_wait "Changed meanwhile" || return 1
    e2e_wait "shipped" || return 1
    [ "$(e2e_sql "select status from kontor.sales_order where number = 'K-100019'")" = shipped ] ||
        fail "the other change was overwritten"
}

test_service_cannot_mark_orders_picked() {
    e2e_start 100 30 || return 1
    e2e_sign_in service demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "order K-100001"; e2e_keys Enter
    e2e_wait "Nordhafen Runner" || return 1
    e2e_screen | grep -q "p start picking" && fail "picking is offered to service"
    e2e_keys p
    e2e_wait "Your role may not do that." || return 1
    [ "$(e2e_sql "select status from kontor.sales_order where number = 'K-100001'")" = paid ] ||
        fail "the order moved"
}

test_order_filter_form() {
    e2e_start 120 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type orders; e2e_keys Enter
    e2e_wait "Number" || return 1
    e2e_keys x
    e2e_wait "Orders · all channels" || return 1
    e2e_keys f
    e2e_wait "Filters — F2 applies" || return 1
    e2e_keys Right Tab Right F2
    e2e_wait "Orders · Web · open" || return 1
    # the title changes with the filter, the rows when the new page arrives
    deadline=$(( $(date +%s) + 8 ))
    while others=$(e2e_screen | grep -E '^ ?.?K-1' | grep -vc ' Web '); [ "$others" != 0 ]; do
        [ "$(date +%s)" -le "$deadline" ] || break
        sleep 0.1
    done
    [ "$others" = 0 ] || fail "$others rows of another channel"
}

test_order_filter_remembered_per_staff_member() {
    e2e_start 120 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "orders app c&c"; e2e_keys Enter
    e2e_wait "Orders · App · C&C" || return 1
    e2e_keys Escape
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type orders; e2e_keys Enter
    e2e_wait "Orders · App · C&C" || return 1
    e2e_keys F10; e2e_wait "__EXIT=0" || return 1
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME"
    # Another member of staff starts with their own filters.
    e2e_start 120 30 || return 1
    e2e_sign_in service demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type orders; e2e_keys Enter
    e2e_wait "Orders · all channels" || return 1
}
