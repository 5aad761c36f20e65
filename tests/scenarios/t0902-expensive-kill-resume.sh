# Kill and resume (issue 6; FAULTS.md P1, F46, F47, F48, test method 3).
# On a generated corpus, `igmap index` is killed at random points, by
# SIGKILL and by SIGINT in turn, over and over.  After each kill index.igx
# and documents.csv are each byte for byte the old or the new version
# (never truncated), and once `igmap check` has run (it passes on whatever
# index survived, and finishes a commit the kill interrupted between the
# two renames: out.c's journal) they are the same version, never the new
# index beside the old table.  A SIGINT leaves none of its temporary files
# but those a journal names (a SIGKILL cannot clean up: the next run must
# sweep those).  Finally an uninterrupted run finishes the job: the new outputs,
# no temporary file left.  (t0940 kills between the renames on purpose.)
. "$(dirname "$0")/lib.sh"
ROUNDS=${KILL_ROUNDS:-30}
mkdir c
i=0
while [ $i -lt 48 ]; do
    yes "Document $i: enhanced cooperation on Internet-related public policy issues, multi-stakeholder and multilateral, on an equal footing." |
        head -c 200000 >c/d$i.txt
    i=$((i + 1))
done
IX="index c -o o/index.igx --documents o/documents.csv --quiet"
# The old outputs come from a smaller corpus; the new ones from all of c.
mkdir c0; cp c/d1.txt c/d2.txt c0/
expect_exit 0 "$IGMAP" index c0 -o o/index.igx --documents o/documents.csv --quiet
cp -a o o.old
t0=$(date +%s%N)
expect_exit 0 "$IGMAP" index c -o ref/index.igx --documents ref/documents.csv --quiet
t1=$(date +%s%N)
ms=$(( (t1 - t0) / 1000000 + 1 ))
echo "one run: $ms ms"
! cmp -s o/index.igx ref/index.igx || fail "old and new index should differ"

old_or_new() { # FILE
    cmp -s "o/$1" "o.old/$1" && { echo old; return; }
    cmp -s "o/$1" "ref/$1" && { echo new; return; }
    fail "o/$1 is neither the old nor the new version ($(wc -c <"o/$1") bytes)"
}
rnd() { od -An -N2 -tu2 /dev/urandom | tr -d ' '; }

r=0 mixed=0
while [ $r -lt $ROUNDS ]; do
    sig=KILL; [ $((r % 2)) = 1 ] && sig=INT
    # a point anywhere in the run, including the very start and the commit
    at=$(( $(rnd) % (ms + ms / 2 + 1) ))
    "$IGMAP" $IX >"$T/out" 2>"$T/err" &
    pid=$!
    sleep "$(printf '%d.%03d' $((at / 1000)) $((at % 1000)))"
    kill -s $sig $pid 2>/dev/null || true
    set +e; wait $pid; st=$?; set -e
    case "$sig:$st" in
        *:0) ;;                          # finished before the signal
        KILL:137) ;;
        INT:130) # its own temporary files are gone (a SIGKILLed run's stay
                 # until a run sweeps them), unless a journal names them
                 [ -e o/.igmap-journal ] || ! ls -A o | grep -q "\.tmp\.$pid\." ||
                     { ls -A o >&2; fail "round $r: SIGINT left its temporary files"; } ;;
        *) cat "$T/err" >&2; fail "round $r: SIG$sig at $at ms: exit $st" ;;
    esac
    ! grep -q 'Sanitizer\|runtime error' "$T/err" || { cat "$T/err" >&2; fail "round $r: sanitizer report"; }
    a=$(old_or_new index.igx); b=$(old_or_new documents.csv)
    if [ "$a" != "$b" ]; then
        # Killed between the two renames: the journal says how to finish.
        [ "$a" = new ] || fail "round $r: old index with new documents.csv"
        [ -e o/.igmap-journal ] || fail "round $r: a mix with no journal to finish it"
        mixed=$((mixed + 1))
    fi
    expect_exit 0 "$IGMAP" check o/index.igx
    a2=$(old_or_new index.igx); b2=$(old_or_new documents.csv)
    [ "$a2" = "$b2" ] || fail "round $r: after igmap check, index $a2 beside documents.csv $b2"
    [ ! -e o/.igmap-journal ] || fail "round $r: igmap check left the journal"
    echo "round $r: SIG$sig at $at ms: exit $st, index $a, documents.csv $b; after check both $a2"
    # back to the old outputs, keeping any temporary file a SIGKILL left
    cp o.old/index.igx o.old/documents.csv o/
    r=$((r + 1))
done
[ $mixed = 0 ] || echo "$mixed rounds were killed between the two renames; check finished them"

# The next run finishes the job and sweeps what the killed runs left.
expect_exit 0 "$IGMAP" $IX
cmp -s o/index.igx ref/index.igx && cmp -s o/documents.csv ref/documents.csv ||
    fail "the resumed run did not write the new outputs"
no_temp_files o
[ "$(ls -A o | grep -v '^\.igmap-lock$' | tr '\n' ' ')" = "documents.csv index.igx " ] ||
    { ls -A o >&2; fail "extra files left in o"; }
expect_exit 0 "$IGMAP" check o/index.igx
