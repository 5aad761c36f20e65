# Past 8,192 positions rows, positions.csv is formatted on two threads
# (classify_out.c, POS_SPLIT_MIN; the second half in memory, written after
# the first): every file is the same bytes as with one thread.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
mkdir c
awk 'BEGIN { print "id,path,stakeholder_group"
             for (i = 0; i < 8300; i++) {
                 f = sprintf("d%05d.txt", i)
                 printf "d%05d,%s,%s\n", i, f, (i % 3 ? "government" : "civil society")
                 if (i % 2)
                     printf "Member states decide on an equal footing, %d.\n", i > "c/" f
                 else
                     printf "All stakeholders in their respective roles, %d.\n", i > "c/" f
             } }' > c/manifest.csv
expect_exit 0 "$IGMAP" index c -o i/index.igx --quiet
for th in 1 2; do
    expect_exit 0 "$IGMAP" classify i/index.igx --lexicon "$L/positions.tsv" \
        --negators "$L/negators.tsv" -o o$th --quiet --threads $th --no-wordfish
done
[ "$(wc -l < o2/positions.csv)" -gt 8192 ] || fail "fewer rows than the split needs"
for f in positions.csv evidence.csv position_groups.csv lexicon_coverage.csv; do
    cmp o1/$f o2/$f || fail "$f differs between 1 and 2 threads"
done
