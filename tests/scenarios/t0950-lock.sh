# The output directory lock (FAULTS.md F50; pipeline/lock.h).  While one
# process holds o/'s lock (here `igmap lock o -- sh ...`, as make holds it
# for a whole run):
#  - every command that writes into o (index, classify, map, provenance,
#    report) stops at once, exit 3, with "o is locked by pid N (started
#    ... UTC: COMMAND)" naming the holder, and changes nothing;
#  - commands that only read (check, kwic, count, info) run;
#  - commands started by the holder share its lock and run;
#  - IGMAP_LOCK_WAIT=SECONDS waits (saying so once) and proceeds as soon as
#    the holder is done, or gives up with the same message;
#  - SIGTERM to `igmap lock` is passed on to its command.
# A holder killed by SIGKILL leaves no lock behind: while a process it
# started still runs, that process holds the lock and the message says the
# recorded pid has ended; once it is gone too, the next command runs at
# once, whatever stale line the lock file still holds.
. "$(dirname "$0")/lib.sh"
FX="$ROOT/tests/fixtures/report/corpus"
L="$ROOT/lexicons"
CL="--lexicon $L/positions.tsv --negators $L/negators.tsv --quiet"
ML="--issues $L/issues.tsv --mechanisms $L/mechanisms.tsv --gaps $L/gaps.tsv"
expect_exit 0 "$IGMAP" index "$FX" -o o/index.igx --quiet
expect_exit 0 "$IGMAP" classify o/index.igx $CL -o o
expect_exit 0 "$IGMAP" map o/index.igx $ML -o o
expect_exit 0 "$IGMAP" provenance o --corpus "$FX" -o o/provenance.json
expect_exit 0 "$IGMAP" report o -o o/report.html
# another program's .lock beside our outputs: never touched
echo 'not ours' >o/.lock
snap() { (cd o && ls -A | grep -vx '\.igmap-lock' && cksum $(ls -A | grep -vx '\.igmap-lock')); }
snap >before

# wait_for FILE: until FILE exists (bounded)
wait_for() {
    n=0
    while [ ! -e "$1" ]; do
        n=$((n + 1)); [ $n -lt 400 ] || fail "$1 never appeared"; sleep 0.05
    done
}

mkfifo gate
# a failing check must not leave a holder blocked on the fifo: SIGTERM to
# igmap lock reaches its command
holder=
trap '[ -z "$holder" ] || kill -TERM $holder 2>/dev/null || true; rm -rf "$T"' EXIT
"$IGMAP" lock o -- sh -c 'echo held >ready; read x <gate' &
holder=$!
wait_for ready
HELD="o is locked by pid $holder \\(started [0-9-]+ [0-9:]+ UTC: igmap lock o -- sh -c echo held >ready; read x <gate\\)"

# Writers stop at once, naming the holder.
for cmd in "index $FX -o o/index.igx --quiet" "classify o/index.igx $CL -o o" \
           "map o/index.igx $ML -o o" "provenance o --corpus $FX -o o/provenance.json" \
           "report o -o o/report.html"; do
    stage=${cmd%% *}
    expect_exit 3 timeout 60 "$IGMAP" $cmd
    grep -Eqx "igmap: $stage: $HELD; wait for it to finish, or set IGMAP_LOCK_WAIT=SECONDS to wait" "$T/err" ||
        { cat "$T/err" >&2; fail "$stage: not the message naming the holder"; }
done
snap >now
cmp -s before now || fail "outputs changed while the lock was held"

# Readers run.
expect_exit 0 "$IGMAP" check o/index.igx
expect_exit 0 "$IGMAP" count o/index.igx '=stakeholders'
expect_exit 0 "$IGMAP" kwic o/index.igx '=stakeholders' -o kw.csv

# A bounded wait that runs out; a bad value.
expect_exit 3 env IGMAP_LOCK_WAIT=1 timeout 60 "$IGMAP" index "$FX" -o o/index.igx --quiet
grep -Eqx "igmap: index: waiting up to 1 s for o, locked by pid $holder .*" "$T/err" ||
    { cat "$T/err" >&2; fail "no waiting line"; }
grep -Eqx "igmap: index: $HELD; wait for it to finish" "$T/err" ||
    { cat "$T/err" >&2; fail "the wait ran out without the holder's message"; }
expect_exit 2 env IGMAP_LOCK_WAIT=soon "$IGMAP" index "$FX" -o o/index.igx --quiet
expect_err 'igmap: index: IGMAP_LOCK_WAIT wants whole seconds from 0 to 86400'

# A wait that succeeds once the holder is done.
IGMAP_LOCK_WAIT=120 timeout 150 "$IGMAP" index "$FX" -o o/index.igx --quiet 2>waiter.err &
waiter=$!
wait_for waiter.err
n=0
until grep -q 'waiting up to 120 s' waiter.err; do
    n=$((n + 1)); [ $n -lt 400 ] || fail "the waiter never said it waits"; sleep 0.05
done
echo go >gate
wait $holder || fail "the holder failed"
wait $waiter || { cat waiter.err >&2; fail "the waiter did not run after the holder ended"; }
snap >now
cmp -s before now || fail "the waiter's index differs"

# Commands under the holder share its lock.
expect_exit 0 "$IGMAP" lock o -- sh -c "\"$IGMAP\" index \"$FX\" -o o/index.igx --quiet &&
    \"$IGMAP\" classify o/index.igx $CL -o o && \"$IGMAP\" map o/index.igx $ML -o o"
snap >now
cmp -s before now || fail "the commands under igmap lock wrote other outputs"
expect_exit 7 "$IGMAP" lock o -- sh -c 'exit 7'
expect_exit 127 "$IGMAP" lock o -- ./no-such-command
expect_err 'igmap: lock: cannot run ./no-such-command'
expect_exit 2 "$IGMAP" lock o sh -c true
expect_err 'expected DIR -- COMMAND'

# SIGTERM to igmap lock reaches the command; the status says so (143).
"$IGMAP" lock o -- sh -c 'echo $$ >termchild; exec sleep 300' &
holder=$!
wait_for termchild
sleep 0.1
kill -TERM $holder
set +e; wait $holder; st=$?; set -e
[ "$st" = 143 ] || fail "igmap lock after SIGTERM: exit $st, expected 143"
! kill -0 "$(cat termchild)" 2>/dev/null || fail "SIGTERM did not reach the command"

# A holder killed by SIGKILL: its child still holds the lock, and is named
# as such; once the child is gone, nothing is left to wait for.
"$IGMAP" lock o -- sh -c 'echo $$ >child; exec sleep 300' &
holder=$!
wait_for child
sleep 0.1
kill -KILL $holder
wait $holder 2>/dev/null || true
expect_exit 3 timeout 60 "$IGMAP" index "$FX" -o o/index.igx --quiet
expect_err "o is locked by pid $holder (started "
expect_err "; that process has ended, but one it started still holds the lock"
kill -KILL "$(cat child)"
n=0
while kill -0 "$(cat child)" 2>/dev/null; do
    n=$((n + 1)); [ $n -lt 200 ] || fail "the child did not die"; sleep 0.05
done
grep -q "^$holder	" o/.igmap-lock || fail "the stale line of the killed holder is gone"
expect_exit 0 timeout 60 "$IGMAP" index "$FX" -o o/index.igx --quiet
grep -q "^[0-9]*	[0-9]*	igmap index " o/.igmap-lock || fail "the new holder did not write its line"
[ "$(cat o/.lock)" = 'not ours' ] || fail "a foreign .lock file was touched"
