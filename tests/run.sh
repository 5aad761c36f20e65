#!/bin/sh
# The test runner behind `make test`: unit binaries (each prints "N passed,
# M failed"), then numbered shell scenarios in tests/scenarios/tNNNN-*.sh (one
# test each; exit 0 passes, 77 skips).  Ends with the total line
# "N passed, N failed" and a nonzero status if anything failed.
#
# Environment: IGMAP (binary under test), IGMAP_PLAIN (the same without
# sanitizers, for the scenarios that cap memory with ulimit -v),
# IG_EXPENSIVE=1 to include the slow cases (scenarios whose name contains
# "-expensive-").
set -u
cd "$(dirname "$0")/.." || exit 2
IGMAP=${IGMAP:-build/san/igmap}
IGMAP_PLAIN=${IGMAP_PLAIN:-build/igmap}
export IGMAP IGMAP_PLAIN
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LC_ALL=C
pass=0; fail=0; skip=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

for t in build/san/tests/test_*; do
    [ -x "$t" ] || continue
    name=$(basename "$t")
    if "$t" >"$tmp/out" 2>"$tmp/err"; then st=0; else st=$?; fi
    line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$tmp/out" | tail -1)
    if [ -z "$line" ]; then
        echo "FAIL $name (exit $st, no summary)"; sed 's/^/    /' "$tmp/err" | tail -20
        fail=$((fail + 1)); continue
    fi
    p=${line%% passed*}; f=${line#*, }; f=${f%% failed}
    pass=$((pass + p)); fail=$((fail + f))
    if [ "$f" != 0 ] || [ "$st" != 0 ]; then
        [ "$f" = 0 ] && fail=$((fail + 1))
        echo "FAIL $name: $line (exit $st)"; sed 's/^/    /' "$tmp/err" | tail -30
    else
        echo "ok   $name: $p checks"
    fi
done

for s in tests/scenarios/t[0-9][0-9][0-9][0-9]-*.sh; do
    [ -f "$s" ] || continue
    name=$(basename "$s" .sh)
    case "$name" in *-expensive-*) [ "${IG_EXPENSIVE:-0}" = 1 ] || { skip=$((skip + 1)); continue; } ;; esac
    if sh "$s" >"$tmp/out" 2>&1; then
        pass=$((pass + 1)); echo "ok   $name"
        # Quality figures a scenario measured are shown even when it passes.
        grep -E '^(classify|map) quality' "$tmp/out" | sed 's/^/     /' || true
    else
        st=$?
        if [ "$st" = 77 ]; then skip=$((skip + 1)); echo "skip $name"; continue; fi
        fail=$((fail + 1)); echo "FAIL $name (exit $st)"; sed 's/^/    /' "$tmp/out" | tail -30
    fi
done

[ "$skip" -gt 0 ] && echo "($skip skipped)"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
