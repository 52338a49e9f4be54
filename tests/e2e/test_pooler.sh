# The console through PgBouncer in transaction-pooling mode (tests/pooler.sh;
# run.sh starts one, KONTOR_TEST_POOLER_PORT): its transactions go through
# the pooler while live updates arrive over a direct listening connection
# ([database] listen), no session state passes from one console to the next
# over a shared server connection, Esc's cancel request reaches the query,
# and a restarted pooler is reconnected to. Without PgBouncer: skipped.

# True, with the message, when there is no PgBouncer to test through.
pooler_skip() {
    [ -n "${KONTOR_TEST_POOLER_PORT:-}" ] && return 1
    echo "skipped: PgBouncer not installed"
}

# pooler_config PORT: the console through the pooler on PORT, LISTEN direct.
pooler_config() {
    printf '[database]\nconninfo = host=127.0.0.1 port=%s dbname=%s\nlisten = host=%s port=%s dbname=%s\n' \
        "$1" "$E2E_DB" "$PGHOST" "$PGPORT" "$E2E_DB" >>"$E2E_CFG"
    chmod 600 "$E2E_CFG"
}

# pooler_show COMMAND COLUMN,...: the rows of the admin console's SHOW
# COMMAND for the test's database, the named columns joined by '|'.
pooler_show() {
    psql -X -q -A -P footer=off -h 127.0.0.1 -p "$POOLER_PORT" -d pgbouncer -U "$(pg_runner)" \
        -c "$1" | awk -F'|' -v cols="$2" -v db="$E2E_DB" '
        NR == 1 { n = split(cols, want, ","); for (i = 1; i <= NF; i++) at[$i] = i; next }
        $at["database"] == db {
            row = $at[want[1]]
            for (j = 2; j <= n; j++) row = row "|" $at[want[j]]
            print row
        }'
}

# pooler_psql PORT SQL: SQL as kontor_login through the pooler on PORT.
pooler_psql() {
    psql -X -q -tA "host=127.0.0.1 port=$1 dbname=$E2E_DB user=kontor_login" -c "$2"
}

# Transactions PgBouncer has carried for the test's database.
pooler_xacts() {
    n=$(pooler_show "SHOW STATS_TOTALS" xact_count)
    echo "${n:-0}"
}

# pooler_private DIR POOL_SIZE FUNCTION: runs FUNCTION with a PgBouncer of
# its own in POOLER_PORT (the suite's pooler is put back afterwards), and
# stops it whatever the outcome.
pooler_private() {
    main_port=$POOLER_PORT main_dir=$POOLER_DIR
    pooler_start "$TEST_BASE/$1" "$2" || return 1
    "$3"; st=$?
    pooler_stop
    POOLER_PORT=$main_port POOLER_DIR=$main_dir
    return $st
}

status_of() { e2e_sql "select status from kontor.sales_order where number = '$1'"; }

# Scenario 1 and 9 through the pooler: the clerk readies a pickup (a real
# write), and a web order appears in the queue without a key press.
test_pooler_clerk_works_pickups_through_pgbouncer() {
    pooler_skip && return 0
    pooler_config "$KONTOR_TEST_POOLER_PORT"
    before=$(pooler_xacts)
    e2e_start 100 30 || return 1
    e2e_sign_in clerk demo
    e2e_wait "Waiting for you" || return 1
    e2e_wait "● live" || return 1
    e2e_keys ':'; e2e_type pickups; e2e_keys Enter
    e2e_wait "Pickups · HB-01" || return 1
    e2e_wait "K-100001" || return 1
    e2e_type K-100001; e2e_keys Enter
    e2e_wait "Order K-100001" || return 1
    e2e_keys p
    e2e_wait "K-100001 is now picking." || return 1
    e2e_keys r
    e2e_wait "K-100001 is now ready for pickup." || return 1
    [ "$(status_of K-100001)" = ready_for_pickup ] || { fail "K-100001 is not ready"; return 1; }
    e2e_keys Escape
    e2e_wait "Pickups · HB-01" || return 1
    number=$(e2e_shop_order)
    [ -n "$number" ] || { fail "could not insert the shop's order"; return 1; }
    e2e_wait "$number" 10 || return 1

    # The console's transactions went through PgBouncer...
    after=$(pooler_xacts)
    [ "$after" -ge $((before + 6)) ] || { fail "PgBouncer carried $before -> $after transactions"; return 1; }
    pooler_show "SHOW CLIENTS" user,application_name | grep -qxF "kontor_login|kontor" ||
        { fail "the console is not a client of PgBouncer"; return 1; }
    servers=$(pooler_show "SHOW SERVERS" remote_pid)
    [ -n "$servers" ] || { fail "PgBouncer has no server connection to $E2E_DB"; return 1; }
    for pid in $servers; do
        [ "$(e2e_sql "select usename from pg_stat_activity where pid = $pid")" = kontor_login ] ||
            { fail "server connection $pid is not kontor_login's"; return 1; }
    done
    # ...and its LISTEN did not: the listening backend is none of the pooler's.
    listener=$(e2e_sql "select pid from pg_stat_activity where datname = current_database()
                        and query like 'LISTEN%' and usename = 'kontor_login'")
    [ "$(echo "$listener" | grep -c .)" = 1 ] || { fail "listening backends: '$listener'"; return 1; }
    echo "$servers" | grep -qx "$listener" && { fail "the LISTEN went through PgBouncer"; return 1; }
    return 0
}

# Without [database] listen the LISTEN would go through the pooler too: the
# console refuses it and works on without live updates.
test_pooler_listen_through_the_pooler_is_refused() {
    pooler_skip && return 0
    printf '[database]\nconninfo = host=127.0.0.1 port=%s dbname=%s\n' \
        "$KONTOR_TEST_POOLER_PORT" "$E2E_DB" >>"$E2E_CFG"
    chmod 600 "$E2E_CFG"
    e2e_start 160 30 || return 1
    e2e_sign_in clerk demo
    e2e_wait "Waiting for you" || return 1
    e2e_wait "● connected" || return 1
    e2e_wait "Live updates are off" || return 1
    e2e_screen | grep -q "● live" && { fail "live through the pooler"; return 1; }
    # Refused before it listened: nothing left on the pooler's server connection.
    [ "$(pooler_psql "$KONTOR_TEST_POOLER_PORT" "select count(*) from pg_listening_channels()")" = 0 ] ||
        { fail "a LISTEN was left on a server connection"; return 1; }
    e2e_keys ':'; e2e_type pickups; e2e_keys Enter
    e2e_wait "K-100001" || return 1
}

# Esc while a move waits for a row lock held elsewhere: the cancel request
# goes through PgBouncer to the server connection, nothing is saved, and the
# next move goes through.
test_pooler_esc_cancels_a_waiting_move() {
    pooler_skip && return 0
    pooler_config "$KONTOR_TEST_POOLER_PORT"
    e2e_start 100 30 || return 1
    e2e_sign_in clerk demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "order K-100001"; e2e_keys Enter
    e2e_wait "Nordhafen Runner" || return 1
    PGAPPNAME=e2e-locker psql -X -q -d "$E2E_DB" -c "begin;
        select 1 from kontor.sales_order where number = 'K-100001' for update;
        select pg_sleep(60)" >/dev/null 2>&1 &
    locker=$!
    pooler_cancel_steps; st=$?
    e2e_sql "select pg_terminate_backend(pid) from pg_stat_activity
             where application_name = 'e2e-locker'" >/dev/null
    wait "$locker"
    [ $st = 0 ] || return 1
    e2e_keys p
    e2e_wait "K-100001 is now picking." || return 1
    [ "$(status_of K-100001)" = picking ] || fail "K-100001 was not moved"
}

pooler_cancel_steps() {
    n=0
    until [ "$(e2e_sql "select count(*) from pg_stat_activity
                        where application_name = 'e2e-locker' and wait_event = 'PgSleep'")" = 1 ]; do
        n=$((n + 1))
        [ $n -lt 100 ] || { fail "the row lock was not taken"; return 1; }
        sleep 0.05
    done
    e2e_keys p
    e2e_wait "Esc cancels" || return 1
    e2e_keys Escape
    e2e_wait "Cancelled." || return 1
    e2e_gone "Esc cancels" || return 1
    [ "$(status_of K-100001)" = paid ] || { fail "the cancelled move was saved"; return 1; }
    e2e_screen | grep -q "Order K-100001" || { fail "Esc left the order"; return 1; }
}

# A clerk and a manager take turns over PgBouncer's one server connection:
# the manager's role and identity never reach the clerk's transactions.
test_pooler_one_server_connection_two_roles() {
    pooler_skip && return 0
    pooler_private pool1 1 pooler_two_roles_steps; st=$?
    tmux -L "$E2E_TMUX" kill-session -t "${E2E_NAME%_m}_m" 2>/dev/null
    E2E_NAME=${E2E_NAME%_m}
    return $st
}

clerk_console() { E2E_NAME=${E2E_NAME%_m}; }
manager_console() { E2E_NAME=${E2E_NAME%_m}_m; }

# pooler_pick NUMBER EXPECT: opens the order, asks to pick it, waits for EXPECT.
pooler_pick() {
    e2e_keys ':'; e2e_type "order $1"; e2e_keys Enter
    e2e_wait "Order $1" || return 1
    e2e_keys p
    e2e_wait "$2"
}

pooler_two_roles_steps() {
    pooler_config "$POOLER_PORT"
    # Two orders of other stores, out of reach of a Bremen clerk.
    other=$(e2e_sql "select number from kontor.sales_order o join kontor.location l on l.id = o.location_id
                     where l.code <> 'HB-01' and o.status = 'paid' order by o.number limit 2")
    mine=$(echo "$other" | sed -n 1p) theirs=$(echo "$other" | sed -n 2p)
    [ -n "$theirs" ] || { fail "no two paid orders at other stores"; return 1; }
    for role in clerk manager; do
        ${role}_console
        e2e_start 100 30 || return 1
        e2e_sign_in $role demo
        e2e_wait "Waiting for you" || return 1
    done

    pooler_pick "$mine" "$mine is now picking." || return 1
    clerk_console
    pooler_pick "$theirs" "$theirs is not at your location" || return 1
    manager_console
    e2e_keys ':'; e2e_type approvals; e2e_keys Enter
    e2e_wait "Approvals · " || return 1
    clerk_console
    e2e_keys ':'; e2e_type approvals; e2e_keys Enter
    e2e_wait "Your role (clerk) may not open approvals." || return 1
    pooler_pick K-100001 "K-100001 is now picking." || return 1
    manager_console
    pooler_pick "$theirs" "$theirs is now picking." || return 1
    clerk_console

    # Each change is the database's record of who made it.
    for o in "$mine:manager" "$theirs:manager" "K-100001:clerk"; do
        who=$(e2e_sql "select string_agg(s.username, ',') from kontor.order_event e
                       join kontor.sales_order so on so.id = e.order_id
                       join kontor.staff s on s.id = e.staff_id
                       where so.number = '${o%%:*}' and e.to_status = 'picking'")
        [ "$who" = "${o#*:}" ] || { fail "${o%%:*} picked by '$who'"; return 1; }
    done
    # One server connection carried both consoles, and carries nothing now.
    [ "$(pooler_show "SHOW CLIENTS" user | grep -c '^kontor_login$')" = 2 ] ||
        { fail "not two consoles on the pooler"; return 1; }
    [ "$(pooler_show "SHOW SERVERS" user | grep -c .)" = 1 ] ||
        { fail "not one server connection"; return 1; }
    left=$(pooler_psql "$POOLER_PORT" "select current_user, current_setting('role'),
        coalesce(current_setting('kontor.staff_id', true), ''), current_setting('statement_timeout')")
    [ "$left" = "kontor_login|none||0" ] || { fail "left on the server connection: $left"; return 1; }
}

# Scenario 8 with the pooler in between: PgBouncer restarts on its port; the
# console says it is reconnecting and carries on.
test_pooler_restart_reconnects() {
    pooler_skip && return 0
    pooler_private pool-restart 20 pooler_restart_steps
}

pooler_restart_steps() {
    pooler_config "$POOLER_PORT"
    e2e_start 100 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "orders web"; e2e_keys Enter
    e2e_wait "Number" || return 1
    pooler_stop
    e2e_keys G
    e2e_wait "reconnecting" 10 || return 1
    as_runner "$(pooler_bin)" -d -q "$POOLER_DIR/pgbouncer.ini" || { fail "PgBouncer did not restart"; return 1; }
    e2e_wait "Reconnected to the database." 20 || return 1
    e2e_wait "● live" || return 1
    e2e_keys g
    e2e_wait "Number" || return 1
    e2e_screen | grep -q "K-1" || { fail "no orders after reconnecting"; return 1; }
}
