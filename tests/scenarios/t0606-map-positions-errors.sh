# map: a bad positions file is exit 1 located as path:line, and nothing is
# written.  Ids are matched against the index, so positions of another
# corpus are caught.
. "$(dirname "$0")/lib.sh"
FX="$ROOT/tests/fixtures/map"
L="--issues $FX/issues.tsv --mechanisms $FX/mechanisms.tsv"
expect_exit 0 "$IGMAP" index "$FX/corpus" -o fx.igx --quiet
printf 'id,score\nm1,0.5\nzz,0.1\n' >p1.csv
expect_exit 1 "$IGMAP" map fx.igx $L --positions p1.csv -o res
expect_err 'igmap: map: p1.csv:3: unknown document id "zz" (not in the index: positions from another corpus?)'
printf 'doc_id,label,score\nm1,multilateral,-1.2\n' >p2.csv
expect_exit 1 "$IGMAP" map fx.igx $L --positions p2.csv -o res
expect_err 'igmap: map: p2.csv:2: score "-1.2" is not a number from -1 to 1'
printf 'id,position\nm1,0.5\n' >p3.csv
expect_exit 1 "$IGMAP" map fx.igx $L --positions p3.csv -o res
expect_err "igmap: map: p3.csv:1: header lacks a score column"
printf 'id,score\nm1,0.5\nm1,0.5\n' >p4.csv
expect_exit 1 "$IGMAP" map fx.igx $L --positions p4.csv -o res
expect_err 'igmap: map: p4.csv:3: document id "m1" appears twice'
printf 'id,score\n"m1,0.5\n' >p5.csv
expect_exit 1 "$IGMAP" map fx.igx $L --positions p5.csv -o res
expect_err "p5.csv:2:1: unterminated quoted field"
expect_exit 3 "$IGMAP" map fx.igx $L --positions nothere.csv -o res
expect_err "nothere.csv"
[ ! -e res ] || fail "output written despite a bad positions file"
# Section rows (classify) and a label none are not positions; a valid file
# with them runs.
printf 'id,section,label,score\nm1,0,multilateral,-0.5\nm1,2,multistakeholder,0.9\nm2,0,none,0.3\n' >ok.csv
expect_exit 0 "$IGMAP" map fx.igx $L --positions ok.csv -o res
awk -F, '$1 == "net_neutrality" { print $17 "," $18 }' res/gaps.csv >got
echo "1,-0.500" >want
diff -u want got
