# map: all or nothing (FAULTS.md P1, F44, F55).  After a good run, a run
# that fails at any low-level write (IG_FAIL_WRITE=N for every N until the
# run succeeds) or at an allocation (IG_FAIL_ALLOC=N, sampled) exits
# 3, leaves all six tables byte for byte as they were and no temporary,
# staged or backup file; the run that finally succeeds replaces all six.
. "$(dirname "$0")/lib.sh"
FX="$ROOT/tests/fixtures/map"
L="--issues $FX/issues.tsv --mechanisms $FX/mechanisms.tsv --gaps $FX/gaps.tsv"
expect_exit 0 "$IGMAP" index "$FX/corpus" -o fx.igx --quiet
expect_exit 0 "$IGMAP" map fx.igx $L -o res
(cd res && cksum *) >first
# The same run with another unit writes other bytes (so "unchanged" means
# something), into a scratch directory first to know the new content.
expect_exit 0 "$IGMAP" map fx.igx $L --unit paragraph -o other
(cd other && cksum *) >second
! cmp -s first second || fail "the two runs should differ"

n=1
while :; do
    set +e; IG_FAIL_WRITE=$n "$IGMAP" map fx.igx $L --unit paragraph -o res >out 2>err; st=$?; set -e
    [ "$st" = 0 ] && break
    [ "$st" = 3 ] || { cat err >&2; fail "IG_FAIL_WRITE=$n: exit $st, expected 3"; }
    grep -q "igmap: map: .*: \(write error\|fsync failed\|close failed\|rename failed\)" err ||
        { cat err >&2; fail "IG_FAIL_WRITE=$n: no located I/O message"; }
    (cd res && cksum *) >now
    diff -u first now || fail "IG_FAIL_WRITE=$n changed the tables"
    [ "$(ls res | wc -l)" = 6 ] || { ls res >&2; fail "IG_FAIL_WRITE=$n left files behind"; }
    n=$((n + 1))
    [ $n -lt 200 ] || fail "no success after 200 injected failures"
done
[ $n -gt 12 ] || fail "only $n output calls: the sweep did not reach every table"
(cd res && cksum *) >now
diff -u second now || fail "the successful run did not replace every table"

# Allocation failures, every 7th allocation (a full sweep is in test_map).
expect_exit 0 "$IGMAP" map fx.igx $L -o res
n=1
while :; do
    set +e; IG_FAIL_ALLOC=$n "$IGMAP" map fx.igx $L --unit paragraph -o res >out 2>err; st=$?; set -e
    [ "$st" = 0 ] && break
    [ "$st" = 3 ] || { cat err >&2; fail "IG_FAIL_ALLOC=$n: exit $st, expected 3"; }
    (cd res && cksum *) >now
    diff -u first now || fail "IG_FAIL_ALLOC=$n changed the tables"
    n=$((n + 7))
    [ $n -lt 100000 ] || fail "no success"
done
no_temp_files res
[ "$(ls res | wc -l)" = 6 ] || fail "extra files in res"
