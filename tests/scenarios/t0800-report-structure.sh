# report: every table and chart is on the page, every link lands, and the
# numbers shown are the CSVs' numbers (no browser needed).  The fixture has
# every gap type, positions on both sides and gap claims.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/scenarios/report-fixture.sh"
build_fixture "$T/o"
expect_exit 0 "$IGMAP" report "$T/o"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "report wrote to stderr"; }
H=$T/o/report.html
[ -s "$H" ] || fail "no report.html"
no_temp_files "$T/o"

# charts: the gap-type bars, two position plots, two heatmaps, one strand
# per issue
nissues=$(($(wc -l <"$T/o/gaps.csv") - 1))
[ "$nissues" = 7 ] || fail "fixture should have 7 issues, has $nissues"
for kind in bars:1 positions:2 heatmap:2; do
    n=$(grep -o "<svg class=\"chart ${kind%:*}\"" "$H" | wc -l)
    [ "$n" = "${kind#*:}" ] || fail "expected ${kind#*:} ${kind%:*} charts, found $n"
done
n=$(grep -o '<svg class="strand"' "$H" | wc -l)
[ "$n" = "$nissues" ] || fail "expected $nissues strands, found $n"
for s in summary positions heatmaps mechanisms gaps evidence provenance; do
    grep -q "id=\"$s\"" "$H" || fail "section $s missing"
done

# every internal link has its anchor, and ids are unique
grep -o 'href="#[^"]*"' "$H" | sed 's/href="#//; s/"$//' | sort -u >links
grep -o ' id="[^"]*"' "$H" | sed 's/ id="//; s/"$//' | sort >ids
[ -z "$(uniq -d ids)" ] || fail "duplicate ids: $(uniq -d ids | head -3)"
missing=$(comm -23 links ids)
[ -z "$missing" ] || fail "links without anchors: $missing"

# the gap table: one row per issue of gaps.csv, linking to its evidence,
# with the 13 numbers of gaps.csv (columns 3-12 and 17-19; the id lists in
# 13-16 hold no commas, the reason with commas is last)
awk -F, 'NR > 1 { gsub(/"/, ""); print $1 "|" $3 " " $4 " " $5 " " $6 " " $7 " " $8 " " $9 " " $10 " " $11 " " $12 " " $17 " " $18 " " $19 "|" $22 }' \
    "$T/o/gaps.csv" >want
grep '^<tr id="gap-' "$H" | awk '{
    id = $0; sub(/^<tr id="gap-/, "", id); sub(/".*/, "", id)
    n = split($0, parts, "<td class=\"n\">"); nums = ""
    for (i = 2; i <= n; i++) { v = parts[i]; sub(/<\/td>.*/, "", v); nums = nums (i > 2 ? " " : "") v }
    t = $0; sub(/.*<span class="badge g-[a-z_]*">/, "", t); sub(/<.*/, "", t)
    print id "|" nums "|" t }' >got
diff -u want got || fail "gap table differs from gaps.csv"
while IFS='|' read -r id rest; do
    grep -q "<tr id=\"gap-$id\"><td class=\"issue\"><a href=\"#ev-$id\">" "$H" ||
        fail "gap row $id does not link to its evidence"
    grep -q "<article class=\"ev\" id=\"ev-$id\">" "$H" || fail "no evidence block for $id"
done <want

# heatmaps: a titled cell for every cell of the wide tables
grep -o '<title>[^<]*</title>' "$H" | sed 's/<title>//; s/<\/title>//' | sort -u >titles
for f in issues_by_process.csv issues_by_group.csv; do
    awk -F, 'NR == 1 { for (i = 3; i <= NF; i++) col[i] = $i; next }
             { for (i = 3; i <= NF; i++) print $1 ", " col[i] ": " $i }' "$T/o/$f" | sort >cells
    [ "$(wc -l <cells)" -gt 20 ] || fail "$f: too few cells"
    missing=$(comm -23 cells titles)
    [ -z "$missing" ] || fail "$f: cells not on the page: $missing"
done

# positions: one dot per placed document in each plot; the count and the
# group means are position_groups.csv's
placed=$(awk -F, '$1 == "stakeholder_group" { s += $4 } END { print s }' "$T/o/position_groups.csv")
[ "$placed" -gt 4 ] || fail "fixture should place several documents, places $placed"
dots=$(grep -c '<g class="dot">' "$H" || true)
[ "$dots" = $((2 * placed)) ] || fail "expected $((2 * placed)) dots, found $dots"
grep -q "<b id=\"n-positioned\">$placed</b>" "$H" || fail "placed count card is not $placed"
awk -F, '($1 == "stakeholder_group" || $1 == "process") && $5 != "" { printf "%s: mean %.3f\n", $2, $5 }' \
    "$T/o/position_groups.csv" | sort -u >means
while read -r m; do grep -qF "<title>$m" "$H" || fail "mean not on the page: $m"; done <means

# evidence: every gap claim (fewer than the cap of 25 here) is quoted
awk -F, 'NR > 1 { print $1, $7 }' "$T/o/gaps.csv" >claims
while read -r id n; do
    got=$(awk -v id="$id" '
        $0 ~ "<article class=\"ev\" id=\"ev-" id "\">" { inart = 1 }
        inart && /<ol class="quotes claims">/ { inlist = 1; next }
        inlist && /<\/ol>/ { inlist = 0 }
        inlist && /^<li>/ { c++ }
        inart && /<\/article>/ { inart = 0 }
        END { print c + 0 }' "$H")
    [ "$got" = "$n" ] || fail "$id: $n gap claims in gaps.csv, $got quoted"
done <claims
grep -q '<mark>No global forum</mark>' "$H" || fail "a gap claim's cue is not marked in its sentence"

# summary and footer
docs=$(($(wc -l <"$T/o/documents.csv") - 1))
grep -q "<b id=\"n-documents\">$docs</b>" "$H" || fail "documents card is not $docs"
grep -q "<b id=\"n-issues\">$nissues</b>" "$H" || fail "issues card is not $nissues"
sum=$(sha256sum "$ROOT/lexicons/positions.tsv" | cut -d' ' -f1)
grep -q "<td class=\"hash\">$sum</td>" "$H" || fail "footer lacks the positions lexicon's SHA-256"
grep -q '<td class="k">seed</td><td>1</td>' "$H" || fail "footer lacks classify's seed"
