# A vocabulary large enough (40,000 terms over every first letter) that the
# finish step splits its term sort over two threads (index_write.c,
# SORT_SPLIT_MIN): the same bytes as the one-thread sort, and as a build
# whose postings spill (the spill sorts its terms the same way).
. "$(dirname "$0")/lib.sh"
mkdir c
awk 'BEGIN { for (d = 0; d < 4; d++) { f = "c/d" d ".txt"
             for (i = d; i < 40000; i += 4) printf "%c%d%c ", 97 + i % 26, i, 97 + (i * 7) % 26 > f
             printf "\n" > f } }'
expect_exit 0 "$IGMAP" index c -o a/index.igx --threads 1 --quiet
expect_exit 0 "$IGMAP" index c -o b/index.igx --threads 2 --quiet
expect_exit 0 "$IGMAP" index c -o m/index.igx --threads 2 --memory 1 --quiet
cmp a/index.igx b/index.igx || fail "1 and 2 threads differ"
cmp a/index.igx m/index.igx || fail "spilled build differs"
"$IGMAP" info a/index.igx >info.txt || fail "info failed"
grep -qx 'terms: 40000' info.txt || { cat info.txt >&2; fail "not 40000 terms"; }
expect_exit 0 "$IGMAP" check b/index.igx
# Looking a term up searches the sorted vocabulary: terms from its start,
# middle and end are found (once each) only if the order is right.
for t in a0a z25t m12g l39999z; do
    "$IGMAP" count b/index.igx "=$t" >out.csv || fail "count =$t failed"
    tail -1 out.csv | grep -q ',1,1$' || { cat out.csv >&2; fail "=$t not found once"; }
done
