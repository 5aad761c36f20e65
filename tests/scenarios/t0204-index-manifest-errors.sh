# Manifest problems are listed together, located as manifest.csv:LINE,
# before any document is read; exit 1 and no output at all.
. "$(dirname "$0")/lib.sh"
mkdir c
printf 'one two\n' >c/a.txt
cat >c/manifest.csv <<'CSV'
id,path,language
a,a.txt,en
a,a.txt,en
b,missing.txt,en
c,other-missing.txt,en
CSV
expect_exit 1 "$IGMAP" index c -o o/c/index.igx
expect_err 'c/manifest.csv:3: duplicate'
expect_err 'c/manifest.csv:4: missing file "missing.txt"'
expect_err 'c/manifest.csv:5: missing file "other-missing.txt"'
expect_err '3 problems'
[ ! -e o ] || fail "output directory created despite errors"
# row-level problems: wrong field count and an unsupported language
cat >c/manifest.csv <<'CSV'
id,path,language
a,a.txt,xx
b,a.txt
CSV
expect_exit 1 "$IGMAP" index c -o o/c/index.igx
expect_err 'c/manifest.csv:2: unknown or unsupported language "xx"'
expect_err 'c/manifest.csv:3: expected 3 fields, got 2'
[ ! -e o ] || fail "output directory created despite errors"
