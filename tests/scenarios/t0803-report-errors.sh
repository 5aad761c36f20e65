# report: usage errors exit 2; a missing or malformed input table is a
# located error (path, path:line or path:line:col) with exit 1, and the
# previous report.html is left as it was; without positions.csv (classify
# not run) the position charts say so and the rest is drawn.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/scenarios/report-fixture.sh"
build_fixture "$T/good"
expect_exit 2 "$IGMAP" report
expect_err "expected one DIR"
expect_exit 2 "$IGMAP" report "$T/good" "$T/good"
expect_exit 2 "$IGMAP" report "$T/good" --mentions many
expect_err "--mentions needs a whole number"
expect_exit 2 "$IGMAP" report "$T/good" --frobnicate
expect_err "unknown option --frobnicate"

# each case: a fresh copy, one damage, the message expected
fresh() { rm -rf "$T/d"; cp -r "$T/good" "$T/d"; echo previous >"$T/d/report.html"; }
unchanged() {
    [ "$(cat "$T/d/report.html")" = previous ] || fail "report.html changed after a failure"
    no_temp_files "$T/d"
}
fresh; rm "$T/d/gaps.csv"
expect_exit 1 "$IGMAP" report "$T/d"
expect_err "igmap: report: $T/d/gaps.csv: missing: run igmap map first"
unchanged
fresh; rm "$T/d/map_evidence.csv"
expect_exit 1 "$IGMAP" report "$T/d"
expect_err "$T/d/map_evidence.csv: missing"
unchanged
fresh; sed -i '3s/,[0-9][0-9]*,/,two,/' "$T/d/issues_by_process.csv"
expect_exit 1 "$IGMAP" report "$T/d"
expect_err "$T/d/issues_by_process.csv:3: column"
expect_err '"two" is not a whole number'
unchanged
fresh; sed -i '4s/,[^,]*$//' "$T/d/issue_mechanisms.csv"
expect_exit 1 "$IGMAP" report "$T/d"
expect_err "$T/d/issue_mechanisms.csv:4: expected 8 fields, got 7"
unchanged
fresh; printf 'r1,wgec,government,x,1,1,0,0,4,issue_mention,spam,,,1,,l,1,"unterminated\n' \
    >>"$T/d/map_evidence.csv"
n=$(wc -l <"$T/d/map_evidence.csv")
expect_exit 1 "$IGMAP" report "$T/d"
expect_err "$T/d/map_evidence.csv:$n:"
expect_err "unterminated quoted field"
unchanged
fresh; sed -i '1s/gap_type/kind_of_gap/' "$T/d/gaps.csv"
expect_exit 1 "$IGMAP" report "$T/d"
expect_err "$T/d/gaps.csv:1: missing column \"gap_type\""
unchanged
fresh; sed -i '2s/^[a-z_]*,/phishing,/' "$T/d/issues_by_group.csv"
expect_exit 1 "$IGMAP" report "$T/d"
expect_err "$T/d/issues_by_group.csv:2: issue \"phishing\" is not in gaps.csv"
unchanged
# a table from another corpus: its evidence names a document the index lacks
fresh; sed -i '2s/^r[0-9]*,/zz,/' "$T/d/map_evidence.csv"
if awk -F, 'NR == 2 && ($10 == "issue_mention" || $10 == "gap_claim") && $14 == 1 { ok = 1 } END { exit !ok }' \
        "$T/d/map_evidence.csv"; then
    expect_exit 1 "$IGMAP" report "$T/d"
    expect_err "$T/d/map_evidence.csv:2: document \"zz\" is not in"
    unchanged
fi
fresh; printf '{"corpus": {"path": "x"},\n "versions": [1, 2,]}\n' >"$T/d/provenance.json"
expect_exit 1 "$IGMAP" report "$T/d"
expect_err "$T/d/provenance.json:2:20: trailing comma"
unchanged
fresh; : >"$T/d/gaps.csv"
expect_exit 1 "$IGMAP" report "$T/d"
expect_err "$T/d/gaps.csv:1: empty file"
unchanged

# no positions.csv: the page is drawn and says why there are no positions
fresh; rm "$T/d/positions.csv" "$T/d/position_groups.csv"
expect_exit 0 "$IGMAP" report "$T/d"
H=$T/d/report.html
grep -q '<p class="missing" id="no-positions">d has no positions.csv: igmap classify has not run' "$H" ||
    fail "no note about the missing positions"
[ "$(grep -c '<svg class="chart positions"' "$H" || true)" = 0 ] || fail "position charts drawn without positions"
[ "$(grep -o '<svg class="chart heatmap"' "$H" | wc -l)" = 2 ] || fail "heatmaps missing"
# positions.csv without position_groups.csv: the means are computed
fresh; rm "$T/d/position_groups.csv"
expect_exit 0 "$IGMAP" report "$T/d"
grep -q 'computed here: no position_groups.csv' "$T/d/report.html" || fail "means not computed"
# without the index, only the matched words are quoted
fresh; rm "$T/d/index.igx"
expect_exit 0 "$IGMAP" report "$T/d"
grep -q 'No index.igx beside the tables' "$T/d/report.html" || fail "no note about the index"
