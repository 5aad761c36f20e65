# All or nothing (FAULTS.md P1, F44, F46): with the n-th low-level output
# call failing (IG_FAIL_WRITE=n: a write, fsync, close or rename), classify
# exits 3 with the reason, every file of the earlier run in -o is unchanged
# and no temporary file remains; swept over every n until a run succeeds,
# whose files are then all new (identical to a clean run's).
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o idx/index.igx --quiet
run() { "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o "$1" --quiet --bootstrap 50 --no-wordfish "$2" "$3"; }
# The old outputs: a run with another seed, so old and new differ.
run res --seed 9 || fail "first run failed"
run ref --seed 1 || fail "reference run failed"
cksum res/* >"$T/old"
n=1
while :; do
    set +e
    IG_FAIL_WRITE=$n run res --seed 1 >"$T/o" 2>"$T/e"
    st=$?
    set -e
    if [ $st = 0 ]; then
        break
    fi
    [ $st = 3 ] || { cat "$T/e" >&2; fail "IG_FAIL_WRITE=$n: exit $st, expected 3"; }
    grep -qE 'write error|fsync failed|close failed|rename failed' "$T/e" ||
        { cat "$T/e" >&2; fail "IG_FAIL_WRITE=$n: no reason given"; }
    cksum res/* >"$T/now"
    cmp -s "$T/old" "$T/now" || fail "IG_FAIL_WRITE=$n: an output changed"
    no_temp_files res
    n=$((n + 1))
    [ $n -lt 200 ] || fail "still failing after 200 injected failures"
done
[ $n -gt 6 ] || fail "only $n output calls: the sweep did not reach every file"
for f in ref/*; do
    cmp "$f" "res/$(basename "$f")" || fail "after the sweep, $(basename "$f") is not the new version"
done
no_temp_files res
