#!/bin/sh
# Database tests: a throwaway cluster with a migrated template database
# (small demo data set); each test makes its own copy of the template
# (dbtest.c), so tests are isolated and order does not matter.
# Usage: tests/db/run.sh KONTOR_BIN TEST_BINARY...
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/testcluster.sh"
bin=$1; shift
testcluster_start "$bin" || exit 1
# PgBouncer for test_pooler (KONTOR_TEST_POOLER_PORT; empty: skipped).
testcluster_pooler || exit 1
# A streaming replica for test_replica (KONTOR_TEST_REPLICA_HOST, _PORT).
testcluster_replica || exit 1
failed=0
for t in "$@"; do
    "$t" || { echo "FAILED: $t" >&2; failed=$((failed + 1)); }
done
[ $failed -eq 0 ] || { echo "db tests: $failed binaries failed" >&2; exit 1; }
