# `igmap stem` validates its input: the header and every line; the first
# malformed one is a located error "<stdin>:LINE: ..." with exit 1.
. "$(dirname "$0")/lib.sh"
H='file\tpos\tspan\tkind\tstart\tend\tsentence\tparagraph\tsection\ttoken\n'
OK='a.txt\t0\t0\tword\t0\t5\t1\t1\t0\twords\n'
check() { # check LINE MESSAGE PRINTF-FORMAT
    printf "$3" >in.tsv
    expect_exit 1 sh -c '"$0" stem <in.tsv' "$IGMAP"
    expect_err "igmap: stem: <stdin>:$1: $2"
}
check 1 "expected the header line of \`igmap tokenise\` output" 'file\tpos\n'
check 1 "expected the header line" "$OK"
check 3 "expected 10 tab-separated fields, got 3" "$H$OK"'a\tb\tc\n'
check 2 'field "pos" is not a number: "x"' "$H"'a.txt\tx\t0\tword\t0\t5\t1\t1\t0\tw\n'
check 2 'field "sentence" is not a number: "-1"' "$H"'a.txt\t0\t0\tword\t0\t5\t-1\t1\t0\tw\n'
check 2 'field "pos" is not a number: "4294967296"' "$H"'a.txt\t4294967296\t0\tword\t0\t5\t1\t1\t0\tw\n'
check 2 'unknown kind "noun" (expected word, part or joined)' "$H"'a.txt\t0\t0\tnoun\t0\t5\t1\t1\t0\tw\n'
check 2 "start 9 is after end 5" "$H"'a.txt\t0\t0\tword\t9\t5\t1\t1\t0\tw\n'
check 2 "empty token" "$H"'a.txt\t0\t0\tword\t0\t5\t1\t1\t0\t\n'
check 2 'empty field "file"' "$H"'\t0\t0\tword\t0\t5\t1\t1\t0\tw\n'
check 2 "token is not valid UTF-8" "$H"'a.txt\t0\t0\tword\t0\t5\t1\t1\t0\tw\377\n'
check 2 'bad escape in token' "$H"'a.txt\t0\t0\tword\t0\t5\t1\t1\t0\tw\\q\n'
check 4 "expected 10 tab-separated fields, got 11" "$H$OK$OK"'a.txt\t0\t0\tword\t0\t5\t1\t1\t0\tw\tstem\n'
: >empty.tsv
expect_exit 1 sh -c '"$0" stem <empty.tsv' "$IGMAP"
expect_err "igmap: stem: <stdin>: empty input"
# well-formed input, CRLF line ends and no final newline are accepted
printf "$H$OK"'a.txt\t1\t0\tword\t6\t9\t1\t1\t0\truns' >ok.tsv
expect_exit 0 sh -c '"$0" stem <ok.tsv' "$IGMAP"
[ "$(cut -f11 "$T/out" | tr '\n' ' ')" = "stem word run " ] || fail "stems: $(cat "$T/out")"
printf 'file\tpos\tspan\tkind\tstart\tend\tsentence\tparagraph\tsection\ttoken\r\na.txt\t0\t0\tword\t0\t5\t1\t1\t0\twords\r\n' >crlf.tsv
expect_exit 0 sh -c '"$0" stem <crlf.tsv' "$IGMAP"
