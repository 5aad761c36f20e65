# kwic with NEAR: the match covers both sides and what lies between; NEAR
# never pairs words of different sentences.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
expect_exit 0 "$IGMAP" kwic q.igx 'stakeholders NEAR/5 "equal footing"' --window 3
cat >want.csv <<'EOF'
doc_id,sentence,section,start,end,left,match,right
civ-1,2,0,44,95,stakeholder model. All,stakeholders should participate on an equal footing,with governments. Multistakeholder
tech-1,2,0,67,114,Participation on an,"equal footing =SUM(1) matters; all stakeholders",agree
EOF
diff -u want.csv "$T/out"
# "governments." ends sentence 2 of civ-1, "Multistakeholder" starts sentence 3.
expect_exit 0 "$IGMAP" kwic q.igx 'governments NEAR/2 multistakeholder'
echo 'doc_id,sentence,section,start,end,left,match,right' >want.csv
diff -u want.csv "$T/out"
expect_exit 0 "$IGMAP" kwic q.igx 'footing NEAR/0 is' --window 1
cat >want.csv <<'EOF'
doc_id,sentence,section,start,end,left,match,right
civ-1,4,0,154,164,Equal,footing is,not
EOF
diff -u want.csv "$T/out"
