# --on-invalid=replace indexes a document with invalid UTF-8 and counts the
# repair in documents.csv (status "repaired"); strict is the default.
. "$(dirname "$0")/lib.sh"
mkdir c
printf 'ab\200cd and \377 more\n' >c/bad.txt
printf 'clean\n' >c/good.txt
expect_exit 1 "$IGMAP" index c -o o/index.igx
expect_exit 0 "$IGMAP" index c -o o/index.igx --on-invalid=replace --quiet
grep -q '^bad.txt,bad.txt,en,.*,2,0,repaired$' o/documents.csv || fail "$(cat o/documents.csv)"
grep -q '^good.txt,good.txt,en,.*,0,0,ok$' o/documents.csv || fail "$(cat o/documents.csv)"
expect_exit 0 "$IGMAP" check o/index.igx
