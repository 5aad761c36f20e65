# Wordscores and Wordfish beside the dictionary score: with ref_position on
# some documents of the manifest, positions.csv fills the ws_* columns (the
# references' MV-rescaled scores are their own positions) and wf_* (the
# Wordfish direction set by the extreme references), the summary names the
# models and their correlations.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
mkdir c
printf 'id,path,stakeholder_group,ref_position\n' >c/manifest.csv
i=0
while [ $i -lt 8 ]; do
    if [ $((i % 2)) = 0 ]; then
        t="States alone should decide, in an intergovernmental body under the United Nations, with national sovereignty over public policy number $i."
    else
        t="The multistakeholder model and bottom-up processes of the technical community and civil society work well, number $i."
    fi
    echo "$t Both camps talk about the Internet and its governance." >c/d$i.txt
    ref=
    [ $i = 0 ] && ref=-1
    [ $i = 1 ] && ref=+1
    [ $i = 2 ] && ref=-1
    echo "d$i,d$i.txt,g$((i % 3)),$ref" >>c/manifest.csv
    i=$((i + 1))
done
expect_exit 0 "$IGMAP" index c -o idx/index.igx --quiet
expect_exit 0 "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res --quiet
grep -q '^wordscores: 3 reference documents' res/positions_summary.txt || { cat res/positions_summary.txt >&2; fail "wordscores did not run"; }
grep -q '^wordfish: 8 documents' res/positions_summary.txt || { cat res/positions_summary.txt >&2; fail "wordfish did not run"; }
grep -q 'dir d0 < d1, direction from the lowest and highest ref_position' res/positions_summary.txt || fail "wordfish direction"
# columns: ws_mv is column 34, wf_theta 39 (id,section,path-less metadata
# stakeholder_group,ref_position, then the fixed columns; no quoted cells)
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) H[$i] = i; next }
{ mv = $H["ws_mv"]; th = $H["wf_theta"]
  if (mv == "" || th == "") { print "empty scaling cell in " $1; bad = 1 }
  if ($1 == "d0" || $1 == "d2") { if (mv + 0 > -0.999999 || mv + 0 < -1.000001) { print "d0/d2 mv " mv; bad = 1 } if (th + 0 >= 0) { print $1 " theta " th; bad = 1 } }
  if ($1 == "d1") { if (mv + 0 < 0.999999 || mv + 0 > 1.000001) { print "d1 mv " mv; bad = 1 } if (th + 0 <= 0) { print "d1 theta " th; bad = 1 } }
}
END { exit bad }' res/positions.csv >&2 || fail "scaling columns"
grep -q '"wordscores": {"ran": true, "references": 3' res/positions_provenance.json || fail "provenance"
# (A ref_position that is not a number never gets this far: the manifest
# check of igmap index rejects it; cls_scale's own check is unit-tested.)
