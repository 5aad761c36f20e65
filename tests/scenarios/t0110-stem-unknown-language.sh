# An unsupported --language is a usage error (exit 2) listing the codes.
. "$(dirname "$0")/lib.sh"
printf 'file\tpos\tspan\tkind\tstart\tend\tsentence\tparagraph\tsection\ttoken\n' >in.tsv
expect_exit 2 sh -c '"$0" stem --language xx <in.tsv' "$IGMAP"
expect_err 'igmap: stem: unsupported language "xx" (supported: ar, ca, da, de, el, en, es, eu, fi, fr,'
expect_err ', sv, ta, tr, yi)'
expect_exit 2 sh -c '"$0" stem --language EN <in.tsv' "$IGMAP"
expect_err 'unsupported language "EN"'
expect_exit 0 sh -c '"$0" stem --language de <in.tsv' "$IGMAP"
