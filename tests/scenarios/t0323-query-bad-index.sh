# kwic and count on a missing index (exit 3, the OS reason) and on a file
# that is not an index (exit 1).
. "$(dirname "$0")/lib.sh"
expect_exit 3 "$IGMAP" kwic missing.igx equal
expect_err 'missing.igx'
expect_err 'No such file or directory'
echo 'not an index at all' >junk.igx
expect_exit 1 "$IGMAP" count junk.igx equal
expect_err 'junk.igx'
expect_err 'not an igmap index'
