# Issue 3, "done when": every issue and every mechanism that
# tests/expected/sample-issues.csv lists for a document of the sample corpus
# is found in that document by `igmap count` with the shipped lexicons.  An
# issue (mechanism) is found in a document when at least one pattern of its
# rows in lexicons/issues.tsv (lexicons/mechanisms.tsv) matches there; each
# pattern is counted once over the whole index with --by id.  Missing pairs
# are listed as "kind:key,doc_id".
. "$(dirname "$0")/lib.sh"
TAB=$(printf '\t')
EXP="$ROOT/tests/expected/sample-issues.csv"

"$IGMAP" index "$ROOT/corpora/sample" -o "$T/index.igx" --quiet >/dev/null 2>"$T/ierr" ||
    { cat "$T/ierr" >&2; fail "indexing corpora/sample failed"; }

# Wanted pairs: kind:key,doc_id.
awk -F, 'NR > 1 {
    n = split($2, a, ";"); for (i = 1; i <= n; i++) if (a[i] != "") print "issue:" a[i] "," $1
    n = split($3, b, ";"); for (i = 1; i <= n; i++) if (b[i] != "") print "mechanism:" b[i] "," $1
}' "$EXP" | LC_ALL=C sort -u >"$T/want"
[ -s "$T/want" ] || fail "no pairs read from $EXP"
cut -d, -f1 "$T/want" | LC_ALL=C sort -u >"$T/keys"

# The rows of a lexicon as kind:key<TAB>pattern (comments, blank lines and
# the header skipped, as lexicon.h specifies).
rows() { # FILE KIND KEYFIELD PATTERNFIELD
    awk -F'\t' -v kind="$2" -v k="$3" -v p="$4" '
        /^#/ || /^[ \t]*$/ { next }
        !h { h = 1; next }
        { print kind ":" $k "\t" $p }' "$1"
}
{
    rows "$ROOT/lexicons/issues.tsv" issue 2 3
    rows "$ROOT/lexicons/mechanisms.tsv" mechanism 1 3
} >"$T/rows"

# Every listed key must have rows at all.
cut -f1 "$T/rows" | LC_ALL=C sort -u >"$T/have"
LC_ALL=C comm -23 "$T/keys" "$T/have" >"$T/nokeys"
[ ! -s "$T/nokeys" ] || { cat "$T/nokeys" >&2; fail "keys of sample-issues.csv with no lexicon rows"; }

# Count each needed pattern; keep key,doc for documents with a match.
while IFS="$TAB" read -r key pat; do
    grep -qxF -- "$key" "$T/keys" || continue
    "$IGMAP" count "$T/index.igx" "$pat" --by id >"$T/c.csv" 2>"$T/cerr" ||
        { cat "$T/cerr" >&2; fail "count failed for $key pattern $pat"; }
    awk -F, -v k="$key" 'NR > 1 && $2 > 0 { print k "," $1 }' "$T/c.csv"
done <"$T/rows" | LC_ALL=C sort -u >"$T/found"

LC_ALL=C comm -23 "$T/want" "$T/found" >"$T/missing"
if [ -s "$T/missing" ]; then
    echo "issues/mechanisms of sample-issues.csv not found in their document:" >&2
    cat "$T/missing" >&2
    fail "$(wc -l <"$T/missing") of $(wc -l <"$T/want") pairs not found"
fi
