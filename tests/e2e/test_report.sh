# The manager's morning (scenario 6 of SCENARIOS.md): the daily channel
# report for yesterday beside the same weekday a week before, with its bar
# chart, at 80x24; a drill into a channel and back; the day moved with [
# and ]; the CSV export (owner-only file, never overwritten unasked); a
# clerk refused; the layout when the terminal is too small; bars in ASCII
# on a vt100 without colour.

# SQL for the business day N days before today, and its time range.
report_tz="(select value #>> '{}' from kontor.setting where key = 'business_timezone' and scope = '')"
report_day() { echo "((now() at time zone $report_tz)::date - $1)"; }
report_range() {
    echo "placed_at >= $(report_day "$1")::timestamp at time zone $report_tz
          and placed_at < ($(report_day "$1") + 1)::timestamp at time zone $report_tz"
}

# A web order placed yesterday at noon, business time, so the day has figures.
report_order_yesterday() {
    e2e_sql "insert into kontor.sales_order (channel_id, fulfilment, status, total_cents,
                                             subtotal_cents, placed_at)
             select id, 'ship', 'paid', 12345, 12345,
                    ($(report_day 1) + time '12:00')::timestamp at time zone $report_tz
             from kontor.channel where code = 'web'" >/dev/null
}

report_open() {          # report_open COLS ROWS [VAR=value...]
    cols=$1 rows=$2; shift 2
    e2e_start "$cols" "$rows" "$@" || return 1
    e2e_sign_in manager demo
    e2e_wait "Waiting for you" || return 1
    e2e_keys ':'; e2e_type report; e2e_keys Enter
    e2e_wait "Revenue €" || return 1
}

test_report_scenario6_managers_morning() {
    report_order_yesterday
    mkdir -p "$E2E_OUT/home"
    report_open 80 24 HOME="$E2E_OUT/home" || return 1
    day=$(e2e_sql "select to_char($(report_day 1), 'Dy DD Mon YYYY')")
    before=$(e2e_sql "select to_char($(report_day 8), 'Dy DD Mon YYYY')")
    e2e_wait "$day · Δ and -7d: $before" || return 1
    e2e_wait "Report · $(echo "$day" | cut -c1-10)" || return 1
    # The table: orders and revenue of yesterday, as SQL counts them.
    web=$(e2e_sql "select count(*) || ' ' || to_char(coalesce(sum(total_cents) filter
                       (where status <> 'cancelled'), 0) / 100.0, 'FM999,999,990.00')
                   from kontor.sales_order o join kontor.channel c on c.id = o.channel_id
                   where c.code = 'web' and $(report_range 1)")
    line=$(e2e_screen | grep -E '^(▶| )Web ' | head -1 | awk '{print $2 " " $3}')
    [ "$line" = "$web" ] || { fail "web row '$line', SQL says '$web'"; return 1; }
    all=$(e2e_sql "select count(*) || ' ' || to_char(coalesce(sum(total_cents) filter
                       (where status <> 'cancelled'), 0) / 100.0, 'FM999,999,990.00')
                   from kontor.sales_order where $(report_range 1)")
    line=$(e2e_screen | grep '^ All ' | awk '{print $2 " " $3}')
    [ "$line" = "$all" ] || { fail "all row '$line', SQL says '$all'"; return 1; }
    # The chart: the week before's revenue of the web, in whole euros.
    wb=$(e2e_sql "select to_char(round(coalesce(sum(total_cents) filter
                      (where status <> 'cancelled'), 0) / 100.0), 'FM999,999,990')
                  from kontor.sales_order o join kontor.channel c on c.id = o.channel_id
                  where c.code = 'web' and $(report_range 8)")
    line=$(e2e_screen | grep '^ Web ' | tail -1 | awk '{print $NF}')
    [ "$line" = "$wb" ] ||
        { fail "web bar of the week before '$line', SQL says '$wb'"; return 1; }
    e2e_screen | grep -q '█' || { fail "no bars"; return 1; }
    # Every column of the sketch fits 80 columns; the chart's last channel too.
    e2e_screen | grep -q 'Orders    Revenue €       Δ    Avg € Returns   Rate    C&C   New' ||
        { fail "the columns do not fit"; return 1; }
    e2e_screen | grep -q '^ Print  ' || { fail "the chart is cut"; return 1; }

    # Drill into the web channel, then back.
    e2e_keys Enter
    e2e_wait "Report · Web" || return 1
    e2e_wait "Web · $day" || return 1
    e2e_wait " Hour " || return 1
    e2e_wait " Location " || return 1
    e2e_wait "12:00" || return 1
    e2e_keys Escape
    e2e_wait "Revenue €    $day" || return 1
    e2e_gone " Hour " || return 1

    # Export: the default name in the home directory, readable by the owner only.
    e2e_keys x
    e2e_wait "Export as CSV" || return 1
    e2e_keys y
    e2e_wait "Report written to ~/kontor-report-" || return 1
    iso=$(e2e_sql "select $(report_day 1)::text")
    f="$E2E_OUT/home/kontor-report-$iso.csv"
    [ -f "$f" ] || { fail "no $f"; return 1; }
    [ "$(stat -c %a "$f")" = 600 ] || { fail "$f has mode $(stat -c %a "$f")"; return 1; }
    head -1 "$f" | grep -q '^day,compare_day,channel,name,orders,orders_week_before,' ||
        { fail "no CSV header: $(head -1 "$f")"; return 1; }
    grep -q "^$iso,.*,web,Web,$(echo "$web" | cut -d' ' -f1)," "$f" ||
        { fail "no web line in $f"; return 1; }
    # Every line ends in CR LF, the last one too (no bare LF added).
    [ "$(tr -d '\n' <"$f" | tr -cd '\r' | wc -c)" = "$(wc -l <"$f")" ] &&
        [ "$(tail -c 2 "$f" | od -An -c | tr -d ' ')" = '\r\n' ] ||
        { fail "line ends in $f: $(tail -c 4 "$f" | od -An -c)"; return 1; }
    # Again: the file exists, nothing is overwritten unless confirmed.
    echo keep >"$f"
    e2e_keys x; e2e_wait "Export as CSV" || return 1
    e2e_keys y; e2e_wait "Replace the file?" || return 1
    e2e_keys n; e2e_wait "Nothing was exported." || return 1
    [ "$(cat "$f")" = keep ] || { fail "overwritten without asking"; return 1; }
    # Another name, typed; a symbolic link is never followed.
    ln -s "$E2E_OUT/elsewhere.csv" "$E2E_OUT/link.csv"
    e2e_keys x; e2e_wait "Export as CSV" || return 1
    e2e_keys n; e2e_wait "File name" || return 1
    e2e_type "$E2E_OUT/link.csv"; e2e_keys Enter
    e2e_wait "Replace the file?" || return 1
    e2e_keys y; e2e_wait "Not exported: " || return 1
    [ ! -e "$E2E_OUT/elsewhere.csv" ] || { fail "wrote through a symbolic link"; return 1; }

    # [ and ] move the day; d asks for one.
    prev=$(e2e_sql "select to_char($(report_day 2), 'Dy DD Mon YYYY')")
    e2e_keys '['
    e2e_wait "$prev · Δ and -7d:" || return 1
    e2e_keys ']'; e2e_keys ']'
    today=$(e2e_sql "select to_char($(report_day 0), 'Dy DD Mon YYYY')")
    e2e_wait "$today · Δ and -7d:" || return 1
    e2e_keys d; e2e_wait "Go to a day" || return 1
    e2e_type "10.03.2020"; e2e_keys Enter
    e2e_wait "Tue 10 Mar 2020 · Δ and -7d: Tue 03 Mar 2020" || return 1
    e2e_keys d; e2e_wait "Go to a day" || return 1
    e2e_type "2020-02-30"; e2e_keys Enter
    e2e_wait "2020-02-30 is not a day of the calendar" || return 1
}

test_report_opens_on_a_given_day_and_channel_all() {
    report_open 120 30 || return 1
    e2e_keys ':'; e2e_type "report 2020-03-10"; e2e_keys Enter
    e2e_wait "Tue 10 Mar 2020 · Δ and -7d: Tue 03 Mar 2020" || return 1
    # the week before's columns on a wider terminal
    e2e_screen | grep -q 'Orders     -7d    Revenue €          -7d' ||
        { fail "no -7d columns"; return 1; }
    e2e_keys G; e2e_keys Enter
    e2e_wait "Report · All" || return 1
    e2e_wait "No orders and no returns on either day." || return 1
    e2e_keys ':'; e2e_type "report someday"; e2e_keys Enter
    e2e_wait "'someday' is not a day" || return 1
}

test_report_refused_to_a_clerk() {
    e2e_start 80 24 && e2e_sign_in clerk demo && e2e_wait "Waiting for you" || return 1
    for cmd in report "report 2020-03-10"; do
        e2e_keys ':'; e2e_type "$cmd"; e2e_keys Enter
        e2e_wait "Your role (clerk) may not open report." || return 1
        ! e2e_screen | grep -q "Δ and -7d" || { fail "a clerk sees the report"; return 1; }
    done
}

test_report_too_small_and_back() {
    report_open 80 24 || return 1
    e2e_resize 70 20
    e2e_wait "Kontor needs at least 80x24" || return 1
    e2e_resize 80 24
    e2e_wait "Revenue €" || return 1
    e2e_wait " All " || return 1
}

test_report_bars_in_ascii_on_vt100() {
    report_order_yesterday
    E2E_TERM=vt100 report_open 80 24 NO_COLOR=1 || return 1
    e2e_wait "#####" || return 1
    ! e2e_screen | grep -q '█' || { fail "block characters on a vt100"; return 1; }
    e2e_keys ':'; e2e_type quit; e2e_keys Enter
    e2e_wait "__EXIT=0" || return 1
}
