# Empty, blank and punctuation-only documents are indexed with zero counts
# and listed, never dropped (F12).
. "$(dirname "$0")/lib.sh"
mkdir c
: >c/empty.txt
printf '   \n\n  \n' >c/blank.txt
printf '... !!! ---\n' >c/punct.txt
expect_exit 0 "$IGMAP" index c -o o/index.igx --quiet
[ "$(wc -l <o/documents.csv)" = 4 ] || fail "$(cat o/documents.csv)"
grep -q '^empty.txt,empty.txt,en,0,0,0,0,' o/documents.csv || fail "$(cat o/documents.csv)"
grep -q '^punct.txt,punct.txt,en,12,12,0,0,' o/documents.csv || fail "$(cat o/documents.csv)"
expect_exit 0 "$IGMAP" check o/index.igx
grep -q '^ok: 3 documents, 0 terms, 0 postings verified$' "$T/out" || fail "$(cat "$T/out")"
