# Usage errors of `igmap stem` exit 2: it reads only standard input.
. "$(dirname "$0")/lib.sh"
expect_exit 2 "$IGMAP" stem file.tsv
expect_err 'igmap: stem: unexpected operand "file.tsv" (stem reads standard input)'
expect_exit 2 "$IGMAP" stem --frob en
expect_err "unknown option --frob"
expect_exit 2 "$IGMAP" stem --language
expect_err "option --language needs a value"
