# classify on the sample corpus with the shipped lexicons: the six files of
# classify.h appear in -o, with their headers; positions.csv has one
# section-0 row per manifest document (in manifest order) plus the section
# rows of the questionnaire replies; every label is one of the four; the
# summary goes to standard output; no temporary file is left.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o idx/index.igx --quiet
expect_exit 0 "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res
for f in positions.csv evidence.csv position_groups.csv lexicon_coverage.csv \
    positions_summary.txt positions_provenance.json; do
    [ -s "res/$f" ] || fail "res/$f missing or empty"
done
no_temp_files res
grep -q '^igmap classify: 82 documents' "$T/out" || fail "summary not on stdout"
cmp -s "$T/out" res/positions_summary.txt || fail "stdout differs from positions_summary.txt"

head -1 res/positions.csv >"$T/h"
want='id,section,process,date,submitter,stakeholder_group,country,region,language,ref_position,label,score,score_lo,score_hi,cues,negated,ml_weight,ms_weight,sentences,dim_actors,dim_structure,dim_codification,dim_mission,dim_policy_development,dim_decision_making,dim_representation,dim_participation,dim_negotiations,dim_result,dim_general,ws_raw,ws_raw_se,ws_raw_lo,ws_raw_hi,ws_lbg,ws_lbg_se,ws_lbg_lo,ws_lbg_hi,ws_mv,ws_mv_se,ws_mv_lo,ws_mv_hi,ws_words,wf_theta,wf_se,wf_lo,wf_hi'
[ "$(cat "$T/h")" = "$want" ] || fail "positions.csv header: $(cat "$T/h")"
[ "$(head -1 res/evidence.csv)" = 'id,section,sentence,start,end,pole,dimension,weight,negated,lexicon,line,pattern,cue_pole,cue_weight,merged,weight_line,negator_line,negator,left,match,right' ] ||
    fail "evidence.csv header"
[ "$(head -1 res/position_groups.csv)" = 'grouping,value,documents,n,mean,sd,lo,hi,multilateral,multistakeholder,mixed,none' ] ||
    fail "position_groups.csv header"
[ "$(head -1 res/lexicon_coverage.csv)" = 'lexicon,line,kind,dimension,weight,pattern,matches,counted,docs,absorbed,quoted,negated,weight_total,weight_share,rank,cumulative_share' ] ||
    fail "lexicon_coverage.csv header"

# Section-0 rows: the manifest's ids, in order (ids hold no commas).
awk -F, 'NR > 1 && $2 == "0" { print $1 }' res/positions.csv >"$T/ids"
awk -F, 'NR > 1 { print $1 }' "$ROOT/corpora/sample/manifest.csv" >"$T/want_ids"
diff -u "$T/want_ids" "$T/ids" || fail "section-0 rows are not the manifest documents in order"
# Section rows exist for the WGEC1 questionnaire replies and only there.
awk -F, 'NR > 1 && $2 != "0" { print $1 }' res/positions.csv | sort -u >"$T/sec"
[ -s "$T/sec" ] || fail "no section rows"
grep -qv '^wgec1-' "$T/sec" && fail "section rows outside the questionnaire replies: $(grep -v '^wgec1-' "$T/sec" | head -3)"
# Labels (column 11 of positions.csv holds no quoted cell before it? the
# submitter column may, so look the label up by header name).
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
{ parse($0); l = F[H["label"]]
  if (l != "multilateral" && l != "multistakeholder" && l != "mixed" && l != "none") { print "bad label " l; exit 1 }
  s = F[H["score"]] + 0; if (s <= -1 || s >= 1) { print "score out of range " s; exit 1 } }
' res/positions.csv || fail "labels or scores out of range"
# Groups by the four columns of the sample manifest.
for g in stakeholder_group country region process; do
    grep -q "^$g," res/position_groups.csv || fail "no $g rows in position_groups.csv"
done
grep -q '"seed": 1' res/positions_provenance.json || fail "seed not in provenance"
