# info prints statistics as "key: value" lines.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/index/basic" -o i.igx --quiet
expect_exit 0 "$IGMAP" info i.igx
for line in 'format_version: 2' 'documents: 3' 'languages: en(english) fr(french)' \
    'columns: id path process date submitter stakeholder_group country language note' \
    'fingerprint.normalisation: NFKC+casefold' 'text_bytes: 467'; do
    grep -qxF "$line" "$T/out" || fail "info lacks \"$line\": $(cat "$T/out")"
done
grep -q '^terms: [1-9][0-9]*$' "$T/out" || fail "no term count"
grep -q '^section_postings: [1-9][0-9]* bytes at [0-9]*$' "$T/out" || fail "no section sizes"
grep -q '^fingerprint.utf8proc: [0-9.]*$' "$T/out" || fail "no utf8proc version"
grep -q '^fingerprint.stemmer: ' "$T/out" || fail "no stemmer version"
