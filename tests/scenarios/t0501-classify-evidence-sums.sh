# Every score is the sum of its evidence (issue 4): for each row of
# positions.csv, ml_weight and ms_weight equal the sums of evidence.csv's
# weight over that row's evidence rows (all rows of the document for
# section 0, those of the section otherwise), cues equals their number, and
# score = (ms - ml) / (ms + ml + 3) (the default smoothing), recomputed here
# with awk on the sample corpus.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o idx/index.igx --quiet
expect_exit 0 "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res --quiet --bootstrap 0
CSV='
function parse(line,   i, c, q, f, n) {
    n = 0; f = ""; q = 0
    for (i = 1; i <= length(line); i++) {
        c = substr(line, i, 1)
        if (q) { if (c == "\"") { if (substr(line, i + 1, 1) == "\"") { f = f c; i++ } else q = 0 } else f = f c }
        else if (c == "\"") q = 1
        else if (c == ",") { F[++n] = f; f = "" }
        else f = f c
    }
    F[++n] = f; return n
}'
# evidence: id section pole weight
awk "$CSV"'
NR == 1 { n = parse($0); for (i = 1; i <= n; i++) H[F[i]] = i; next }
{ parse($0); print F[H["id"]] "\t" F[H["section"]] "\t" F[H["pole"]] "\t" F[H["weight"]] }
' res/evidence.csv >"$T/ev.tsv"
[ -s "$T/ev.tsv" ] || fail "no evidence rows"
awk "$CSV"'
NR == 1 { n = parse($0); for (i = 1; i <= n; i++) H[F[i]] = i; next }
{ parse($0); print F[H["id"]] "\t" F[H["section"]] "\t" F[H["ml_weight"]] "\t" F[H["ms_weight"]] "\t" F[H["cues"]] "\t" F[H["score"]] }
' res/positions.csv >"$T/pos.tsv"
awk -F'\t' '
FNR == NR {
    k0 = $1 SUBSEP "0"; ks = $1 SUBSEP $2
    if ($3 == "multilateral") { ml[k0] += $4; if ($2 != "0") ml[ks] += $4 }
    else { ms[k0] += $4; if ($2 != "0") ms[ks] += $4 }
    c[k0]++; if ($2 != "0") c[ks]++
    next
}
{
    k = $1 SUBSEP $2; rows++
    d1 = ml[k] - $3; d2 = ms[k] - $4
    if (d1 < 0) d1 = -d1; if (d2 < 0) d2 = -d2
    if (d1 > 5e-7 || d2 > 5e-7 || c[k] + 0 != $5 + 0) { printf "%s/%s: evidence %g %g (%d) vs row %s %s (%s)\n", $1, $2, ml[k], ms[k], c[k], $3, $4, $5; bad++ }
    s = ($4 - $3) / ($4 + $3 + 3); d = s - $6; if (d < 0) d = -d
    if (d > 5e-7) { printf "%s/%s: score %s, formula gives %.6f\n", $1, $2, $6, s; bad++ }
}
END { if (rows < 300) { print "only " rows " rows"; exit 1 } exit bad > 0 }
' "$T/ev.tsv" "$T/pos.tsv" >&2 || fail "positions.csv is not the sum of evidence.csv"
