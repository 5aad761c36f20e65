# Golden tokenise output: each tests/golden/tokenise/NAME.txt, tokenised from
# inside that directory, gives NAME.expected byte for byte (compounds and
# hyphen variants, sentences and abbreviations, questionnaire sections with
# CR/CRLF, Unicode normalisation and format characters).
. "$(dirname "$0")/lib.sh"
G="$ROOT/tests/golden/tokenise"
n=0
for f in "$G"/*.txt; do
    name=$(basename "$f" .txt)
    (cd "$G" && "$IGMAP" tokenise "$name.txt") >"$T/$name.out" 2>"$T/$name.err" ||
        { cat "$T/$name.err" >&2; fail "igmap tokenise $name.txt failed"; }
    [ ! -s "$T/$name.err" ] || { cat "$T/$name.err" >&2; fail "$name: unexpected stderr"; }
    diff -u "$G/$name.expected" "$T/$name.out" || fail "$name: output differs from $name.expected"
    n=$((n + 1))
done
[ "$n" -ge 4 ] || fail "expected at least 4 golden inputs, found $n"
