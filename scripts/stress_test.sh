#!/bin/sh
# The test suite beside two CPU-burning processes: tests must wait on events, never on time,
# so they pass on a busy machine (CI runners, laptops compiling). Starts two busy loops, runs
# `deno task test` (arguments are passed on, e.g. a test file), stops the loops, and exits
# with the tests' status.
#
# Usage: scripts/stress_test.sh [-- <deno test args>]
set -u
cd "$(dirname "$0")/.." || exit 2
DENO="${DENO:-deno}"
burn() { while :; do :; done; }
burn & HOG1=$!
burn & HOG2=$!
stop_hogs() { kill "$HOG1" "$HOG2" 2>/dev/null; wait "$HOG1" "$HOG2" 2>/dev/null; }
trap 'stop_hogs; exit 130' INT TERM
echo "stress: CPU hogs $HOG1 and $HOG2 running beside the tests"
"$DENO" task test "$@"
status=$?
stop_hogs
trap - INT TERM
echo "stress: tests exited with status $status"
exit "$status"
