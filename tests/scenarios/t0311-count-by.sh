# count --by COLUMN: one row per distinct value of the column over all
# documents, sorted bytewise, values with no match included, the empty
# value as an empty cell.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
expect_exit 0 "$IGMAP" count q.igx stakeholder --by stakeholder_group
cat >want.csv <<'EOF'
value,matches,documents
,0,0
academia,0,0
civil_society,2,1
government,0,0
technical,2,1
EOF
diff -u want.csv "$T/out"
expect_exit 0 "$IGMAP" count --by country -o by.csv q.igx '"equal footing"'
cat >want.csv <<'EOF'
value,matches,documents
,1,1
BR,1,1
DE,0,0
FR,0,0
KE,2,1
EOF
diff -u want.csv by.csv
