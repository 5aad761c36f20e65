# Temporary files left by a killed run (a dead pid) are removed by the next
# run in that directory (F48); the output directory is created as needed.
. "$(dirname "$0")/lib.sh"
mkdir -p o/deep
: >o/deep/index.igx.tmp.999999999.abcdef
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/index/walk" -o o/deep/index.igx --quiet
no_temp_files o
[ -s o/deep/index.igx ] || fail "no index"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/index/walk" -o new/dir/index.igx --quiet
[ -s new/dir/index.igx ] && [ -s new/dir/documents.csv ] || fail "directories not created"
