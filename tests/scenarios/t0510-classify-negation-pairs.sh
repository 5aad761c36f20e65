# The negation rule end to end with the shipped lexicons, on sentence pairs:
# the same cue affirmed and negated ("we support" / "we do not support a new
# intergovernmental body") lands on opposite poles, the negated evidence row
# names its negator; "not only ... but also" and "does not undermine" do
# not negate; a negator in the previous sentence does not reach.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
mkdir c
echo 'We support a new intergovernmental body for Internet public policy.' >c/a.txt
echo 'We do not support a new intergovernmental body for Internet public policy.' >c/b.txt
echo 'This does not undermine the intergovernmental body we proposed.' >c/c.txt
echo 'We do not agree. An intergovernmental body is what we need.' >c/d.txt
echo 'Enhanced cooperation covers not only technical coordination but also public policy.' >c/e.txt
expect_exit 0 "$IGMAP" index c -o idx/index.igx --quiet
expect_exit 0 "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res --quiet
# id,pole,negated,cue_pole,negator of every evidence row whose pattern is
# "intergovernmental body" or "technical coordination"
awk -F, 'NR > 1 && ($12 ~ /intergovernmental body/ || $12 ~ /technical coordination/) { print $1 "," $6 "," $9 "," $13 "," $18 }' res/evidence.csv >"$T/got"
cat >"$T/want" <<'W'
a.txt,multilateral,0,multilateral,
b.txt,multistakeholder,1,multilateral,"""do not support"""
c.txt,multilateral,0,multilateral,
d.txt,multilateral,0,multilateral,
e.txt,multistakeholder,0,multistakeholder,
W
diff -u "$T/want" "$T/got" || fail "negation pairs"
