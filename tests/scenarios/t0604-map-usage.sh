# map: usage errors are exit 2 with a message saying what is wrong, and
# nothing is written.
. "$(dirname "$0")/lib.sh"
FX="$ROOT/tests/fixtures/map"
L="--issues $FX/issues.tsv --mechanisms $FX/mechanisms.tsv"
expect_exit 0 "$IGMAP" index "$FX/corpus" -o fx.igx --quiet
expect_exit 2 "$IGMAP" map
expect_err "igmap: map: expected one INDEX, got 0 operands"
expect_exit 2 "$IGMAP" map fx.igx fx.igx $L -o res
expect_err "expected one INDEX, got 2 operands"
expect_exit 2 "$IGMAP" map fx.igx --mechanisms "$FX/mechanisms.tsv" -o res
expect_err "--issues and --mechanisms are required"
expect_exit 2 "$IGMAP" map fx.igx $L
expect_err "-o DIR is required"
expect_exit 2 "$IGMAP" map fx.igx $L -o res --unit words
expect_err '--unit must be sentence, paragraph or window:N (N from 1 to 1000), not "words"'
expect_exit 2 "$IGMAP" map fx.igx $L -o res --unit window:0
expect_err 'not "window:0"'
expect_exit 2 "$IGMAP" map fx.igx $L -o res --min-mentions 0
expect_err "--min-mentions must be at least 1"
expect_exit 2 "$IGMAP" map fx.igx $L -o res --min-mentions two
expect_err '--min-mentions needs a whole number, not "two"'
expect_exit 2 "$IGMAP" map fx.igx $L -o res --lean 0,5
expect_err '--lean needs a decimal number, not "0,5"'
expect_exit 2 "$IGMAP" map fx.igx $L -o res --lean 1.5
expect_err "--lean must be a number in (0, 1]"
expect_exit 2 "$IGMAP" map fx.igx $L -o res --contested-share 0.7
expect_err "--contested-share must be a number in (0, 0.5]"
expect_exit 2 "$IGMAP" map fx.igx $L -o res --frobnicate
expect_err "unknown option --frobnicate"
expect_exit 2 "$IGMAP" map fx.igx $L -o res --positions
expect_err "option --positions needs a value"
[ ! -e res ] || fail "a usage error wrote output"
