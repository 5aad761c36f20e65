# count without --by: one row, the pattern as given, its matches (distinct
# start positions) and matching documents, for each kind of pattern.  The
# pattern cell is CSV text: quoted when it holds quotes, neutralised when it
# starts with "=" (csv.h).  multi* finds "multilateral" and the first part
# of both multi-stakeholder spellings, not the joined tokens a second time.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
for p in '"equal footing"' 'sovereign*' '/^sovereign/' stakeholder =stakeholders \
         'stakeholders NEAR/5 "equal footing"' 'multi*'; do
    expect_exit 0 "$IGMAP" count q.igx "$p"
    tail -n +2 "$T/out" >>got.csv
done
cat >want.csv <<'EOF'
"""equal footing""",4,3
sovereign*,2,1
/^sovereign/,2,1
stakeholder,4,2
"'=stakeholders",2,2
"stakeholders NEAR/5 ""equal footing""",2,2
multi*,4,3
EOF
diff -u want.csv got.csv
