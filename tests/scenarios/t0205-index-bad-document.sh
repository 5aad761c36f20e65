# A document with invalid UTF-8 fails the whole run with a located error;
# the index and documents.csv of an earlier run stay byte-identical and no
# temporary file is left (strict default, FAULTS.md P1, F01).
. "$(dirname "$0")/lib.sh"
mkdir c
printf 'Good text here.\n' >c/a.txt
printf 'Fine.\n' >c/b.txt
expect_exit 0 "$IGMAP" index c -o o/index.igx --quiet
cp o/index.igx old.igx
cp o/documents.csv old.csv
printf 'ab\200cd\n' >c/b.txt
expect_exit 1 "$IGMAP" index c -o o/index.igx --threads 2
expect_err 'c/b.txt:1:3: invalid UTF-8'
expect_err '(byte 2)'
cmp o/index.igx old.igx || fail "index changed"
cmp o/documents.csv old.csv || fail "documents.csv changed"
no_temp_files o
[ "$(ls o | wc -l)" = 2 ] || fail "extra files in o: $(ls o)"
