# map: the co-occurrence unit is declared in issue_mechanisms.csv's unit
# column and the evidence's link column; paragraph finds pairs a sentence
# does not, and window:N counts issue mentions with the mechanism within N
# tokens.
. "$(dirname "$0")/lib.sh"
FX="$ROOT/tests/fixtures/map"
L="--issues $FX/issues.tsv --mechanisms $FX/mechanisms.tsv --gaps $FX/gaps.tsv"
expect_exit 0 "$IGMAP" index "$FX/corpus" -o fx.igx --quiet
expect_exit 0 "$IGMAP" map fx.igx $L -o s
expect_exit 0 "$IGMAP" map fx.igx $L --unit paragraph -o p
expect_exit 0 "$IGMAP" map fx.igx $L --unit window:3 -o w
[ "$(cut -d, -f5 s/issue_mechanisms.csv | sort -u | tr '\n' ' ')" = "sentence unit " ] || fail "unit sentence"
[ "$(cut -d, -f5 p/issue_mechanisms.csv | sort -u | tr '\n' ' ')" = "paragraph unit " ] || fail "unit paragraph"
[ "$(cut -d, -f5 w/issue_mechanisms.csv | sort -u | tr '\n' ' ')" = "unit window:3 " ] || fail "unit window"
# m1: spam (sentence 3) and the ITU (sentence 2) share only a paragraph.
grep -q '^spam,security,itu,' s/issue_mechanisms.csv && fail "spam-itu with unit sentence"
grep -q '^spam,security,itu,multilateral,paragraph,1,1,0$' p/issue_mechanisms.csv ||
    fail "spam-itu missing with unit paragraph"
grep -q ',cooccurrence,spam,itu,multilateral,1,paragraph,' p/map_evidence.csv ||
    fail "evidence link column lacks the unit"
# window:3: "Cybersecurity needs the ITU and the IGF" (m5): the ITU is 2
# tokens away, the IGF 5; with the sentence both count.
grep -q '^m5,.*,cooccurrence,cybersecurity,itu,multilateral,1,window:3,' w/map_evidence.csv ||
    fail "window:3 misses cybersecurity-itu in m5"
grep -q '^m5,.*,cooccurrence,cybersecurity,igf,' w/map_evidence.csv &&
    fail "window:3 counts the IGF 5 tokens away"
grep -q '^m5,.*,cooccurrence,cybersecurity,igf,' s/map_evidence.csv || fail "sentence misses m5 igf"
# Mentions and gap claims do not depend on the unit.
for f in s p w; do
    grep -v ',cooccurrence,' $f/map_evidence.csv >$f.rest
done
cmp s.rest p.rest && cmp s.rest w.rest || fail "the unit changed rows other than co-occurrences"
