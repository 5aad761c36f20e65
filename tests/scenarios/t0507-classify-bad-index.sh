# classify on a missing index (exit 3 with the OS reason), on a file that is
# not an index and on a damaged one (exit 1, located): no output directory
# contents are created.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
expect_exit 3 "$IGMAP" classify missing.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res
expect_err 'missing.igx'
expect_err 'No such file or directory'
echo 'not an index at all' >junk.igx
expect_exit 1 "$IGMAP" classify junk.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res
expect_err 'igmap: index: junk.igx'
expect_err 'not an igmap index'
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/index/basic" -o i.igx --quiet
printf '\007' | dd of=i.igx bs=1 seek=8 conv=notrunc 2>/dev/null
expect_exit 1 "$IGMAP" classify i.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res
expect_err 'format version 7 not supported'
[ ! -e res ] || [ -z "$(ls res)" ] || fail "files written for a bad index: $(ls res)"
