# Helpers for console tests (sourced by run.sh in each test's subshell).
# The console runs in a private tmux server; waits poll the screen with a
# deadline instead of sleeping.

e2e_begin() {
    E2E_NAME=$1
    E2E_DB="e2e_$1"
    psql -X -q -d postgres -c "create database $E2E_DB template kontor_tmpl" >/dev/null || return 1
    E2E_CFG="$E2E_OUT/$1.ini"
    printf '[console]\nthemes_dir = %s/themes\n' "$KONTOR_TOP" >"$E2E_CFG"
    return 0
}

e2e_end() {
    tmux -L "$E2E_TMUX" kill-session -t "$E2E_NAME" 2>/dev/null
    psql -X -q -d postgres -c "drop database if exists $E2E_DB with (force)" >/dev/null 2>&1
}

# e2e_start COLS ROWS [VAR=value...]: the console, signed out.
e2e_start() {
    cols=$1 rows=$2; shift 2
    tmux -L "$E2E_TMUX" new-session -d -s "$E2E_NAME" -x "$cols" -y "$rows" \
        "env TERM=${E2E_TERM:-xterm-256color} LANG=C.UTF-8 XDG_CONFIG_HOME=/nonexistent $* \
         PGHOST=$PGHOST PGPORT=$PGPORT PGDATABASE=$E2E_DB \
         $KONTOR_BIN --config $E2E_CFG; echo __EXIT=\$?; sleep 600"
    tmux -L "$E2E_TMUX" set-option -t "$E2E_NAME" remain-on-exit on >/dev/null
    e2e_wait "User name"
}

e2e_keys() { tmux -L "$E2E_TMUX" send-keys -t "$E2E_NAME" "$@"; }
e2e_type() { tmux -L "$E2E_TMUX" send-keys -t "$E2E_NAME" -l "$1"; }
e2e_screen() { tmux -L "$E2E_TMUX" capture-pane -p -t "$E2E_NAME"; }
e2e_resize() { tmux -L "$E2E_TMUX" resize-window -t "$E2E_NAME" -x "$1" -y "$2"; }
e2e_sql() { psql -X -q -tA -d "$E2E_DB" -c "$1"; }

# e2e_wait TEXT [SECONDS]: until the screen shows TEXT.
e2e_wait() {
    deadline=$(( $(date +%s) + ${2:-8} ))
    while [ "$(date +%s)" -le "$deadline" ]; do
        e2e_screen | grep -qF -- "$1" && return 0
        sleep 0.05
    done
    echo "timed out waiting for: $1"
    echo "---- screen ----"; e2e_screen; echo "----------------"
    return 1
}

# e2e_gone TEXT [SECONDS]: until the screen no longer shows TEXT.
e2e_gone() {
    deadline=$(( $(date +%s) + ${2:-8} ))
    while [ "$(date +%s)" -le "$deadline" ]; do
        e2e_screen | grep -qF -- "$1" || return 0
        sleep 0.05
    done
    echo "still on screen: $1"; e2e_screen
    return 1
}

e2e_sign_in() {
    e2e_type "$1"; e2e_keys Enter; e2e_type "$2"; e2e_keys Enter
}

fail() { echo "FAIL: $*"; echo "---- screen ----"; e2e_screen; return 1; }

# A web order for click & collect at Bremen, placed by the shop directly in
# the database (no console involved); prints its number.
e2e_shop_order() {
    e2e_sql "
        with o as (
            insert into kontor.sales_order (channel_id, location_id, customer_id, fulfilment, status,
                                            subtotal_cents, total_cents)
            select (select id from kontor.channel where code = 'web'),
                   (select id from kontor.location where code = 'HB-01'), 1, 'click_collect', 'paid',
                   1200, 1200
            returning id, number)
        insert into kontor.order_line (order_id, line_no, product_id, sku, name, qty, unit_price_cents)
        select o.id, 1, p.id, p.sku, p.name, 1, 1200 from o, kontor.product p where p.sku = 'SCK-0003'
        returning (select number from o)" | head -1
}

# The console's process id (the child of the pane's shell).
e2e_pid() {
    pane=$(tmux -L "$E2E_TMUX" list-panes -t "$E2E_NAME" -F '#{pane_pid}')
    pgrep -P "$pane" -f kontor | head -1
}
