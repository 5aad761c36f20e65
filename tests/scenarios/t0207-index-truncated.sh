# An index cut short (a copy interrupted, a full disk) is reported as
# truncated, with the byte offset, by info and check (F39).
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/index/basic" -o i.igx --quiet
size=$(wc -c <i.igx)
for cut in 40 $((size / 2)) $((size - 1)); do
    head -c "$cut" i.igx >cut.igx
    expect_exit 1 "$IGMAP" check cut.igx
    expect_err "igmap: index: cut.igx: "
    expect_err 'truncated'
    expect_err '(byte '
done
expect_exit 1 "$IGMAP" info cut.igx
expect_err 'truncated'
