# The Makefile as the researcher's interface, run on a copy of the report
# fixture corpus with the binary under test (IGMAP_BIN; goal `pipeline`,
# the outputs without the build): the first run makes everything; a second
# does nothing; editing a map lexicon reruns map, provenance and report but
# not index or classify; editing the positions lexicon reruns classify and
# what follows, not the index; changed options rerun their stage; make -j2
# gives the bytes of make -j1; two makes at once (LOCK_WAIT) take turns
# and corrupt nothing; with the lock held elsewhere make stops at once,
# naming the holder, before any command runs (the lock itself:
# t0950); adding a document (with a manifest, or without one and with an
# old time stamp) or removing one rebuilds the index.
. "$(dirname "$0")/lib.sh"
cp -r "$ROOT/lexicons" lexicons
# a private copy of the binary: a rebuild of the tree's binary while this
# runs would otherwise make every output out of date
mkdir bin && cp "$IGMAP" bin/igmap
IGMAP=$T/bin/igmap
cp -r "$ROOT/tests/fixtures/report/corpus" corp
O=out/corp
mk() { # LOG ARGS...: run make, log its output, fail on error
    log=$1; shift
    make -f "$ROOT/Makefile" IGMAP_BIN="$IGMAP" CORPUS=corp "$@" >"$log" 2>&1 ||
        { cat "$log" >&2; fail "make $* failed"; }
}
ran() { grep -q "igmap $1 " "$2"; }
stages_run() { # LOG: the stages a run ran, in order
    for s in index classify map provenance report; do ran $s "$1" && printf '%s ' $s; done
    echo
}
sums() { (cd $O && sha256sum $(ls | LC_ALL=C sort)); }

mk l1 pipeline
[ "$(stages_run l1)" = "index classify map provenance report " ] ||
    { cat l1 >&2; fail "first run ran: $(stages_run l1)"; }
for f in index.igx documents.csv positions.csv evidence.csv position_groups.csv \
         lexicon_coverage.csv issues.csv issues_by_process.csv issues_by_group.csv \
         issue_mechanisms.csv gaps.csv map_evidence.csv provenance.json report.html; do
    [ -s "$O/$f" ] || fail "$O/$f not made"
done
grep -q '"positions": "out/corp/positions.csv"' $O/provenance.json || fail "map ran without positions"

mk l2 pipeline
grep -q "Nothing to be done for 'pipeline'" l2 || { cat l2 >&2; fail "second run did something"; }
[ -z "$(stages_run l2)" ] || fail "second run ran: $(stages_run l2)"

idx_time=$(stat -c %Y.%y $O/index.igx)
cls_time=$(stat -c %y $O/positions.csv)
sleep 1
echo '# an edit' >>lexicons/gaps.tsv
mk l3 pipeline
[ "$(stages_run l3)" = "map provenance report " ] || fail "gaps.tsv edit ran: $(stages_run l3)"
[ "$(stat -c %y $O/positions.csv)" = "$cls_time" ] || fail "classify outputs touched"

sleep 1
echo '# an edit' >>lexicons/positions.tsv
mk l4 pipeline
[ "$(stages_run l4)" = "classify map provenance report " ] ||
    fail "positions.tsv edit ran: $(stages_run l4)"
[ "$(stat -c %Y.%y $O/index.igx)" = "$idx_time" ] || fail "the index was rebuilt"

mk l5 pipeline MAP_FLAGS="--unit paragraph"
[ "$(stages_run l5)" = "map provenance report " ] || fail "MAP_FLAGS ran: $(stages_run l5)"
grep -q '"unit": "paragraph"' $O/provenance.json || fail "provenance lacks the new unit"
mk l6 pipeline MAP_FLAGS="--unit paragraph"
[ -z "$(stages_run l6)" ] || fail "same MAP_FLAGS again ran: $(stages_run l6)"
mk l7 pipeline
[ "$(stages_run l7)" = "map provenance report " ] || fail "MAP_FLAGS back ran: $(stages_run l7)"

# -j1 and -j2 from nothing: the same bytes
rm -rf out
mk j1 -j1 pipeline
sums >sums1
rm -rf out
mk j2 -j2 pipeline
sums >sums2
diff -u sums1 sums2 || fail "make -j2 differs from make -j1"

# two makes at once in one checkout, the second told to wait for the lock:
# both succeed, same bytes, then nothing to do
rm -rf out
make -f "$ROOT/Makefile" IGMAP_BIN="$IGMAP" CORPUS=corp LOCK_WAIT=300 pipeline >c1 2>&1 &
pid=$!
mk c2 LOCK_WAIT=300 pipeline
wait $pid || { cat c1 >&2; fail "the concurrent make failed"; }
sums >sums3
diff -u sums1 sums3 || fail "two concurrent makes left other bytes"
mk c3 pipeline
[ -z "$(stages_run c3)" ] || fail "after two concurrent makes, a third ran: $(stages_run c3)"
no_temp_files out

# the lock held elsewhere: make stops at once, naming the holder, before
# any command runs
mkfifo gate
# a failing check must not leave a holder blocked on the fifo: SIGTERM to
# igmap lock reaches its command
holder=
trap '[ -z "$holder" ] || kill -TERM $holder 2>/dev/null || true; rm -rf "$T"' EXIT
"$IGMAP" lock $O -- sh -c 'echo held >ready; read x <gate' &
holder=$!
n=0
while [ ! -e ready ]; do
    n=$((n + 1)); [ $n -lt 200 ] || fail "the holder did not start"; sleep 0.05
done
cp $O/gaps.csv gaps.before
echo '# another edit' >>lexicons/gaps.tsv
set +e; timeout 60 make -f "$ROOT/Makefile" IGMAP_BIN="$IGMAP" CORPUS=corp pipeline >l8 2>&1
st=$?; set -e
echo go >gate
wait $holder
[ "$st" = 2 ] || { cat l8 >&2; fail "make with the lock held elsewhere: exit $st"; }
grep -q "^igmap: lock: $O is locked by pid $holder (started .* UTC: igmap lock $O -- sh -c " l8 ||
    { cat l8 >&2; fail "make did not name the holder"; }
[ -z "$(stages_run l8)" ] || { cat l8 >&2; fail "make ran $(stages_run l8) while the lock was held"; }
cmp -s gaps.before $O/gaps.csv || fail "gaps.csv changed while the lock was held"
mk l9 pipeline
[ "$(stages_run l9)" = "map provenance report " ] || fail "after the lock, ran: $(stages_run l9)"

# adding a document to a corpus with a manifest rebuilds everything
cp corp/r1.txt corp/r9.txt
echo 'r9,r9.txt,wgec,2013-09-09,Another State,government,XN,europe,en' >>corp/manifest.csv
mk l10 pipeline
[ "$(stages_run l10)" = "index classify map provenance report " ] ||
    fail "adding a document ran: $(stages_run l10)"
[ "$(($(wc -l <$O/documents.csv) - 1))" = 9 ] || fail "documents.csv lacks the new document"

# without a manifest: a file with an old time stamp, then its removal
mkdir corp2
cp corp/r*.txt corp2/
mk m1 CORPUS=corp2 pipeline
touch -d 2001-01-01 corp2/r1.txt
cp -p corp2/r1.txt corp2/zz-old.txt
mk m2 CORPUS=corp2 pipeline
ran index m2 || fail "an added old file did not rebuild the index"
grep -q '^zz-old.txt,' out/corp2/documents.csv || fail "the added file is not indexed"
rm corp2/zz-old.txt
mk m3 CORPUS=corp2 pipeline
ran index m3 || fail "a removed file did not rebuild the index"
if grep -q '^zz-old.txt,' out/corp2/documents.csv; then fail "the removed file is still indexed"; fi
mk m4 CORPUS=corp2 pipeline
[ -z "$(stages_run m4)" ] || fail "the corpus without manifest: a second run ran $(stages_run m4)"
