# The same corpus gives the same bytes with 1 or 2 threads and with a
# memory budget so small that postings spill and merge (P6).
. "$(dirname "$0")/lib.sh"
mkdir c
i=0
while [ $i -lt 60 ]; do
    printf 'Document %d on enhanced cooperation, multi-stakeholder governance and %d states.\n\nQuestion %d: equal footing? Yes, on an equal footing.\n' $i $((i * 7)) $((i % 5)) >c/d$i.txt
    i=$((i + 1))
done
expect_exit 0 "$IGMAP" index c -o a/index.igx --threads 1 --quiet
expect_exit 0 "$IGMAP" index c -o b/index.igx --threads 2 --quiet
expect_exit 0 "$IGMAP" index c -o m/index.igx --threads 2 --memory 1 --quiet
cmp a/index.igx b/index.igx || fail "1 and 2 threads differ"
cmp a/index.igx m/index.igx || fail "spilled build differs"
cmp a/documents.csv b/documents.csv || fail "documents.csv differs"
expect_exit 0 "$IGMAP" check m/index.igx
