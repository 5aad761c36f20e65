# map: every count in issues.csv, issues_by_process.csv, issues_by_group.csv,
# issue_mechanisms.csv and gaps.csv is a count over rows of map_evidence.csv
# (those with raised = 1), recomputed here with awk, on the sample corpus
# with the shipped lexicons and on the fixture corpus with another unit.
. "$(dirname "$0")/lib.sh"

# check DIR: recompute every table from DIR/map_evidence.csv and compare.
check() {
    d=$1
    # Evidence rows, fields split with a CSV-aware awk (quoted cells may hold
    # commas); output TAB-separated: doc proc group submitter kind issue mech raised
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
    { parse($0); print F[H["doc_id"]] "\t" F[H["process"]] "\t" F[H["stakeholder_group"]] "\t" F[H["submitter"]] "\t" F[H["kind"]] "\t" F[H["issue"]] "\t" F[H["mechanism"]] "\t" F[H["raised"]] }
    ' "$d/map_evidence.csv" | awk -F'\t' '$8 == "1"' >"$T/ev.tsv"
    [ -s "$T/ev.tsv" ] || fail "$d: no raised evidence rows"

    # issues.csv: issue,cluster,process,group,documents,submitters,mentions
    awk -F'\t' '$5 == "issue_mention" {
        k = $6 "," $2 "," $3; m[k]++
        if (!((k, $1) in D)) { D[k, $1]; d[k]++ }
        if (!((k, $4) in S)) { S[k, $4]; s[k]++ }
    } END { for (k in m) print k "," d[k] "," s[k] "," m[k] }' "$T/ev.tsv" | LC_ALL=C sort >"$T/want"
    # The submitter cells of issues.csv-free rows never hold commas here:
    # issue, process and group ids are plain.
    tail -n +2 "$d/issues.csv" | cut -d, -f1,3- | LC_ALL=C sort >"$T/got"
    diff -u "$T/want" "$T/got" || fail "$d/issues.csv is not the sum of its evidence"

    # issue_mechanisms.csv: issue,mechanism,cooccurrences,documents
    awk -F'\t' '$5 == "cooccurrence" {
        k = $6 "," $7; c[k]++; if (!((k, $1) in D)) { D[k, $1]; d[k]++ }
    } END { for (k in c) print k "," c[k] "," d[k] }' "$T/ev.tsv" | LC_ALL=C sort >"$T/want"
    tail -n +2 "$d/issue_mechanisms.csv" | cut -d, -f1,3,6,7 | LC_ALL=C sort >"$T/got"
    diff -u "$T/want" "$T/got" || fail "$d/issue_mechanisms.csv is not the sum of its evidence"

    # gaps.csv: issue,documents,submitters,groups,mentions,gap_claims,gap_claim_documents
    # (issues never raised have zeros and no evidence).
    awk -F'\t' '
    $5 == "issue_mention" { i = $6; I[i]; m[i]++
        if (!((i, $1) in D)) { D[i, $1]; d[i]++ }
        if (!((i, $4) in S)) { S[i, $4]; s[i]++ }
        if ($3 != "" && !((i, $3) in G)) { G[i, $3]; g[i]++ } }
    $5 == "gap_claim" { i = $6; c[i]++; if (!((i, $1) in C)) { C[i, $1]; cd[i]++ } }
    END { for (i in I) print i "," d[i] "," s[i] "," g[i] "," m[i] "," c[i] + 0 "," cd[i] + 0 }
    ' "$T/ev.tsv" | LC_ALL=C sort >"$T/want"
    tail -n +2 "$d/gaps.csv" | cut -d, -f1,3-8 | awk -F, '$2 != "0"' | LC_ALL=C sort >"$T/got"
    diff -u "$T/want" "$T/got" || fail "$d/gaps.csv is not the sum of its evidence"

    # linked_<type> in gaps.csv = linked rows of issue_mechanisms.csv per type
    awk -F, 'NR > 1 && $8 == 1 { n[$1 "," $4]++ } END { for (k in n) print k "," n[k] }' \
        "$d/issue_mechanisms.csv" | LC_ALL=C sort >"$T/want"
    awk -F, 'NR > 1 { if ($9) print $1 ",multilateral," $9; if ($10) print $1 ",multistakeholder," $10
                      if ($11) print $1 ",technical," $11; if ($12) print $1 ",regional," $12 }' \
        "$d/gaps.csv" | LC_ALL=C sort >"$T/got"
    diff -u "$T/want" "$T/got" || fail "$d/gaps.csv linked counts differ from issue_mechanisms.csv"

    # wide tables: documents per issue and process / group, and the total
    for w in process:2 stakeholder_group:3; do
        col=${w%%:*}; f=${w#*:}
        file=issues_by_process.csv; [ "$col" = process ] || file=issues_by_group.csv
        awk -F'\t' -v f="$f" '$5 == "issue_mention" {
            v = $f == "" ? "(none)" : $f; k = $6 "," v
            if (!((k, $1) in D)) { D[k, $1]; print k } }' "$T/ev.tsv" |
            LC_ALL=C sort | uniq -c | awk '{ print $2 "," $1 }' >"$T/want"
        awk -F, 'NR == 1 { for (i = 3; i < NF; i++) h[i] = $i; next }
                 { for (i = 3; i < NF; i++) if ($i != 0) print $1 "," h[i] "," $i }' \
            "$d/$file" | LC_ALL=C sort >"$T/got"
        diff -u "$T/want" "$T/got" || fail "$d/$file is not the sum of its evidence"
    done
}

expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o sample.igx --quiet
cd "$ROOT"
expect_exit 0 "$IGMAP" map "$T/sample.igx" --issues lexicons/issues.tsv \
    --mechanisms lexicons/mechanisms.tsv --gaps lexicons/gaps.tsv -o "$T/s"
cd "$T"
check "$T/s"

FX="$ROOT/tests/fixtures/map"
expect_exit 0 "$IGMAP" index "$FX/corpus" -o fx.igx --quiet
expect_exit 0 "$IGMAP" map fx.igx --issues "$FX/issues.tsv" --mechanisms "$FX/mechanisms.tsv" \
    --gaps "$FX/gaps.tsv" --unit paragraph --min-mentions 2 -o "$T/f"
check "$T/f"
