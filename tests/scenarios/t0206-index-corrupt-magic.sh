# A file that is not an index: one clear sentence, exit 1, for info and check.
. "$(dirname "$0")/lib.sh"
printf 'id,path\nx,y\n' >fake.igx
expect_exit 1 "$IGMAP" check fake.igx
expect_err 'igmap: index: fake.igx: not an igmap index'
expect_exit 1 "$IGMAP" info fake.igx
expect_err 'not an igmap index'
: >empty.igx
expect_exit 1 "$IGMAP" check empty.igx
expect_err 'empty.igx'
expect_err 'truncated'
