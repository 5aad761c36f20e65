# map: the same inputs give the same bytes (FAULTS.md P6, F56): twice in a
# row, under another locale, and from an index built with other thread
# counts; --excel only adds a UTF-8 BOM to each table.
. "$(dirname "$0")/lib.sh"
L="--issues $ROOT/lexicons/issues.tsv --mechanisms $ROOT/lexicons/mechanisms.tsv --gaps $ROOT/lexicons/gaps.tsv"
expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o a.igx --quiet --threads 1
expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o b.igx --quiet --threads 2
expect_exit 0 "$IGMAP" map a.igx $L -o r1
expect_exit 0 "$IGMAP" map a.igx $L -o r2
LC_ALL=de_DE.UTF-8 LANG=de_DE.UTF-8 expect_exit 0 "$IGMAP" map b.igx $L -o r3
for f in issues.csv issues_by_process.csv issues_by_group.csv issue_mechanisms.csv gaps.csv \
         map_evidence.csv; do
    cmp r1/$f r2/$f || fail "$f differs between two runs"
    cmp r1/$f r3/$f || fail "$f differs with another locale or index thread count"
done
expect_exit 0 "$IGMAP" map a.igx $L -o x --excel
for f in issues.csv gaps.csv map_evidence.csv; do
    [ "$(head -c 3 x/$f | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "$f: no BOM with --excel"
    tail -c +4 x/$f | cmp - r1/$f || fail "$f: --excel changed more than the BOM"
done
[ "$(head -c 3 r1/gaps.csv | od -An -tx1 | tr -d ' ')" != efbbbf ] || fail "BOM without --excel"
