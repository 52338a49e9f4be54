#!/bin/sh
# End-to-end console tests: the real binary in tmux against a throwaway
# cluster. Each tests/e2e/test_*.sh defines functions test_*; each runs in
# its own subshell with its own database copy. Usage: run.sh KONTOR_BIN
# (E2E_ONLY=PATTERN runs only the tests whose names match, e.g. '*return*').
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testcluster.sh"
testcluster_start "$1" || exit 1
# PgBouncer for test_pooler.sh (KONTOR_TEST_POOLER_PORT; empty: skipped).
testcluster_pooler || exit 1
# A streaming replica for test_replica.sh (KONTOR_TEST_REPLICA_HOST, _PORT).
testcluster_replica || exit 1
export E2E_TMUX="kontor-e2e-$$" E2E_OUT="$TEST_BASE/e2e"
mkdir -p "$E2E_OUT"
# A session that lives for the whole run, so the private tmux server never
# exits between tests.
tmux -L "$E2E_TMUX" new-session -d -s keepalive "sleep 3600" || exit 1
passed=0 failed=0
for file in "$top"/tests/e2e/test_*.sh; do
    for fn in $(grep -o '^test_[a-z0-9_]*' "$file"); do
        case $fn in ${E2E_ONLY:-*}) ;; *) continue ;; esac   # E2E_ONLY='*return*'
        if (. "$top/tests/e2e/lib.sh" && . "$file" && e2e_begin "$fn" && "$fn"; st=$?; e2e_end; exit $st) \
            >"$E2E_OUT/$fn.log" 2>&1; then
            passed=$((passed + 1)); echo "ok      $fn"
        else
            failed=$((failed + 1)); echo "FAILED  $fn"; sed 's/^/    /' "$E2E_OUT/$fn.log"
        fi
    done
done
tmux -L "$E2E_TMUX" kill-server 2>/dev/null
echo "e2e: $passed passed, $failed failed"
[ $failed -eq 0 ]
