# The Makefile's classify block: `make` builds out/NAME/positions.csv and the
# other classify tables from the index and the two lexicons in one grouped
# rule, and a changed lexicon reruns it (checked with make -n, which runs
# nothing).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
make -n -W lexicons/negators.tsv out/sample/positions.csv >"$T/n" 2>&1 || { cat "$T/n" >&2; fail "make -n failed"; }
# The recipe may be split over lines with backslashes: join them first.
sed -e ':a' -e '/\\$/N; s/\\\n//; ta' "$T/n" | tr -s ' ' >"$T/joined"
grep -q 'build/igmap classify out/sample/index.igx --lexicon lexicons/positions.tsv --negators lexicons/negators.tsv .*-o out/sample' "$T/joined" ||
    { cat "$T/n" >&2; fail "no classify recipe for out/sample/positions.csv"; }
# `make` runs the pipeline as an inner make under the lock (IG_INNER=1):
# all needs pipeline, and there pipeline needs the classify tables.
make -n -p IG_INNER=1 2>/dev/null | grep -q '^all:.*pipeline' || fail "pipeline not a prerequisite of all"
make -n -p IG_INNER=1 2>/dev/null | grep -q '^pipeline:.*out/sample/positions.csv' ||
    fail "positions.csv not a prerequisite of pipeline"
