# kwic and count with a pattern that matches nothing: the header alone, and
# zero counts, exit 0.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
expect_exit 0 "$IGMAP" kwic q.igx 'zanzibar'
echo 'doc_id,sentence,section,start,end,left,match,right' >want.csv
diff -u want.csv "$T/out"
expect_exit 0 "$IGMAP" count q.igx '"footing equal"'
printf 'pattern,matches,documents\n"""footing equal""",0,0\n' >want.csv
diff -u want.csv "$T/out"
