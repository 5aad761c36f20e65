# Usage errors exit 2 with a message naming the problem, before any file is
# read: no index, missing required options, bad option values, unknown
# options, an extra operand.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
expect_exit 2 "$IGMAP" classify
expect_err "no index given"
expect_exit 2 "$IGMAP" classify idx.igx --negators "$L/negators.tsv" -o res
expect_err "--lexicon, --negators and -o are all required"
for bad in "--threshold 1.5" "--threshold x" "--negation sideways" "--negation-factor 2" \
    "--cross-overlap maybe" "--quotes none" "--bootstrap -1" "--bootstrap 2000000" \
    "--threads 0" "--smoothing -1" "--min-cues x" "--context 5000" "--seed 1x" \
    "--wordfish-dir onlyone" "--wordfish-dir a,a" "--wordfish-priors 1,2,3" \
    "--wordfish-priors inf,inf,0,1" "--wordfish-tol 1e-6" "--scale-features 1"; do
    # shellcheck disable=SC2086
    expect_exit 2 "$IGMAP" classify idx.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res $bad
    expect_err "igmap: classify:"
done
expect_exit 2 "$IGMAP" classify idx.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res --frobnicate
expect_err "unknown option --frobnicate"
expect_exit 2 "$IGMAP" classify idx.igx extra --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res
expect_err "one index only"
expect_exit 2 "$IGMAP" classify idx.igx --lexicon
expect_err "needs a value"
[ ! -e res ] || fail "a usage error created the output directory"
