# kwic --window N: N words of context each side (a compound's parts count one
# each); --window 0 leaves the context cells empty.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
expect_exit 0 "$IGMAP" kwic q.igx '"equal footing"' --window 2
cat >want.csv <<'EOF'
doc_id,sentence,section,start,end,left,match,right
gov-1,1,0,22,35,on an,equal footing,. Sovereignty over
civ-1,2,0,82,95,on an,equal footing,with governments
civ-1,4,0,148,161,processes work.,Equal footing,is not
tech-1,2,0,67,80,on an,equal footing,"'=SUM(1"
EOF
diff -u want.csv "$T/out"
expect_exit 0 "$IGMAP" kwic --window 0 q.igx '"equal footing"'
cat >want.csv <<'EOF'
doc_id,sentence,section,start,end,left,match,right
gov-1,1,0,22,35,,equal footing,
civ-1,2,0,82,95,,equal footing,
civ-1,4,0,148,161,,Equal footing,
tech-1,2,0,67,80,,equal footing,
EOF
diff -u want.csv "$T/out"
