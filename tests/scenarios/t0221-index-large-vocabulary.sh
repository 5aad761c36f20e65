# A vocabulary large enough (40,000 terms over every first letter) that the
# finish step splits its term sort over two threads (index_write.c,
# SORT_SPLIT_MIN) and writes the second half of the postings section on a
# thread of its own (index_finish.c, POST_SPLIT_MIN): the same bytes as one
# thread, and as a build whose postings spill (the spill sorts its terms
# the same way, and its postings are written by one thread).  A file-size
# limit inside either half of the postings is a clean write error.
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

# ulimit -f (512-byte blocks in sh) inside the first half of the postings,
# inside the second (written by the other thread, with pwrite), and at its
# end: exit 3, one located EFBIG message, nothing left behind.
off=$(sed -n 's/^section_postings: \([0-9]*\) bytes at \([0-9]*\)$/\2/p' info.txt)
len=$(sed -n 's/^section_postings: \([0-9]*\) bytes at \([0-9]*\)$/\1/p' info.txt)
[ -n "$off" ] && [ -n "$len" ] || { cat info.txt >&2; fail "no postings section in info"; }
for frac in 25 75 99; do
    blocks=$(( (off + len * frac / 100) / 512 ))
    set +e; sh -c 'ulimit -f "$0" && exec "$@"' "$blocks" "$IGMAP" index c -o f/index.igx \
        --threads 2 --quiet >out.txt 2>err.txt; st=$?; set -e
    [ $st = 3 ] || { cat err.txt >&2; fail "limit at $frac% of the postings: exit $st, expected 3"; }
    grep -Eqx 'igmap: index: f/index.igx: write error: File too large' err.txt ||
        { cat err.txt >&2; fail "limit at $frac%: not a located EFBIG write error"; }
    [ "$(wc -l <err.txt)" = 1 ] || { cat err.txt >&2; fail "limit at $frac%: more than one message"; }
    [ ! -e f/index.igx ] || fail "limit at $frac%: an index was left"
    [ ! -e f ] || no_temp_files f
done
