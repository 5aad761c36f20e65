# The bootstrap's three draw paths (classify.h "Interval"; IGMAP_BOOT_PATH)
# give the same bytes on the real rows of the sample corpus: the plain
# lanes on one thread, the AVX2 lanes on one and on two, the AVX-512 lanes
# on two (the sanitized runs are slow: thread counts are compared on every
# path by t0504 and test_classify).  A path this CPU lacks is refused (exit
# 2, naming it) and left out of the comparison; the plain path always
# runs.  A bad value is a usage error.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o idx/index.igx --quiet
ran=""
for run in scalar:1 avx2:1 avx2:2 avx512:2; do
    p=${run%:*} t=${run#*:}
    set +e
    env IGMAP_BOOT_PATH=$p "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" \
        --negators "$L/negators.tsv" -o "o_${p}_$t" --threads $t --quiet >"$T/out" 2>"$T/err"
    rc=$?
    set -e
    if [ "$rc" = 2 ] && [ "$p" != scalar ] && grep -q "IGMAP_BOOT_PATH=$p: this CPU" "$T/err"; then
        echo "note: this CPU has no $p: that path is not compared" >&2
        [ ! -e "o_${p}_$t/positions.csv" ] || fail "a refused path wrote outputs"
        continue
    fi
    [ "$rc" = 0 ] || { cat "$T/err" >&2; fail "IGMAP_BOOT_PATH=$p --threads $t exited $rc"; }
    ran="$ran ${p}_$t"
done
# The intervals are there (else the comparison would be empty).
n=$(awk -F, 'NR > 1 && $13 != "" && $14 != "" && $13 != $14' o_scalar_1/positions.csv | wc -l)
[ "$n" -gt 50 ] || fail "only $n rows with an interval"
[ "$ran" != " scalar_1" ] || echo "note: no vector path compared on this CPU" >&2
for r in $ran; do
    for f in positions.csv evidence.csv position_groups.csv positions_summary.txt \
        positions_provenance.json; do
        cmp o_scalar_1/$f o_$r/$f || fail "$f differs between the scalar path and $r"
    done
done
expect_exit 2 env IGMAP_BOOT_PATH=sse9 "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" \
    --negators "$L/negators.tsv" -o bad --quiet
expect_err 'IGMAP_BOOT_PATH wants auto, scalar, avx2 or avx512, not "sse9"'
[ ! -e bad/positions.csv ] || fail "a usage error wrote outputs"
