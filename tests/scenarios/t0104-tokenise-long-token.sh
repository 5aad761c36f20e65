# A token over IG_MAX_TOKEN_BYTES (32768) is a located error by default
# (F15, exit 1); --on-long-token=truncate cuts it at the cap and goes on.
. "$(dirname "$0")/lib.sh"
{ printf 'first line\nok '; head -c 40000 /dev/zero | tr '\0' 'x'; printf ' after\n'; } >long.txt
expect_exit 1 "$IGMAP" tokenise long.txt
expect_err "igmap: tokenise: long.txt:2:4: token exceeds IG_MAX_TOKEN_BYTES (32768) (byte 14)"
expect_exit 0 "$IGMAP" tokenise --on-long-token=truncate long.txt
[ "$(sed -n 5p "$T/out" | cut -f10 | wc -c)" = 32769 ] || fail "token not cut to 32768 bytes"
[ "$(sed -n 5p "$T/out" | cut -f5,6)" = "$(printf '14\t40014')" ] || fail "byte range of the cut token"
[ "$(sed -n 6p "$T/out" | cut -f2,10)" = "$(printf '4\tafter')" ] || fail "tokens after the cut one"
expect_exit 0 "$IGMAP" tokenise --on-long-token=error long.txt --on-long-token=truncate
expect_exit 2 "$IGMAP" tokenise --on-long-token=cut long.txt
expect_err "--on-long-token must be error or truncate"
