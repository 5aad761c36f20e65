# A truncated .gz and a file named .gz that is not gzip stop the run with a
# located error and no output (F19, F23).
. "$(dirname "$0")/lib.sh"
mkdir c
printf 'Internet governance and enhanced cooperation, again and again and again.\n' | gzip -c >c/full.txt.gz
head -c 30 c/full.txt.gz >c/cut.txt.gz
expect_exit 1 "$IGMAP" index c -o o/index.igx
expect_err 'cut.txt.gz'
[ ! -e o/index.igx ] || fail "index written"
rm c/cut.txt.gz
printf 'plain text\n' >c/fake.txt.gz
expect_exit 1 "$IGMAP" index c -o o/index.igx
expect_err 'fake.txt.gz'
expect_err 'not gzip'
[ ! -d o ] || no_temp_files o
