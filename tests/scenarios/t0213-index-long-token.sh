# An over-long token (a base64 blob) fails by default with its location;
# --on-long-token=truncate indexes it, counted as truncated (F15).
. "$(dirname "$0")/lib.sh"
mkdir c
{ printf 'before '; head -c 40000 /dev/zero | tr '\0' 'a'; printf ' after\n'; } >c/blob.txt
expect_exit 1 "$IGMAP" index c -o o/index.igx
expect_err 'blob.txt:1'
expect_err '32768'
[ ! -e o/index.igx ] || fail "index written"
expect_exit 0 "$IGMAP" index c -o o/index.igx --on-long-token=truncate --quiet
grep -q '^blob.txt,blob.txt,en,40014,40014,0,3,.*,0,1,repaired$' o/documents.csv ||
    fail "$(cat o/documents.csv)"
