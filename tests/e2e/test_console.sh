# The console framework, sign-in and home screen (issue: the console).

test_sign_in_each_role() {
    for role in admin manager service clerk; do
        e2e_start 100 30 || return 1
        e2e_sign_in "$role" demo
        e2e_wait "$role · $role" || return 1
        e2e_wait "Waiting for you" || return 1
        e2e_keys F10
        e2e_wait "__EXIT=0" || return 1
        tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME"
    done
}

test_wrong_password() {
    e2e_start 100 30 || return 1
    e2e_sign_in manager nope
    e2e_wait "Wrong user name or password." || return 1
    e2e_screen | grep -q nope && fail "the password was echoed"
    [ "$(e2e_sql "select failed_attempts from kontor.staff where username='manager'")" = 1 ] ||
        fail "failure not counted"
}

test_lockout_after_five() {
    e2e_start 100 30 || return 1
    e2e_type clerk; e2e_keys Enter
    for i in 1 2 3 4 5; do e2e_type "wrong$i"; e2e_keys Enter; done
    e2e_wait "locked after too many failed sign-ins" || return 1
    e2e_type demo; e2e_keys Enter
    e2e_wait "locked after too many failed sign-ins" || return 1
    e2e_screen | grep -q "Waiting for you" && fail "signed in while locked"
    return 0
}

test_home_figures_match_sql() {
    # An order placed now in the web channel, so today has figures.
    e2e_sql "insert into kontor.sales_order (channel_id, fulfilment, status, total_cents, subtotal_cents)
             select id, 'ship', 'paid', 12345, 12345 from kontor.channel where code = 'web'" >/dev/null
    e2e_start 100 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Today," || return 1
    tz="(select value #>> '{}' from kontor.setting where key='business_timezone' and scope='')"
    day="(now() at time zone $tz)::date"
    range="placed_at >= ($day)::timestamp at time zone $tz and placed_at < ($day + 1)::timestamp at time zone $tz"
    web=$(e2e_sql "select count(*) || ' ' || to_char(coalesce(sum(total_cents) filter (where status <> 'cancelled'), 0) / 100.0, 'FM999,999,990.00')
                   from kontor.sales_order o join kontor.channel c on c.id = o.channel_id
                   where c.code = 'web' and $range")
    all=$(e2e_sql "select count(*) || ' ' || to_char(coalesce(sum(total_cents) filter (where status <> 'cancelled'), 0) / 100.0, 'FM999,999,990.00')
                   from kontor.sales_order where $range")
    line=$(e2e_screen | grep '^ Web ' | awk '{print $2 " " $3}')
    [ "$line" = "$web" ] || fail "web row '$line', SQL says '$web'"
    line=$(e2e_screen | grep '^ All ' | awk '{print $2 " " $3}')
    [ "$line" = "$all" ] || fail "all row '$line', SQL says '$all'"
    # The text screenshot for README.md.
    mkdir -p "$KONTOR_TOP/build" && e2e_screen >"$KONTOR_TOP/build/home-screen.txt"
}

test_resize_to_80x24_and_back() {
    e2e_start 120 35 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_resize 80 24
    e2e_wait "Waiting for you" || return 1
    width=$(e2e_screen | awk '{ if (length($0) > m) m = length($0) } END { print m }')
    [ "$width" -le 80 ] || fail "a line is wider than 80 columns"
    e2e_resize 60 20
    e2e_wait "needs at least 80x24" || return 1
    e2e_resize 120 35
    e2e_wait "Waiting for you" || return 1
}

test_palette_and_help() {
    e2e_start 100 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys '?'
    e2e_wait ":home" || return 1
    e2e_wait "more below" || return 1
    e2e_keys PgDn
    e2e_wait "Show the keys of this screen" || return 1
    e2e_keys Escape
    e2e_gone "Show the keys of this screen" || return 1
    e2e_keys ':'
    e2e_type ho; e2e_keys Tab
    e2e_wait ":home " || return 1
    e2e_keys Enter
    e2e_type ':nosuchthing'; e2e_keys Enter
    e2e_wait "Unknown command ':nosuchthing'" || return 1
}

test_no_color_and_vt100() {
    E2E_TERM=vt100 e2e_start 80 24 NO_COLOR=1 || return 1
    e2e_sign_in service demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys '?'
    e2e_wait "Keys · ? or Esc closes" || return 1
    e2e_keys Escape
    e2e_gone "Keys · ? or Esc closes" || return 1
    e2e_keys ':'; e2e_type quit; e2e_keys Enter
    e2e_wait "__EXIT=0" || return 1
}

test_escape_sequences_in_data_are_harmless() {
    e2e_sql "update kontor.staff set display_name = E'Evil\\033]0;pwned\\007\\033[31mRed' where username = 'service'"
    e2e_start 100 30 || return 1
    e2e_sign_in service demo
    e2e_wait 'Evil^[]0;pwned^G^[[31mRed' || return 1
}

test_sighup_leaves_no_open_transaction() {
    e2e_start 100 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    pid=$(e2e_pid)
    [ -n "$pid" ] || fail "no console process"
    kill -HUP "$pid"
    e2e_wait "__EXIT=" || return 1
    n=$(e2e_sql "select count(*) from pg_stat_activity where datname = current_database()
                 and application_name = 'kontor' and state like 'idle in transaction%'")
    [ "$n" = 0 ] || fail "$n transactions left open"
    [ "$(e2e_sql "select count(*) from kontor.staff_session where ended_at is null")" = 0 ] ||
        fail "the session was not ended"
}

test_idle_lock_keeps_the_screen_stack() {
    printf '[console]\nthemes_dir = %s/themes\nidle_lock_minutes = 1\n' "$KONTOR_TOP" >"$E2E_CFG"
    e2e_start 100 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_wait "The console was locked" 75 || return 1
    e2e_type demo; e2e_keys Enter
    e2e_wait "Welcome back" || return 1
    e2e_wait "Waiting for you" || return 1
}

# Scenario 8: the database restarts; the console says so, reconnects and
# carries on.
test_database_restart_reconnects() {
    e2e_start 100 30 || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type "orders web"; e2e_keys Enter
    e2e_wait "Number" || return 1
    pg_stop "$TEST_BASE/data" || fail "could not stop the database"
    e2e_keys G
    e2e_wait "reconnecting" 10 || { pg_start "$TEST_BASE/data" "$TEST_BASE/server.log"; return 1; }
    pg_start "$TEST_BASE/data" "$TEST_BASE/server.log" || fail "could not start the database"
    e2e_wait "● live" 20 || return 1
    e2e_keys g
    e2e_wait "Number" || return 1
    e2e_screen | grep -q "K-1" || fail "no orders after reconnecting"
}

# Bad configuration at start: a clear message naming the culprit, exit 2,
# and the terminal never taken over.
test_bad_theme_and_config_refused_at_start() {
    out=$(PGDATABASE=$E2E_DB "$KONTOR_BIN" --config "$E2E_CFG" --theme nosuch </dev/null 2>&1)
    st=$?
    [ $st = 2 ] || fail "exit $st for an unknown theme"
    echo "$out" | grep -q "nosuch.ini: cannot open theme" || fail "message: $out"
    printf '[console]\nidle_lock_minutes = soon\n' >"$E2E_CFG"
    out=$(PGDATABASE=$E2E_DB "$KONTOR_BIN" --config "$E2E_CFG" </dev/null 2>&1)
    st=$?
    [ $st = 2 ] || fail "exit $st for a bad idle_lock_minutes"
    echo "$out" | grep -q "\[console\] idle_lock_minutes: expected a whole number" ||
        fail "message: $out"
}
