# A file-size limit (`ulimit -f`, FAULTS.md F45) while index, classify, map,
# provenance and report write.  The driver ignores SIGXFSZ (main.c), so a
# write past the limit fails with EFBIG and is reported like any other
# write error: exit 3, "igmap: <stage>: <path>: write error: File too
# large", the previous outputs byte for byte, no temporary file.  Without
# that the kernel's SIGXFSZ would kill the process (exit 153) with no word.
# Each command runs under limits from 512 bytes up to one its outputs fit
# in; every run either fails that way or, once everything fits, succeeds.
. "$(dirname "$0")/lib.sh"
C="$ROOT/tests/fixtures/report/corpus"
L="$ROOT/lexicons"
CL="--lexicon $L/positions.tsv --negators $L/negators.tsv --quiet"
ML="--issues $L/issues.tsv --mechanisms $L/mechanisms.tsv --gaps $L/gaps.tsv"
snap() { (cd "$1" && ls -A | grep -vx '\.igmap-lock' && cksum $(ls -A | grep -vx '\.igmap-lock')); } # the lock file is no output

# The old outputs: the same corpus, other options.
expect_exit 0 "$IGMAP" index "$C" -o o/index.igx --quiet --section-pattern '^Part ([0-9]+)'
expect_exit 0 "$IGMAP" index "$C" -o ix.igx --quiet
! cmp -s o/index.igx ix.igx || fail "old and new index should differ"
expect_exit 0 "$IGMAP" classify o/index.igx $CL --smoothing 1 -o o
expect_exit 0 "$IGMAP" map o/index.igx $ML --unit paragraph -o o
expect_exit 0 "$IGMAP" provenance o --corpus "$C" -o o/provenance.json
expect_exit 0 "$IGMAP" report o -o o/report.html --title Old
cp -a o o.old

# limited BLOCKS WHAT CMD...: run CMD under `ulimit -f BLOCKS` (512-byte
# blocks in sh) on a fresh copy of the old outputs; prints "ok" when it
# succeeded, "refused" when it failed cleanly.
limited() {
    blocks=$1 what=$2; shift 2
    rm -rf o && cp -a o.old o
    set +e; sh -c 'ulimit -f "$0" && exec "$@"' "$blocks" "$@" >"$T/out" 2>"$T/err"; st=$?; set -e
    ! grep -q 'Sanitizer\|runtime error' "$T/err" || { cat "$T/err" >&2; fail "$what: sanitizer report"; }
    case $st in
        0) echo ok; return ;;
        3) ;;
        153) fail "$what, ulimit -f $blocks: killed by SIGXFSZ" ;;
        *) cat "$T/err" >&2; fail "$what, ulimit -f $blocks: exit $st, expected 0 or 3" ;;
    esac
    grep -Eq "^igmap: $what: o/[a-z_]+\.(igx|csv|txt|json|html): write error: File too large$" "$T/err" ||
        { cat "$T/err" >&2; fail "$what, ulimit -f $blocks: message is not a located EFBIG write error"; }
    [ "$(wc -l <"$T/err")" = 1 ] || { cat "$T/err" >&2; fail "$what: more than one message"; }
    snap o >now; snap o.old >old
    diff -u old now >&2 || fail "$what, ulimit -f $blocks: outputs changed or files left"
    echo refused
}

# sweep WHAT CMD...: limits 1, 2, 4, ... blocks until the command succeeds
sweep() {
    what=$1; shift
    b=1 refused=0
    while :; do
        r=$(limited $b "$what" "$@") || exit 1
        [ "$r" = ok ] && break
        refused=$((refused + 1))
        b=$((b * 2)); [ $b -le 4096 ] || fail "$what: still refused at ulimit -f 2048"
    done
    [ $refused -ge 2 ] || fail "$what: only $refused refused runs (the limit never bit?)"
    no_temp_files o
    echo "$what: refused under $refused limits, succeeded at ulimit -f $b"
}

sweep index "$IGMAP" index "$C" -o o/index.igx --quiet --threads 1
sweep classify "$IGMAP" classify ix.igx $CL -o o
sweep map "$IGMAP" map ix.igx $ML -o o
sweep provenance "$IGMAP" provenance o --corpus "$C" -o o/provenance.json
sweep report "$IGMAP" report o -o o/report.html --no-index
