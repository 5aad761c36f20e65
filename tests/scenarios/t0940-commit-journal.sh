# Multi-file commits are all-or-nothing across crashes (FAULTS.md P1, F48;
# the commit journal at the top of pipeline/out.c).  IG_FAIL_KILL_RENAME=k
# makes igmap SIGKILL itself right after the k-th rename of a commit, the
# moment two renames cannot be one: index (index.igx, documents.csv),
# classify (six files) and map (six tables) are killed after each of their
# renames in turn.  The files on disk are then a mix, with the journal
# beside them; the next igmap command that touches the directory, reader
# or writer, finishes the commit: every file new, no journal, no temporary
# file or backup left.  A crash during that recovery is finished by the
# next one.  A rename that fails (IG_FAIL_WRITE) rolls back, and a crash
# during the rollback is undone by recovery: every file old.  A journal
# that does not parse stops readers and writers with a located error.
. "$(dirname "$0")/lib.sh"
FX="$ROOT/tests/fixtures/map"
Q="$ROOT/tests/fixtures/query"
L="$ROOT/lexicons"
grep -v '^#' "$L/positions.tsv" | grep -v '^$' | head -25 >pos.tsv
head -20 pos.tsv >pos-old.tsv
grep -v '^#' "$L/negators.tsv" | grep -v '^$' | head -8 >neg.tsv
head -n -3 "$FX/issues.tsv" >issues-old.tsv

# state DIR OLD NEW FILE...: one letter per file, n new, o old, s old and
# new are the same bytes, x neither
state() {
    d=$1 old=$2 new=$3; shift 3
    for f in "$@"; do
        if cmp -s "$old/$f" "$new/$f"; then printf s
        elif cmp -s "$d/$f" "$new/$f"; then printf n
        elif cmp -s "$d/$f" "$old/$f"; then printf o
        else printf x; fi
    done
    echo
}
# clean DIR: no journal, temporary file or backup left
clean() {
    [ ! -e "$1/.igmap-journal" ] || fail "$1: journal left"
    no_temp_files "$1"
}
# killed K CMD...: run CMD with IG_FAIL_KILL_RENAME=K; it must die by SIGKILL
killed() {
    k=$1; shift
    set +e; IG_FAIL_KILL_RENAME=$k "$@" >"$T/out" 2>"$T/err"; st=$?; set -e
    [ "$st" = 137 ] || { cat "$T/err" >&2; fail "IG_FAIL_KILL_RENAME=$k $2: exit $st, expected 137"; }
}
# mixed STATE K: after a kill at rename K of a commit, files 1..K are new
# (or unchanged), the rest old (or unchanged)
mixed() {
    echo "$1" | cut -c1-"$2" | grep -qx '[ns]*' && echo "$1" | cut -c$(($2 + 1))- | grep -qx '[os]*' ||
        fail "killed after rename $2: state $1"
}

# ---- index: two files ------------------------------------------------------
IXF="index.igx documents.csv"
expect_exit 0 "$IGMAP" index "$FX/corpus" -o ix.old/index.igx --quiet
expect_exit 0 "$IGMAP" index "$Q" -o ix.new/index.igx --quiet
for reader in "check o/index.igx" "info o/index.igx" "kwic o/index.igx =equal" \
              "count o/index.igx =equal --by id" "index $Q -o o/index.igx --quiet"; do
    rm -rf o && cp -a ix.old o
    killed 1 "$IGMAP" index "$Q" -o o/index.igx --quiet
    s=$(state o ix.old ix.new $IXF)
    [ "$s" = no ] || fail "index killed after its first rename: state $s, expected new index, old documents.csv"
    [ -e o/.igmap-journal ] || fail "index killed between its renames left no journal"
    expect_exit 0 "$IGMAP" $reader
    s=$(state o ix.old ix.new $IXF)
    [ "$s" = nn ] || fail "after \"igmap $reader\": state $s, expected both new"
    clean o
done
# a crash during recovery, finished by the next command
rm -rf o && cp -a ix.old o
killed 1 "$IGMAP" index "$Q" -o o/index.igx --quiet
killed 1 "$IGMAP" check o/index.igx
[ -e o/.igmap-journal ] || fail "the killed recovery removed the journal"
expect_exit 0 "$IGMAP" check o/index.igx
[ "$(state o ix.old ix.new $IXF)" = nn ] || fail "recovery of a killed recovery: not both new"
clean o
echo "index: killed between its two renames; five commands each finished the commit"

# ---- classify: six files ---------------------------------------------------
CLF="positions.csv evidence.csv position_groups.csv lexicon_coverage.csv positions_summary.txt positions_provenance.json"
CL="classify cl/q.igx --negators neg.tsv --quiet --bootstrap 20 --no-wordfish --threads 1"
mkdir cl
expect_exit 0 "$IGMAP" index "$Q" -o cl/q.igx --documents cl/documents.csv --quiet
# old and new differ in every file: the lexicon has 20 rows, then 25
expect_exit 0 "$IGMAP" $CL --lexicon pos-old.tsv -o cl
cp -a cl cl.old
CL="$CL --lexicon pos.tsv"
expect_exit 0 "$IGMAP" $CL -o cl.new
cp cl/q.igx cl/documents.csv cl.new/
k=1
while [ $k -le 5 ]; do
    rm -rf cl && cp -a cl.old cl
    killed $k "$IGMAP" $CL -o cl
    s=$(state cl cl.old cl.new $CLF)
    mixed "$s" $k
    echo "  killed after rename $k: $s"
    [ -e cl/.igmap-journal ] || fail "classify killed after rename $k: no journal"
    expect_exit 0 "$IGMAP" count cl/q.igx '=states'
    s=$(state cl cl.old cl.new $CLF)
    echo "$s" | grep -qx '[ns]*' || fail "classify killed after rename $k, then count: state $s"
    clean cl
    k=$((k + 1))
done
echo "classify: killed after each of renames 1-5; count finished every commit"

# A rename that fails rolls back; a kill during the rollback is undone by
# recovery.  Find the call number of the first table's rename: the first
# IG_FAIL_WRITE=N that makes it fail.
n=1
while :; do
    rm -rf cl && cp -a cl.old cl
    set +e; IG_FAIL_WRITE=$n "$IGMAP" $CL -o cl >"$T/out" 2>"$T/err"; st=$?; set -e
    [ "$st" = 3 ] || fail "IG_FAIL_WRITE=$n: exit $st before any table's rename failed"
    grep -q '^igmap: classify: cl/positions.csv: rename failed' "$T/err" && break
    n=$((n + 1)); [ $n -lt 200 ] || fail "no rename failure found"
done
[ "$(state cl cl.old cl.new $CLF)" = "$(state cl.old cl.old cl.new $CLF)" ] || fail "a failed rename left changes"
clean cl
rm -rf cl && cp -a cl.old cl
# renames 1 and 2 work, rename 3 fails (N + 2), the rollback's first rename
# (the third counted) is followed by SIGKILL
set +e; IG_FAIL_WRITE=$((n + 2)) IG_FAIL_KILL_RENAME=3 "$IGMAP" $CL -o cl >"$T/out" 2>"$T/err"; st=$?; set -e
[ "$st" = 137 ] || { cat "$T/err" >&2; fail "kill during rollback: exit $st"; }
[ "$(head -1 cl/.igmap-journal)" = "igmap-commit 1 abort" ] || fail "no abort journal during the rollback"
s=$(state cl cl.old cl.new $CLF)
[ "$s" = onoooo ] || fail "killed in the rollback: state $s, expected the first table put back, the second new"
expect_exit 0 "$IGMAP" info cl/q.igx
[ "$(state cl cl.old cl.new $CLF)" = "$(state cl.old cl.old cl.new $CLF)" ] ||
    fail "recovery of an interrupted rollback: not all old ($(state cl cl.old cl.new $CLF))"
clean cl
echo "classify: a failed rename at call $((n + 2)), killed in its rollback, ended all old"

# ---- map: six tables -------------------------------------------------------
MPF="issues.csv issues_by_process.csv issues_by_group.csv issue_mechanisms.csv gaps.csv map_evidence.csv"
ML="--issues $FX/issues.tsv --mechanisms $FX/mechanisms.tsv --gaps $FX/gaps.tsv"
mkdir mp
expect_exit 0 "$IGMAP" index "$FX/corpus" -o mp/fx.igx --documents mp/documents.csv --quiet
# old and new differ in every table: three issues fewer in the old lexicon
expect_exit 0 "$IGMAP" map mp/fx.igx $ML --issues issues-old.tsv -o mp
cp -a mp mp.old
expect_exit 0 "$IGMAP" map mp/fx.igx $ML -o mp.new
k=1
while [ $k -le 5 ]; do
    rm -rf mp && cp -a mp.old mp
    killed $k "$IGMAP" map mp/fx.igx $ML -o mp
    s=$(state mp mp.old mp.new $MPF)
    mixed "$s" $k
    echo "  killed after rename $k: $s"
    # the next command is map itself, with the old lexicon: it finishes
    # the killed commit first, then writes its own (old) tables
    expect_exit 0 "$IGMAP" map mp/fx.igx $ML --issues issues-old.tsv -o mp
    [ "$(state mp mp.old mp.new $MPF)" = "$(state mp.old mp.old mp.new $MPF)" ] ||
        fail "map after a killed map: not the old tables"
    clean mp
    rm -rf mp && cp -a mp.old mp
    killed $k "$IGMAP" map mp/fx.igx $ML -o mp
    expect_exit 0 "$IGMAP" kwic mp/fx.igx '=igf' -o kw.csv
    s=$(state mp mp.old mp.new $MPF)
    echo "$s" | grep -qx '[ns]*' || fail "map killed after rename $k, then kwic: state $s"
    clean mp
    k=$((k + 1))
done
echo "map: killed after each of renames 1-5; map and kwic finished every commit"

# ---- a journal that does not parse -----------------------------------------
rm -rf o && cp -a ix.old o
printf 'igmap-commit 9 sideways\n' >o/.igmap-journal
expect_exit 1 "$IGMAP" check o/index.igx
expect_err 'igmap: check: o/.igmap-journal:1: not a commit journal igmap knows'
expect_exit 1 "$IGMAP" index "$Q" -o o/index.igx --quiet
expect_err 'igmap: index: o/.igmap-journal:1: not a commit journal igmap knows'
printf 'igmap-commit 1 forward\nindex.igx.tmp.1.x\t../../etc/x\t\n' >o/.igmap-journal
expect_exit 1 "$IGMAP" check o/index.igx
expect_err 'igmap: check: o/.igmap-journal:2: malformed commit journal (a name is neither a file name nor an absolute path)'
[ "$(state o ix.old ix.new $IXF)" = oo ] || fail "a bad journal changed the outputs"
