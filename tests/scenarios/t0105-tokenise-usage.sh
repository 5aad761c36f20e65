# Usage errors of `igmap tokenise` exit 2 with a message.
. "$(dirname "$0")/lib.sh"
printf 'x\n' >a.txt
expect_exit 2 "$IGMAP" tokenise
expect_err "igmap: tokenise: expected at least one FILE"
expect_exit 2 "$IGMAP" tokenise --frobnicate a.txt
expect_err "unknown option --frobnicate"
expect_exit 2 "$IGMAP" tokenise a.txt --section-pattern
expect_err "option --section-pattern needs a value"
expect_exit 2 "$IGMAP" tokenise --section-pattern '(Question' a.txt
expect_err 'section pattern "(Question": missing closing parenthesis at offset 9'
expect_exit 0 "$IGMAP" tokenize a.txt
