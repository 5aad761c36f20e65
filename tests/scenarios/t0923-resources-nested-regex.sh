# Deeply nested regexes (FAULTS.md F35, P4): /((((...a...))))/ with 10,000
# levels, as a query (count, kwic) and as a lexicon row (lint, classify,
# map), and with 2,000 levels, which fits IG_REGEX_MAX_PATTERN (4096
# bytes) and so reaches PCRE2's nesting limit (IG_REGEX_NEST_LIMIT, 250).
# Each ends at once with a located error, exit 1, in a 256 MiB address
# space (ulimit -v, unsanitised binary) and under a timeout; no output
# file is written or changed.
. "$(dirname "$0")/lib.sh"
need_plain
L="$ROOT/lexicons"
nest() { awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++) printf "("; printf "a"; for (i = 0; i < n; i++) printf ")" }'; }
D10K=$(nest 10000)
D2K=$(nest 2000)
CAP=262144
expect_exit 0 "$IGMAP_PLAIN" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
LONG='regex error: pattern string is longer than the limit set by the application'
DEEP='regex error: parentheses are too deeply nested'

# run_bounded WANT_REGEX CMD...: under the cap, exit 1 and stderr matching
# WANT_REGEX on its first line
run_bounded() {
    want=$1; shift
    vm_limited $CAP "$@"
    [ "$st" = 1 ] || { cat "$T/err" >&2; fail "$2 $3: exit $st, expected 1"; }
    head -1 "$T/err" | grep -Eq -- "$want" || { cat "$T/err" >&2; fail "$2: message lacks /$want/"; }
}

# Queries: the column is where the regex starts inside the pattern.
run_bounded "^igmap: pattern: /\(+\.\.\.:2: $LONG$" "$IGMAP_PLAIN" count q.igx "/$D10K/"
run_bounded "^igmap: pattern: /\(+\.\.\.:2: $LONG$" "$IGMAP_PLAIN" kwic q.igx "/$D10K/"
run_bounded "^igmap: pattern: /\(+\.\.\.:253: $DEEP$" "$IGMAP_PLAIN" count q.igx "/$D2K/"
run_bounded "^igmap: pattern: /\(+\.\.\.:253: $DEEP$" "$IGMAP_PLAIN" kwic q.igx "/$D2K/" --sentence
printf '=states\n/%s/\n/%s/\n' "$D10K" "$D2K" >pats.txt
run_bounded "^igmap: count: pats.txt:2:2: $LONG$" "$IGMAP_PLAIN" count q.igx --patterns pats.txt
grep -qx "igmap: count: pats.txt:3:253: $DEEP" "$T/err" || { cat "$T/err" >&2; fail "the second bad pattern is not listed"; }

# Lexicons: positions (lint, classify) and issues (map).
{ printf 'pole\tdimension\tweight\tpattern\n'
  printf 'multilateral\tgeneral\t1\tstates\n'
  printf 'multistakeholder\tgeneral\t1\t/%s/\n' "$D10K"
  printf 'multistakeholder\tgeneral\t1\t/%s/\n' "$D2K"; } >pos.tsv
{ printf 'cluster\tissue\tpattern\n'
  printf 'security\tcybersecurity\t/%s/\n' "$D10K"; } >iss.tsv
run_bounded "^igmap: lint: pos.tsv:3:29: $LONG$" "$IGMAP_PLAIN" lint pos.tsv
grep -qx "igmap: lint: pos.tsv:4:280: $DEEP" "$T/err" || { cat "$T/err" >&2; fail "lint did not list line 4"; }
mkdir o && echo keep >o/positions.csv
run_bounded "^igmap: classify: pos.tsv:3:29: $LONG$" "$IGMAP_PLAIN" classify q.igx \
    --lexicon pos.tsv --negators "$L/negators.tsv" -o o --quiet
run_bounded "^igmap: map: iss.tsv:2:25: $LONG$" "$IGMAP_PLAIN" map q.igx --issues iss.tsv \
    --mechanisms "$L/mechanisms.tsv" -o o
[ "$(ls -A o)" = positions.csv ] && [ "$(cat o/positions.csv)" = keep ] || fail "o/ changed"
