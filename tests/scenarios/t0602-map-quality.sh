# map quality on the sample corpus (issue 5): issue detection against
# tests/expected/sample-issues.csv, per document-issue pair, with the
# shipped lexicons and the default rule (a document raises an issue with at
# least --min-mentions 1 mention), must reach precision and recall 0.85; and
# every issue the corpus writes as having no home (the no_home column) must
# be flagged as a gap claim of that document.  The figures are printed.
. "$(dirname "$0")/lib.sh"
EXP="$ROOT/tests/expected/sample-issues.csv"
expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o sample.igx --quiet
cd "$ROOT"
expect_exit 0 "$IGMAP" map "$T/sample.igx" --issues lexicons/issues.tsv \
    --mechanisms lexicons/mechanisms.tsv --gaps lexicons/gaps.tsv -o "$T/res"
cd "$T"

# doc,issue pairs: expected issues, expected no-home, found (raised), claimed.
awk -F, 'NR > 1 { n = split($2, a, ";"); for (i = 1; i <= n; i++) if (a[i] != "") print $1 "," a[i] }' \
    "$EXP" | LC_ALL=C sort -u >want
awk -F, 'NR > 1 { n = split($4, a, ";"); for (i = 1; i <= n; i++) if (a[i] != "") print $1 "," a[i] }' \
    "$EXP" | LC_ALL=C sort -u >want_nohome
# map_evidence.csv: doc_id is column 1 and never quoted (ids are plain);
# kind, issue and raised are found from the right-hand fixed columns by
# name, skipping quoted metadata cells with a CSV-aware split.
awk '
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
}
NR == 1 { n = parse($0); for (i = 1; i <= n; i++) H[F[i]] = i; next }
{ parse($0); if (F[H["raised"]] == "1") print F[H["kind"]] "\t" F[H["doc_id"]] "," F[H["issue"]] }
' res/map_evidence.csv >rows
awk -F'\t' '$1 == "issue_mention" { print $2 }' rows | LC_ALL=C sort -u >found
awk -F'\t' '$1 == "gap_claim" { print $2 }' rows | LC_ALL=C sort -u >claimed

tp=$(LC_ALL=C comm -12 want found | wc -l)
nf=$(wc -l <found); nw=$(wc -l <want)
nh=$(wc -l <want_nohome); nhf=$(LC_ALL=C comm -12 want_nohome claimed | wc -l)
[ "$nf" -gt 0 ] && [ "$nw" -gt 0 ] && [ "$nh" -gt 0 ] || fail "nothing to measure"
figures=$(awk -v tp="$tp" -v nf="$nf" -v nw="$nw" 'BEGIN {
    printf "precision %.3f (%d of %d found pairs expected), recall %.3f (%d of %d expected pairs found)", tp / nf, tp, nf, tp / nw, tp, nw }')
echo "map quality on corpora/sample: $figures; no-home issues flagged as gap claims: $nhf of $nh"
awk -v tp="$tp" -v nf="$nf" -v nw="$nw" 'BEGIN { exit !(tp / nf >= 0.85 && tp / nw >= 0.85) }' ||
    fail "issue detection below 0.85: $figures"
if [ "$nhf" != "$nh" ]; then
    echo "no-home issues of the corpus not flagged as gap claims of their document:" >&2
    LC_ALL=C comm -23 want_nohome claimed >&2
    fail "$((nh - nhf)) of $nh no-home issues not flagged"
fi
# ... and gaps.csv reflects each of them: gap claims counted for the issue.
for issue in $(cut -d, -f2 want_nohome | LC_ALL=C sort -u); do
    awk -F, -v i="$issue" '$1 == i && $7 > 0 { ok = 1 } END { exit !ok }' res/gaps.csv ||
        fail "gaps.csv counts no gap claim for $issue"
done
