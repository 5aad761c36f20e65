# map: bad lexicons are exit 1 with every problem of every lexicon listed as
# file:line:col before anything runs, and nothing written: a new -o
# directory is not created, an existing one keeps its tables byte for byte.
# A lexicon of the wrong kind is a located problem too; a missing one exit 3.
. "$(dirname "$0")/lib.sh"
FX="$ROOT/tests/fixtures/map"
TAB=$(printf '\t')
expect_exit 0 "$IGMAP" index "$FX/corpus" -o fx.igx --quiet
printf 'cluster\tissue\tpattern\tnote\nsecurity\tspam\t"spam\tunterminated\nsecurty\tspam2\tspam\tbad cluster\n' >bad-issues.tsv
printf 'mechanism\ttype\tpattern\tnote\nitu\tglobal\t=itu\tbad type\n' >bad-mechs.tsv

expect_exit 1 "$IGMAP" map fx.igx --issues bad-issues.tsv --mechanisms bad-mechs.tsv \
    --gaps "$FX/gaps.tsv" -o new
cat >want <<'EOF2'
igmap: map: bad-issues.tsv:2:15: unterminated phrase
igmap: map: bad-issues.tsv:3:1: unknown cluster "securty" (expected infrastructure, security, human_rights, legal, economic, development, sociocultural, emerging or process)
igmap: map: bad-mechs.tsv:2:5: unknown type "global" (expected multilateral, multistakeholder, technical or regional)
igmap: map: 3 problems in 2 lexicons; nothing was written
EOF2
diff -u want "$T/err"
[ ! -e new ] || fail "the -o directory was created"

# An existing output directory keeps its tables.
expect_exit 0 "$IGMAP" map fx.igx --issues "$FX/issues.tsv" --mechanisms "$FX/mechanisms.tsv" -o res
(cd res && cksum *) >before
printf 'pattern\tnote\n/(unclosed/\tbad regex\n' >bad-gaps.tsv
expect_exit 1 "$IGMAP" map fx.igx --issues "$FX/issues.tsv" --mechanisms "$FX/mechanisms.tsv" \
    --gaps bad-gaps.tsv -o res
expect_err "bad-gaps.tsv:2:11: regex error: missing closing parenthesis"
(cd res && cksum *) >after
diff -u before after || fail "tables changed after a failed run"
no_temp_files res

# The wrong kind of lexicon in a slot.
expect_exit 1 "$IGMAP" map fx.igx --issues "$FX/mechanisms.tsv" --mechanisms "$FX/mechanisms.tsv" -o new
expect_err "mechanisms.tsv:1:1: this is a mechanisms lexicon (by its header), expected issues"
[ ! -e new ] || fail "the -o directory was created"
# A lexicon that cannot be read: exit 3, named.
expect_exit 3 "$IGMAP" map fx.igx --issues missing.tsv --mechanisms "$FX/mechanisms.tsv" -o new
expect_err "igmap: map: missing.tsv: cannot open: No such file or directory"
[ ! -e new ] || fail "the -o directory was created"
