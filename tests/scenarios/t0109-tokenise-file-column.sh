# Several files: one header, the file column names each; a name with a tab
# or backslash is escaped (\t, \\) so every line keeps its 10 fields, and
# `igmap stem` accepts it.
. "$(dirname "$0")/lib.sh"
printf 'alpha\n' >a.txt
printf 'beta gamma\n' >'b	x\y.txt'
"$IGMAP" tokenise a.txt 'b	x\y.txt' >out.tsv
[ "$(grep -c '^file	' out.tsv)" = 1 ] || fail "header not printed once"
[ "$(awk -F '\t' 'NF != 10' out.tsv | wc -l)" = 0 ] || fail "a line without 10 fields"
[ "$(cut -f1 out.tsv | tail -n +2 | tr '\n' ' ')" = 'a.txt b\tx\\y.txt b\tx\\y.txt ' ] ||
    fail "file column: $(cut -f1 out.tsv)"
"$IGMAP" stem <out.tsv >stem.tsv || fail "stem rejected escaped file names"
[ "$(awk -F '\t' 'NF != 11' stem.tsv | wc -l)" = 0 ] || fail "stem line without 11 fields"
