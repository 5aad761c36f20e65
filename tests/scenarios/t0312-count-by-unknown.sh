# count --by with a column the index does not have: usage error (exit 2)
# naming the available columns; nothing written.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
expect_exit 2 "$IGMAP" count q.igx stakeholder --by stakeholder -o res.csv
expect_err 'igmap: count: unknown column "stakeholder" for --by; the index has: id, path, stakeholder_group, country, language'
[ ! -e res.csv ] || fail "res.csv written"
no_temp_files "$T"
