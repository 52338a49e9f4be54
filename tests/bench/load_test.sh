#!/bin/sh
# make load-test: the load driver through PgBouncer, briefly, on the small
# demo data set of a throwaway cluster: 50 consoles for 5 seconds with a
# short think time over a pool of 5 server connections. Passes when the
# driver succeeds, every kind of action ran at least once and none failed,
# and the pooler carried it: its transactions counted, and never more
# server connections than the pool while the 50 consoles were connected.
# Usage: tests/bench/load_test.sh KONTOR_BIN LOAD_BIN
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testcluster.sh"
bin=$1 load=$2
consoles=50 seconds=5 pool=5 kinds=18
if ! pooler_bin >/dev/null; then
    echo "load-test: skipped: PgBouncer not installed"
    exit 0
fi
testcluster_start "$bin" || exit 1
testcluster_pooler "$pool" || exit 1
psql -X -q -d postgres -c "create database kontor_load template kontor_tmpl" >/dev/null || exit 1
out="$TEST_BASE/load"

fail() {
    echo "load-test: FAILED: $*" >&2
    cat "$out.txt" "$out.err" >&2
    exit 1
}

# One column of a pooler SHOW command, by its name, for one database.
pooler_column() {
    psql -X -q -A -F'|' -h 127.0.0.1 -p "$POOLER_PORT" -d pgbouncer -U "$(pg_runner)" -c "$1" |
        awk -F'|' -v col="$2" -v db=kontor_load '
            NR == 1 { for (i = 1; i <= NF; i++) if ($i == col) c = i; for (i = 1; i <= NF; i++) if ($i == "database") d = i; next }
            c && $d == db { print $c }'
}

"$load" --conninfo "host=127.0.0.1 port=$POOLER_PORT dbname=kontor_load sslmode=disable gssencmode=disable" \
    --consoles $consoles --duration $seconds --think-ms 50 --ramp-seconds 1 --pool-size $pool \
    --scale test --json "$out.jsonl" >"$out.txt" 2>"$out.err" &
pid=$!
# Watch the pooler while the consoles run: server and client connections.
max_servers=0 max_clients=0
while kill -0 $pid 2>/dev/null; do
    s=$(pooler_admin "SHOW SERVERS" | grep -c '|kontor_load|')
    c=$(pooler_admin "SHOW CLIENTS" | grep -c '|kontor_load|')
    [ "$s" -gt "$max_servers" ] && max_servers=$s
    [ "$c" -gt "$max_clients" ] && max_clients=$c
    sleep 0.2
done
wait $pid
rc=$?
[ $rc -eq 0 ] || fail "the driver exited with $rc"

json="$out.jsonl"
[ "$(grep -vc '"action":"all actions"' "$json")" -eq $kinds ] || fail "not $kinds kinds of action in $json"
idle=$(grep '"count":0,' "$json" | sed 's/.*"action":"\([^"]*\)".*/\1/')
[ -z "$idle" ] || fail "never ran: $idle"
grep -q '"errors":[1-9]' "$json" && fail "errors in $json"
actions=$(sed -n 's/.*"action":"all actions","count":\([0-9]*\),.*/\1/p' "$json")
xacts=$(pooler_column "SHOW STATS_TOTALS" xact_count)
if [ -z "$xacts" ] || [ "$xacts" -lt "$actions" ]; then
    fail "the pooler counted ${xacts:-no} transactions for $actions actions"
fi
[ "$max_clients" -ge $consoles ] || fail "at most $max_clients clients at the pooler, not $consoles"
if [ "$max_servers" -lt 1 ] || [ "$max_servers" -gt $pool ]; then
    fail "$max_servers server connections for a pool of $pool"
fi
cat "$out.txt"
echo "load-test: $consoles consoles, $actions actions over at most $max_servers of $pool server connections ($xacts transactions at the pooler): ok"
