# Bad patterns: exit 1 with "igmap: pattern: <pattern>:<column>: <what>",
# from kwic and count alike, before any output is created.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
check() { # pattern, expected message
    for cmd in kwic count; do
        expect_exit 1 "$IGMAP" "$cmd" q.igx "$1" -o res.csv
        [ "$(cat "$T/err")" = "$2" ] || { cat "$T/err" >&2; fail "$cmd '$1': want $2"; }
        [ ! -e res.csv ] || fail "$cmd '$1' wrote res.csv"
    done
}
check '"equal footing' 'igmap: pattern: "equal footing:1: unterminated phrase'
check '/(foo/' 'igmap: pattern: /(foo/:6: regex error: missing closing parenthesis'
check 'equal footing' 'igmap: pattern: equal footing:7: two patterns side by side: quote them for a phrase or join them with NEAR/n'
check 'a NEAR b' 'igmap: pattern: a NEAR b:3: NEAR needs a distance, as in NEAR/5'
check 'sov*ereign' "igmap: pattern: sov*ereign:4: '*' is allowed only at the end of a word"
check '""' 'igmap: pattern: "":1: empty phrase'
check '"a NEAR/2 b"' 'igmap: pattern: "a NEAR/2 b":4: NEAR cannot be used inside a phrase'
check '' 'igmap: pattern: :1: empty pattern'
no_temp_files "$T"
# A syntax error is reported even without an index.
expect_exit 1 "$IGMAP" count missing.igx '"x'
expect_err 'igmap: pattern: "x:1: unterminated phrase'
