# Reports from a read replica (issue 7): the manager's home figures come
# from the streaming replica that run.sh started, and from the primary, with
# a message, when the replica falls behind. The replica is shared: it is
# left running and replaying.

# replica_config MAX_LAG_MS: [database] reports to the replica.
replica_config() {
    printf '[database]\nreports = host=%s port=%s dbname=%s\nreports_max_lag_ms = %s\n' \
        "$KONTOR_TEST_REPLICA_HOST" "$KONTOR_TEST_REPLICA_PORT" "$E2E_DB" "$1" >>"$E2E_CFG"
}

# Orders today, all channels, as the home screen shows them.
home_orders() {
    e2e_screen | grep '^ All ' | awk '{print $2}' | tr -d ','
}

# Replay paused, an order placed in the web shop, the replica past the lag
# limit: r shows the primary's figures and says why.
replica_lag_check() {
    before=$1
    replica_pause || return 1
    e2e_sql "insert into kontor.sales_order
                 (channel_id, fulfilment, status, total_cents, subtotal_cents)
             select id, 'ship', 'paid', 12345, 12345 from kontor.channel
             where code = 'web'" >/dev/null
    replica_wait_received || return 1
    sleep 0.7
    e2e_keys r
    e2e_wait "Reports from the primary: the replica is" || return 1
    e2e_wait "from the primary: the replica is" || return 1
    [ "$(home_orders)" = $((before + 1)) ] ||
        fail "orders '$(home_orders)', expected $((before + 1))"
}

test_home_figures_from_the_replica() {
    [ -n "${KONTOR_TEST_REPLICA_HOST:-}" ] || { echo "skipped: no replica"; return 0; }
    replica_config 500
    replica_wait_caught_up || return 1 # the test's database is there
    e2e_start 100 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Today," || return 1
    # The replica may not have replayed the sign-in for the first load.
    replica_wait_caught_up || return 1
    e2e_keys r
    e2e_wait "from the replica" || return 1
    before=$(home_orders)
    [ -n "$before" ] || fail "no figures"
    replica_lag_check "$before"
    st=$?
    replica_resume && replica_wait_caught_up || return 1
    [ $st -eq 0 ] || return 1
    e2e_keys r
    e2e_wait "from the replica" || return 1
    [ "$(home_orders)" = $((before + 1)) ] || fail "the replica shows '$(home_orders)' orders"
}
