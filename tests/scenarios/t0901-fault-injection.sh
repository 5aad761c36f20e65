# Fault injection loop (issue 6; FAULTS.md F55, F44, P1, test methods 1
# and 2).  For `igmap index`, `igmap map` and `igmap classify`, fail the
# N-th allocation (IG_FAIL_ALLOC=N+, every one from N on; and IG_FAIL_ALLOC=N,
# that one only) and the N-th low-level output call (IG_FAIL_WRITE=N), for
# N = 1, 2, 3, ... until the run succeeds.  Each failing run must exit 3 with
# a clean "out of memory" or located I/O message, leave the previous outputs
# byte for byte and no *.tmp.* or other new file, and ASan/LSan/UBSan must
# report nothing.  A run that survives a one-off failure must write exactly
# the outputs of a clean run.  The run that finally succeeds writes the new
# outputs.  Under `make test` the allocation sweeps take every N up to 64,
# then every k-th (k per command; about 25 s in all under ASan); FI_FULL=1
# (the -expensive- twin, t0903) takes every N.
. "$(dirname "$0")/lib.sh"
FULL=${FI_FULL:-0}
FX="$ROOT/tests/fixtures/map"
L="$ROOT/lexicons"
grep -v '^#' "$L/positions.tsv" | grep -v '^$' | head -25 >pos.tsv
grep -v '^#' "$L/negators.tsv" | grep -v '^$' | head -8 >neg.tsv

# snap DIR: names (hidden ones too) and checksums of everything in DIR but
# the lock file, whose line names the last holder (lock.h).
snap() { (cd "$1" && ls -A | grep -vx '\.igmap-lock' && cksum $(ls -A | grep -vx '\.igmap-lock')); }

# sweep VAR STEP DIR REF MSG CMD...: run CMD with VAR=N (N+ for
# IG_FAIL_ALLOC) for N = 1, 1+STEP, ... until it succeeds; DIR holds the
# old outputs, REF a clean run's new ones; MSG is the regex the failure
# message must match.
sweep() {
    var=$1 step=$2 dir=$3 ref=$4 msg=$5; shift 5
    snap "$dir" >"$T/old"
    n=1 fails=0
    while :; do
        val=$n; [ "$var" = IG_FAIL_ALLOC ] && val="$n+"
        set +e; env "$var=$val" "$@" >"$T/o" 2>"$T/e"; st=$?; set -e
        check_clean "$var=$val"
        [ "$st" = 0 ] && break
        [ "$st" = 3 ] || { cat "$T/e" >&2; fail "$var=$val $1 $2: exit $st, expected 3"; }
        grep -Eq "$msg" "$T/e" || { cat "$T/e" >&2; fail "$var=$val $2: message lacks /$msg/"; }
        snap "$dir" >"$T/now"
        cmp -s "$T/old" "$T/now" || { diff -u "$T/old" "$T/now" >&2; fail "$var=$val $2: outputs changed or files left"; }
        fails=$((fails + 1))
        if [ "$var" = IG_FAIL_ALLOC ]; then
            # The same allocation failing only once: a clean failure as
            # above, or a recovery that writes exactly the new outputs.
            set +e; IG_FAIL_ALLOC=$n "$@" >"$T/o" 2>"$T/e"; st=$?; set -e
            check_clean "IG_FAIL_ALLOC=$n"
            if [ "$st" = 0 ]; then
                snap "$dir" >"$T/now"; snap "$ref" >"$T/ref"
                diff -u "$T/ref" "$T/now" >&2 || fail "IG_FAIL_ALLOC=$n $2: recovered run wrote other outputs"
                rm -rf "$dir"; cp -a "$dir.old" "$dir"
            else
                [ "$st" = 3 ] || { cat "$T/e" >&2; fail "IG_FAIL_ALLOC=$n $2: exit $st"; }
                grep -Eq "$msg" "$T/e" || { cat "$T/e" >&2; fail "IG_FAIL_ALLOC=$n $2: bad message"; }
                snap "$dir" >"$T/now"
                diff -u "$T/old" "$T/now" >&2 || fail "IG_FAIL_ALLOC=$n $2: outputs changed"
            fi
        fi
        # every N up to 64 (set-up and early error paths), then every k-th
        if [ $n -lt 64 ]; then n=$((n + 1)); else n=$((n + step)); fi
        [ $n -lt 100000 ] || fail "$var $2: no success after $n"
    done
    snap "$dir" >"$T/now"; snap "$ref" >"$T/ref"
    diff -u "$T/ref" "$T/now" >&2 || fail "$var $2: the successful run wrote other outputs"
    echo "$2 $var: $fails failing runs (every N to 64, then step $step), success at N=$n"
    rm -rf "$dir"; cp -a "$dir.old" "$dir"
}

# check_clean WHAT: no sanitizer report in the last run's stderr.
check_clean() {
    ! grep -Eq 'Sanitizer|runtime error|leak' "$T/e" || { cat "$T/e" >&2; fail "$1: sanitizer report"; }
}

OOM='^igmap: [a-z]+: .*out of memory'
IOERR='^igmap: [a-z]+: .*(write error|fsync failed|close failed|rename failed)'
step() { if [ "$FULL" = 1 ]; then echo 1; else echo "$1"; fi; }

# index: old outputs from another corpus, new from tests/fixtures/query.
expect_exit 0 "$IGMAP" index "$FX/corpus" -o ix/index.igx --documents ix/documents.csv --quiet
cp -a ix ix.old
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o ixref/index.igx --documents ixref/documents.csv --quiet
! cmp -s ix/index.igx ixref/index.igx || fail "old and new index should differ"
IX="index $ROOT/tests/fixtures/query -o ix/index.igx --documents ix/documents.csv --quiet --threads 1"
sweep IG_FAIL_WRITE 1 ix ixref "$IOERR" "$IGMAP" $IX
sweep IG_FAIL_ALLOC "$(step 4)" ix ixref "$OOM" "$IGMAP" $IX

# map: old outputs with --unit paragraph, new with the default unit.
expect_exit 0 "$IGMAP" index "$FX/corpus" -o fx.igx --quiet
ML="--issues $FX/issues.tsv --mechanisms $FX/mechanisms.tsv --gaps $FX/gaps.tsv"
expect_exit 0 "$IGMAP" map fx.igx $ML --unit paragraph -o mp
cp -a mp mp.old
expect_exit 0 "$IGMAP" map fx.igx $ML -o mpref
sweep IG_FAIL_WRITE 1 mp mpref "$IOERR" "$IGMAP" map fx.igx $ML -o mp
sweep IG_FAIL_ALLOC "$(step 16)" mp mpref "$OOM" "$IGMAP" map fx.igx $ML -o mp

# classify (when this build has it): old outputs with another seed.
if "$IGMAP" help | grep -q "igmap classify"; then
    expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
    CL="classify q.igx --lexicon pos.tsv --negators neg.tsv --quiet --bootstrap 20 --no-wordfish --threads 1"
    expect_exit 0 "$IGMAP" $CL --seed 9 -o cl
    cp -a cl cl.old
    expect_exit 0 "$IGMAP" $CL --seed 1 -o clref
    sweep IG_FAIL_WRITE 1 cl clref "$IOERR" "$IGMAP" $CL --seed 1 -o cl
    sweep IG_FAIL_ALLOC "$(step 20)" cl clref "$OOM" "$IGMAP" $CL --seed 1 -o cl
fi
