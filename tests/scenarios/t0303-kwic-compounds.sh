# kwic over hyphenated compounds: multistakeholder, multi-stakeholder,
# =multistakeholder and Multi<U+2011>Stakeholder find the joined token of every
# spelling in the text; the phrase "multi stakeholder" finds the parts only.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
cat >want.csv <<'EOF'
doc_id,sentence,section,start,end,left,match,right
civ-1,1,0,15,32,We support the,multi-stakeholder,model. All stakeholders should participate on an equal
civ-1,3,0,115,131,should participate on an equal footing with governments.,Multistakeholder,processes work. Equal footing is not enough
tech-1,1,0,4,23,The,Multi‑Stakeholder,approach of the IETF. Participation on an equal
EOF
for p in multistakeholder multi-stakeholder =multistakeholder 'Multi‑Stakeholder' 'MULTISTAKEHOLDERS'; do
    expect_exit 0 "$IGMAP" kwic q.igx "$p"
    diff -u want.csv "$T/out" || fail "pattern $p"
done
expect_exit 0 "$IGMAP" kwic q.igx '"multi stakeholder"' --window 1
cat >want.csv <<'EOF'
doc_id,sentence,section,start,end,left,match,right
civ-1,1,0,15,32,the,multi-stakeholder,model
tech-1,1,0,4,23,The,Multi‑Stakeholder,approach
EOF
diff -u want.csv "$T/out"
