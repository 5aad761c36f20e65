# NUL bytes are binary data (F07, exit 1) unless --allow-nul, which makes NUL
# a separator.
. "$(dirname "$0")/lib.sh"
printf 'ab\000cd\n' >nul.txt
expect_exit 1 "$IGMAP" tokenise nul.txt
expect_err "nul.txt"
expect_err "NUL"
expect_exit 0 "$IGMAP" tokenise --allow-nul nul.txt
[ "$(cut -f5,6,10 "$T/out" | tail -n +2 | tr '\n\t' ' :')" = "0:2:ab 3:5:cd " ] ||
    fail "--allow-nul tokens: $(cat "$T/out")"
