# Usage errors of kwic and count exit 2 with a message naming the problem.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
expect_exit 2 "$IGMAP" kwic q.igx
expect_err 'igmap: kwic: expected INDEX PATTERN, got 1 operand'
expect_exit 2 "$IGMAP" count q.igx a b
expect_err 'igmap: count: expected INDEX PATTERN, got 3 operands'
expect_exit 2 "$IGMAP" kwic q.igx x --window abc
expect_err 'igmap: kwic: --window needs a number of words'
expect_exit 2 "$IGMAP" kwic q.igx x --window -1
expect_err 'igmap: kwic: --window needs a number of words'
expect_exit 2 "$IGMAP" kwic q.igx x --window
expect_err 'igmap: kwic: option --window needs a value'
expect_exit 2 "$IGMAP" count q.igx x --frobnicate
expect_err 'igmap: count: unknown option --frobnicate'
expect_exit 2 "$IGMAP" count q.igx x --by
expect_err 'igmap: count: option --by needs a value'
