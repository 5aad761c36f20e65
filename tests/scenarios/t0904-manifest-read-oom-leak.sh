# Regression F55 (issue 6, found by t0901-fault-injection and its ad-hoc
# twin on a questionnaire corpus): with an allocation failing while the
# manifest loads, (1) manifest.c did not free the buffer ig_read_file had
# grown before failing (LeakSanitizer: 256 bytes, IG_FAIL_ALLOC=5+ on
# tests/fixtures/query); (2) ig_corpus_free() dereferenced the NULL column
# or value array of a half-built corpus (IG_FAIL_ALLOC=10+, UBSan "load of
# null pointer" at manifest.c:64); (3) corpus_expand() linked the fields of
# a half-built questionnaire row (IG_FAIL_ALLOC=38+ on the corpus below,
# UBSan at manifest.c:110).  Every failing N must exit 3 with "out of
# memory", no sanitizer report and no output, until the run succeeds.
. "$(dirname "$0")/lib.sh"
mkdir c
printf 'id,path,format,submitter\nq,q.csv,questionnaire,x\nt,a.txt,,y\n' >c/manifest.csv
printf 'id,q1,q2,submitter\nr1,"yes, quoted",,me\nr2,,answer two,\nr3,three,four,them\n' >c/q.csv
printf 'plain text\n' >c/a.txt
sweep() { # CORPUS
    n=1
    while :; do
        set +e; IG_FAIL_ALLOC="$n+" "$IGMAP" index "$1" -o o/index.igx --quiet >"$T/out" 2>"$T/err"; st=$?; set -e
        ! grep -q 'Sanitizer\|runtime error' "$T/err" || { cat "$T/err" >&2; fail "IG_FAIL_ALLOC=$n+ $1: sanitizer report"; }
        [ "$st" = 0 ] && break
        [ "$st" = 3 ] || { cat "$T/err" >&2; fail "IG_FAIL_ALLOC=$n+ $1: exit $st"; }
        expect_err "out of memory"
        [ ! -e o ] || [ -z "$(ls -A o)" ] || fail "IG_FAIL_ALLOC=$n+ $1: output left"
        n=$((n + 1))
        [ $n -lt 2000 ] || fail "$1: no success"
    done
    rm -rf o
    echo "$1: $((n - 1)) failing runs"
}
sweep c
sweep "$ROOT/tests/fixtures/query"
