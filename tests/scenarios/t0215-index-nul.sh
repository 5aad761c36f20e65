# A NUL byte is binary data (strict); --allow-nul treats it as a separator.
. "$(dirname "$0")/lib.sh"
mkdir c
printf 'one\000two\n' >c/n.txt
expect_exit 1 "$IGMAP" index c -o o/index.igx
expect_err 'n.txt'
expect_err 'NUL'
expect_exit 0 "$IGMAP" index c -o o/index.igx --allow-nul --quiet
grep -q '^n.txt,n.txt,en,8,8,0,2,' o/documents.csv || fail "$(cat o/documents.csv)"
