# Lexicon problems are reported before anything runs, as igmap lint does:
# every problem of both files, each as file:line:col, then exit 1; the
# outputs of an earlier run are left exactly as they were and no temporary
# file remains.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o idx/index.igx --quiet
expect_exit 0 "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res --quiet --bootstrap 0
cksum res/* >"$T/before"
TAB=$(printf '\t')
cp "$L/positions.tsv" pos.tsv
cp "$L/negators.tsv" neg.tsv
# A locale comma in a weight and an unterminated phrase; a scope of 0.
printf 'multilateral%sstructure%s0,5%s"intergovernmental body%sbroken\n' "$TAB" "$TAB" "$TAB" "$TAB" >>pos.tsv
n=$(wc -l <pos.tsv)
printf '=nope%s0%sbad scope\n' "$TAB" "$TAB" >>neg.tsv
m=$(wc -l <neg.tsv)
expect_exit 1 "$IGMAP" classify idx/index.igx --lexicon pos.tsv --negators neg.tsv -o res
expect_err "igmap: classify: pos.tsv:$n:24: invalid weight \"0,5\""
expect_err "igmap: classify: pos.tsv:$n:28: unterminated phrase"
expect_err "igmap: classify: neg.tsv:$m:7: invalid scope \"0\""
expect_err "igmap: classify: 3 lexicon problems; nothing classified"
cksum res/* >"$T/after"
cmp "$T/before" "$T/after" || fail "outputs changed after a lexicon error"
no_temp_files res
# A lexicon of the wrong kind (the negators given as positions).
expect_exit 1 "$IGMAP" classify idx/index.igx --lexicon "$L/negators.tsv" --negators "$L/negators.tsv" -o res
expect_err "this is a negators lexicon (by its header), expected positions"
cmp "$T/before" "$T/after" || fail "outputs changed"
# A missing lexicon: exit 3, located.
expect_exit 3 "$IGMAP" classify idx/index.igx --lexicon nosuch.tsv --negators "$L/negators.tsv" -o res
expect_err "nosuch.tsv"
