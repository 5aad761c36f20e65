# The bootstrap's two draw paths (classify.h "Interval"; IGMAP_BOOT_PATH)
# give the same bytes on the real rows of the sample corpus: the plain lanes
# and the AVX-512 lanes (the default where the CPU has AVX-512; elsewhere
# the request falls back to plain and the comparison proves less).  A bad
# value is a usage error.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
expect_exit 0 "$IGMAP" index "$ROOT/corpora/sample" -o idx/index.igx --quiet
for p in scalar avx512; do
    expect_exit 0 env IGMAP_BOOT_PATH=$p "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" \
        --negators "$L/negators.tsv" -o "o_$p" --quiet
done
# The intervals are there (else the comparison would be empty).
n=$(awk -F, 'NR > 1 && $13 != "" && $14 != "" && $13 != $14' o_avx512/positions.csv | wc -l)
[ "$n" -gt 50 ] || fail "only $n rows with an interval"
for f in positions.csv evidence.csv position_groups.csv positions_summary.txt positions_provenance.json; do
    cmp o_scalar/$f o_avx512/$f || fail "$f differs between the scalar and AVX-512 paths"
done
expect_exit 2 env IGMAP_BOOT_PATH=sse9 "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" \
    --negators "$L/negators.tsv" -o bad --quiet
expect_err 'IGMAP_BOOT_PATH wants auto, scalar or avx512, not "sse9"'
[ ! -e bad/positions.csv ] || fail "a usage error wrote outputs"
