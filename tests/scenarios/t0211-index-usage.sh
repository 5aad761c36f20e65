# Usage errors exit 2 with a message naming the problem.
. "$(dirname "$0")/lib.sh"
C="$ROOT/tests/fixtures/index/basic"
expect_exit 2 "$IGMAP" index "$C"
expect_err '-o INDEX.igx is required'
expect_exit 2 "$IGMAP" index -o x.igx
expect_err 'expected one CORPUS'
expect_exit 2 "$IGMAP" index "$C" "$C" -o x.igx
expect_exit 2 "$IGMAP" index "$C" -o x.igx --threads 0
expect_err '--threads'
expect_exit 2 "$IGMAP" index "$C" -o x.igx --on-invalid=maybe
expect_err '--on-invalid'
expect_exit 2 "$IGMAP" index "$C" -o x.igx --bogus
expect_err 'unknown option'
expect_exit 2 "$IGMAP" index "$C" -o x.igx --section-pattern '(unclosed'
[ ! -e x.igx ] || fail "index written on a usage error"
no_temp_files .
expect_exit 2 "$IGMAP" info
expect_exit 2 "$IGMAP" check a.igx b.igx
expect_exit 3 "$IGMAP" check missing.igx
expect_err 'missing.igx'
expect_err 'No such file or directory'
