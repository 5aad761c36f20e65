# kwic --sentence: the context is the match's whole sentence, with its
# closing punctuation; abbreviations (e.g., U.N.) do not end a sentence.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
expect_exit 0 "$IGMAP" kwic q.igx '"equal footing"' --sentence
cat >want.csv <<'EOF'
doc_id,sentence,section,start,end,left,match,right
gov-1,1,0,22,35,States must act on an,equal footing,.
civ-1,2,0,82,95,All stakeholders should participate on an,equal footing,with governments.
civ-1,4,0,148,161,,Equal footing,is not enough.
tech-1,2,0,67,80,Participation on an,equal footing,"'=SUM(1) matters; all stakeholders agree."
EOF
diff -u want.csv "$T/out"
expect_exit 0 "$IGMAP" kwic q.igx sovereign --sentence
cat >want.csv <<'EOF'
doc_id,sentence,section,start,end,left,match,right
gov-1,3,0,167,176,"The multilateral approach, e.g. the U.N. system, remains essential for",sovereign,states.
EOF
diff -u want.csv "$T/out"
