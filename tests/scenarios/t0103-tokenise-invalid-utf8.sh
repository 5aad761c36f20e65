# Invalid UTF-8 is rejected with its location (F01), exit 1; with
# --on-invalid=replace the bad byte becomes U+FFFD, a separator, and the run
# succeeds.
. "$(dirname "$0")/lib.sh"
printf 'ab\200cd\n' >bad.txt
expect_exit 1 "$IGMAP" tokenise bad.txt
expect_err "igmap: input: bad.txt:1:3: invalid UTF-8"
expect_err "(byte 2)"
printf 'good words\n' >good.txt
expect_exit 1 "$IGMAP" tokenise good.txt bad.txt
grep -q "^good.txt	1	0	word	5	10	1	1	0	words$" "$T/out" || fail "first file's tokens missing"
expect_exit 0 "$IGMAP" tokenise --on-invalid=replace bad.txt
[ "$(cut -f10 "$T/out" | tr '\n' ' ')" = "token ab cd " ] || fail "replace mode tokens: $(cut -f10 "$T/out")"
expect_exit 2 "$IGMAP" tokenise --on-invalid=ignore bad.txt
expect_err "--on-invalid must be error or replace"
