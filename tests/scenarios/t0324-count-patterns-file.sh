# count --patterns FILE: one row per pattern in file order, comments and
# blank lines skipped, CRLF accepted; with --by, tidy rows per pattern and
# value; bad patterns all listed as FILE:LINE:COL before anything runs.
. "$(dirname "$0")/lib.sh"
"$IGMAP" index "$ROOT/tests/fixtures/query" -o idx.igx --quiet
printf '# a comment\n"equal footing"\n\n  sovereign*\r\nmultistakeholder\n' >pats.txt
expect_exit 0 "$IGMAP" count idx.igx --patterns pats.txt
head -1 "$T/out" | grep -qx 'pattern,matches,documents' || fail "bad header"
[ "$(wc -l <"$T/out")" = 4 ] || fail "expected 3 rows"
sed -n 2p "$T/out" | grep -q '^"""equal footing""",' || fail "first row is not the phrase"
sed -n 3p "$T/out" | grep -q '^sovereign\*,' || fail "second row is not sovereign*"
# Each row equals the single-pattern count.
for p in '"equal footing"' 'sovereign*' 'multistakeholder'; do
    "$IGMAP" count idx.igx "$p" | tail -1 >one.csv
    grep -qxF "$(cat one.csv)" "$T/out" || fail "batch row differs for $p"
done
expect_exit 0 "$IGMAP" count idx.igx --patterns pats.txt --by stakeholder_group
head -1 "$T/out" | grep -qx 'pattern,value,matches,documents' || fail "bad --by header"
printf 'ok\n"unterminated\n/(x/\n' >bad.txt
expect_exit 1 "$IGMAP" count idx.igx --patterns bad.txt
expect_err 'igmap: count: bad.txt:2:1: unterminated phrase'
expect_err 'igmap: count: bad.txt:3:4: regex error: missing closing parenthesis'
expect_err '2 bad patterns; nothing was counted'
[ ! -s "$T/out" ] || fail "output written despite bad patterns"
printf '# only a comment\n\n' >empty.txt
expect_exit 1 "$IGMAP" count idx.igx --patterns empty.txt
expect_err 'no patterns'
expect_exit 2 "$IGMAP" count idx.igx '"x"' --patterns pats.txt
