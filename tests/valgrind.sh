#!/bin/sh
# make valgrind: the end-to-end job on the sample corpus (index, classify,
# map, provenance, report, then a kwic, a count and a check of the index)
# with the release binary (build/igmap, -O2 -g) under Valgrind's memcheck,
# which sees what the sanitizer build cannot (uninitialised reads in an
# optimised binary, leaks through the libraries' own allocators).  Any
# error or leak fails the run (--error-exitcode), and its log is shown.
# Outputs go to build/valgrind/, never to out/.  About 80 s on two cores
# (classify's bootstrap is most of it), so it is not part of make test;
# .ci/run runs it after make test.
#
# Valgrind is a test-only tool from Debian's `valgrind` package: installed
# here when run as root, else the exact apt-get line is printed.
set -u
cd "$(dirname "$0")/.." || exit 2
BIN=${IGMAP_BIN:-build/igmap}
if ! command -v valgrind >/dev/null 2>&1; then
    cmd="apt-get install -y valgrind"
    if [ "$(id -u)" = 0 ]; then
        echo "valgrind: installing Debian's valgrind: $cmd"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $cmd >/dev/null || exit 1
    else
        echo "valgrind: needs Debian's valgrind (a test-only tool); run as root:  sudo $cmd" >&2
        exit 1
    fi
fi
[ -x "$BIN" ] || { echo "valgrind: $BIN missing (make build/igmap)" >&2; exit 1; }

V=build/valgrind
O=$V/out/sample
rm -rf "$V"
mkdir -p "$O"
n=0
# vg NAME ARGS...: one igmap command under memcheck
vg() {
    name=$1; shift
    log="$V/$name.log"
    if ! timeout 1200 valgrind --tool=memcheck -q --error-exitcode=99 --leak-check=full \
            --show-leak-kinds=definite,indirect,possible \
            --errors-for-leak-kinds=definite,indirect,possible \
            --log-file="$log" "$BIN" "$@" >"$V/$name.out" 2>"$V/$name.err"; then
        echo "valgrind: FAIL igmap $*" >&2
        cat "$V/$name.err" "$log" >&2
        exit 1
    fi
    [ ! -s "$log" ] || { echo "valgrind: igmap $name: memcheck said:" >&2; cat "$log" >&2; exit 1; }
    n=$((n + 1))
    echo "valgrind: ok igmap $name"
}
C=corpora/sample
CLEX="--lexicon lexicons/positions.tsv --negators lexicons/negators.tsv"
MLEX="--issues lexicons/issues.tsv --mechanisms lexicons/mechanisms.tsv --gaps lexicons/gaps.tsv"
vg index index "$C" -o "$O/index.igx" --documents "$O/documents.csv" --threads 2 --quiet
vg classify classify "$O/index.igx" $CLEX -o "$O" --quiet
vg map map "$O/index.igx" $MLEX --positions "$O/positions.csv" -o "$O"
vg provenance provenance "$O" --corpus "$C" --lexicon lexicons/positions.tsv \
    --lexicon lexicons/negators.tsv --lexicon lexicons/issues.tsv \
    --lexicon lexicons/mechanisms.tsv --lexicon lexicons/gaps.tsv -o "$O/provenance.json"
vg report report "$O" -o "$O/report.html"
vg kwic kwic "$O/index.igx" '"equal footing" NEAR/8 /^govern/' -o "$V/kwic.csv"
vg count count "$O/index.igx" 'sovereign*' --by stakeholder_group -o "$V/count.csv"
vg check check "$O/index.igx"
echo "valgrind: $n commands clean under memcheck"
