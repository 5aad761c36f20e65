# Weights are parsed in the C locale whatever the environment (F38, F56):
# under a German locale "0,5" is still rejected and "0.5" still accepted,
# with the same messages.  (Where those locales are not installed, the C
# library falls back to C and this is only a guard against a future
# setlocale + strtod.)
. "$(dirname "$0")/lib.sh"
printf 'pole\tdimension\tweight\tpattern\nmultilateral\tgeneral\t0.5\tsovereignty\nmultilateral\tgeneral\t0,5\tstates\n' >"$T/p.tsv"
for loc in C de_DE.UTF-8 fr_FR.UTF-8; do
    export LC_ALL="$loc"
    expect_exit 1 "$IGMAP" lint "$T/p.tsv"
    expect_err "igmap: lint: $T/p.tsv:3:22: invalid weight \"0,5\""
    [ "$(wc -l <"$T/err")" -eq 2 ] || { cat "$T/err" >&2; fail "expected one problem and the summary under $loc"; }
done
