# map: an index that is missing (exit 3) or damaged (exit 1) is reported
# before any output directory is made.
. "$(dirname "$0")/lib.sh"
FX="$ROOT/tests/fixtures/map"
L="--issues $FX/issues.tsv --mechanisms $FX/mechanisms.tsv"
expect_exit 3 "$IGMAP" map nothere.igx $L -o res
expect_err "nothere.igx"
printf 'not an index at all\n' >bad.igx
expect_exit 1 "$IGMAP" map bad.igx $L -o res
expect_err "bad.igx"
[ ! -e res ] || fail "output directory created for a bad index"
