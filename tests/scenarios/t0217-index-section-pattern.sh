# --section-pattern sets the heading pattern (numbers from its first
# group); it is recorded in the index fingerprint.
. "$(dirname "$0")/lib.sh"
mkdir c
printf 'Part 3\nText one.\n\nPart 7\nText two.\n' >c/q.txt
expect_exit 0 "$IGMAP" index c -o o/index.igx --quiet --section-pattern '^part\s+(\d+)'
grep -q '^q.txt,q.txt,en,.*,7,[0-9a-f]*,0,0,ok$' o/documents.csv || fail "$(cat o/documents.csv)"
expect_exit 0 "$IGMAP" info o/index.igx
grep -qxF 'fingerprint.section_pattern: ^part\s+(\d+)' "$T/out" || fail "$(cat "$T/out")"
