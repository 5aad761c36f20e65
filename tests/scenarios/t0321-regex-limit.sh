# Catastrophic backtracking (F34): /(a+)+$/ against a long aaa...b term stops
# promptly at the PCRE2 match limit with a located error (exit 1), even when
# the pattern tries to raise the limit; a 1000-deep nested regex is refused
# at compile time (F35).
. "$(dirname "$0")/lib.sh"
mkdir corpus
printf 'A normal sentence. aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab here.\n' >corpus/doc.txt
expect_exit 0 "$IGMAP" index corpus -o q.igx --quiet
expect_exit 1 timeout 60 "$IGMAP" count q.igx '/(a+)+$/'
expect_err 'igmap: pattern: /(a+)+$/:1: regex match limit exceeded on term "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab"'
expect_exit 1 timeout 60 "$IGMAP" kwic q.igx '/(*LIMIT_MATCH=4000000000)(a+)+$/'
expect_err 'regex match limit exceeded on term'
expect_exit 0 "$IGMAP" count q.igx '/^a+b$/'
printf 'pattern,matches,documents\n/^a+b$/,1,1\n' >want.csv
diff -u want.csv "$T/out"
deep=$(awk 'BEGIN { for (i = 0; i < 1000; i++) printf "("; printf "a"; for (i = 0; i < 1000; i++) printf ")" }')
expect_exit 1 "$IGMAP" count q.igx "/$deep/"
expect_err 'regex error: parentheses are too deeply nested'
