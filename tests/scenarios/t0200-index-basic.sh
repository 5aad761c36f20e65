# index a small corpus with a manifest (one document gzipped, one French):
# exit 0, silent when stderr is not a terminal, both outputs in place,
# no temporary file left, and the index verifies end to end.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/index/basic" -o o/basic/index.igx
[ ! -s "$T/err" ] || fail "stderr not empty: $(cat "$T/err")"
[ -s o/basic/index.igx ] || fail "no index"
[ -s o/basic/documents.csv ] || fail "no documents.csv beside the index"
no_temp_files o
expect_exit 0 "$IGMAP" check o/basic/index.igx
grep -qx 'ok: 3 documents, [0-9]* terms, [0-9]* postings verified' "$T/out" ||
    fail "check said: $(cat "$T/out")"
