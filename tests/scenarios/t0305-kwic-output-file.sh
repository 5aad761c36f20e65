# kwic -o FILE: the same bytes as standard output, written atomically (no
# temp file left); --excel adds a UTF-8 BOM; a failing query leaves an
# existing output file untouched.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
expect_exit 0 "$IGMAP" kwic q.igx 'sovereign*'
cp "$T/out" stdout.csv
expect_exit 0 "$IGMAP" kwic q.igx 'sovereign*' -o res.csv
[ ! -s "$T/out" ] || fail "kwic -o also wrote to stdout"
cmp stdout.csv res.csv || fail "-o output differs from stdout"
no_temp_files "$T"
expect_exit 0 "$IGMAP" kwic --excel -o excel.csv q.igx 'sovereign*'
printf '\357\273\277' >want.csv
cat stdout.csv >>want.csv
cmp want.csv excel.csv || fail "--excel is not BOM + the same CSV"
cp res.csv before.csv
expect_exit 1 "$IGMAP" kwic q.igx '"sovereign' -o res.csv
cmp before.csv res.csv || fail "failed query changed the output file"
no_temp_files "$T"
