# Replay every fuzz seed and every kept fuzz regression (issue 6, FAULTS.md
# test method 5) through its target built as a plain driver under ASan+UBSan
# (build/san/fuzz/replay_<target>, made by `make test`; no clang needed).
# A crash, a sanitizer report or a failed invariant fails the test; so does
# a target with no inputs at all (a lost seed directory).
. "$(dirname "$0")/lib.sh"
for t in tokenise manifest lexicon index_read; do
    bin="$ROOT/build/san/fuzz/replay_$t"
    [ -x "$bin" ] || fail "missing $bin (built by make test)"
    n=0
    for d in "$ROOT/tests/fuzz/seeds/$t" "$ROOT/tests/fuzz/regressions/$t"; do
        [ -d "$d" ] || continue
        for f in "$d"/*; do
            [ -f "$f" ] || continue
            set +e; "$bin" "$f" >"$T/out" 2>"$T/err"; st=$?; set -e
            [ "$st" = 0 ] || { tail -30 "$T/err" >&2; fail "$t: exit $st on $f"; }
            ! grep -q 'runtime error\|Sanitizer' "$T/err" || { tail -30 "$T/err" >&2; fail "$t: sanitizer report on $f"; }
            n=$((n + 1))
        done
    done
    [ "$n" -gt 0 ] || fail "$t: no seeds"
    echo "$t: $n inputs replayed"
done
