# Catastrophic backtracking over the vocabulary (FAULTS.md F34, P4).  The
# corpus holds the term "baaa...ac" (34 a's).  /(a+)+b/, the textbook case,
# ends at once with no match: PCRE2 makes the inner a+ possessive (a and b
# cannot overlap), so there is nothing to backtrack.  /(a|aa)+$/ and
# /(a*)*$/ do explode on that term; they stop at IG_REGEX_MATCH_LIMIT with
# a located error, exit 1: as queries (count, kwic) naming the pattern and
# the term, as lexicon rows (classify, map) naming file:line:col and the
# term.  Everything runs in a 256 MiB address space (ulimit -v,
# unsanitised binary) under a timeout, and no output changes.
. "$(dirname "$0")/lib.sh"
need_plain
L="$ROOT/lexicons"
CAP=262144
TERM=baaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac
mkdir c
printf 'Member states on an equal footing. %s here.\nAll stakeholders in their respective roles.\n' $TERM >c/doc.txt
expect_exit 0 "$IGMAP_PLAIN" index c -o q.igx --quiet

vm_limited $CAP "$IGMAP_PLAIN" count q.igx '/(a+)+b/'
[ "$st" = 0 ] || { cat "$T/err" >&2; fail "/(a+)+b/: exit $st"; }
printf 'pattern,matches,documents\n/(a+)+b/,0,0\n' | diff -u - "$T/out" || fail "/(a+)+b/ counted"

for p in '/(a|aa)+$/' '/(a*)*$/'; do
    for cmd in count kwic; do
        vm_limited $CAP "$IGMAP_PLAIN" $cmd q.igx "$p"
        [ "$st" = 1 ] || { cat "$T/err" >&2; fail "$cmd $p: exit $st, expected 1"; }
        grep -qxF "igmap: pattern: $p:1: regex match limit exceeded on term \"$TERM\"" "$T/err" ||
            { cat "$T/err" >&2; fail "$cmd $p: not the located match-limit error"; }
    done
done

# The same as lexicon rows; o/ holds a previous run's tables.
{ printf 'pole\tdimension\tweight\tpattern\n'
  printf 'multilateral\tgeneral\t1\tstates\n'
  printf 'multistakeholder\tgeneral\t1\t/(a|aa)+$/\n'; } >pos.tsv
{ printf 'cluster\tissue\tpattern\n'
  printf 'security\tcybersecurity\t/(a*)*$/\n'; } >iss.tsv
mkdir o && echo keep >o/positions.csv && echo keep >o/issues.csv
vm_limited $CAP "$IGMAP_PLAIN" classify q.igx --lexicon pos.tsv --negators "$L/negators.tsv" -o o --quiet
[ "$st" = 1 ] || { cat "$T/err" >&2; fail "classify: exit $st, expected 1"; }
grep -qxF "igmap: classify: pos.tsv:3:28: regex match limit exceeded on term \"$TERM\"" "$T/err" ||
    { cat "$T/err" >&2; fail "classify: not the located match-limit error"; }
# Two failing rows, resolved on two threads (one each): the error is the
# first row's, as on one thread.
{ printf 'pole\tdimension\tweight\tpattern\n'
  printf 'multilateral\tgeneral\t1\tstates\n'
  printf 'multistakeholder\tgeneral\t1\t/(a|aa)+$/\n'
  printf 'multistakeholder\tgeneral\t1\t/(a*)*$/\n'; } >pos2.tsv
for th in 1 2; do
    vm_limited $CAP "$IGMAP_PLAIN" classify q.igx --lexicon pos2.tsv --negators "$L/negators.tsv" -o o --quiet --threads $th
    [ "$st" = 1 ] || { cat "$T/err" >&2; fail "classify, two bad rows, $th threads: exit $st"; }
    grep -qxF "igmap: classify: pos2.tsv:3:28: regex match limit exceeded on term \"$TERM\"" "$T/err" ||
        { cat "$T/err" >&2; fail "classify, two bad rows, $th threads: not the first row's error"; }
done
vm_limited $CAP "$IGMAP_PLAIN" map q.igx --issues iss.tsv --mechanisms "$L/mechanisms.tsv" -o o
[ "$st" = 1 ] || { cat "$T/err" >&2; fail "map: exit $st, expected 1"; }
grep -qxF "igmap: map: iss.tsv:2:24: regex match limit exceeded on term \"$TERM\"" "$T/err" ||
    { cat "$T/err" >&2; fail "map: not the located match-limit error"; }
[ "$(ls -A o | tr '\n' ' ')" = "issues.csv positions.csv " ] || { ls -A o >&2; fail "files left in o"; }
[ "$(cat o/positions.csv o/issues.csv)" = "$(printf 'keep\nkeep')" ] || fail "o/ tables changed"
