# kwic: a phrase with the default window (8 words each side).  The cells are
# original text (case, the U+2011 hyphen, "=SUM(1)" as written), tabs, blank
# lines and CRLF become single spaces, a right context starting with "=" is
# neutralised, and byte ranges index the original file (CRs counted).
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
expect_exit 0 "$IGMAP" kwic q.igx '"equal footing"'
cat >want.csv <<'EOF'
doc_id,sentence,section,start,end,left,match,right
gov-1,1,0,22,35,States must act on an,equal footing,. Sovereignty over the Internet is a matter for
civ-1,2,0,82,95,stakeholder model. All stakeholders should participate on an,equal footing,with governments. Multistakeholder processes work. Equal footing is
civ-1,4,0,148,161,an equal footing with governments. Multistakeholder processes work.,Equal footing,is not enough
tech-1,2,0,67,80,Stakeholder approach of the IETF. Participation on an,equal footing,"'=SUM(1) matters; all stakeholders agree"
EOF
diff -u want.csv "$T/out"
# The byte ranges really are the match in the original file.
[ "$(tail -c +149 "$ROOT/tests/fixtures/query/civ1.txt" | head -c 13)" = "$(printf 'Equal\nfooting')" ] ||
    fail "civ-1 byte range 148-161 is not the match"
