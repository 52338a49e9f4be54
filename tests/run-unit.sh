#!/bin/sh
# Runs cmocka unit-test binaries; fails when any fails.
set -u
failed=0
for t in "$@"; do
    "$t" || { echo "FAILED: $t" >&2; failed=$((failed + 1)); }
done
[ $failed -eq 0 ] || { echo "unit tests: $failed binaries failed" >&2; exit 1; }
