# An index of another format version is refused by name, not as damage.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/index/basic" -o i.igx --quiet
printf '\007' | dd of=i.igx bs=1 seek=8 conv=notrunc 2>/dev/null
expect_exit 1 "$IGMAP" check i.igx
expect_err 'igmap: index: i.igx: format version 7 not supported (expected 2) (byte 8)'
