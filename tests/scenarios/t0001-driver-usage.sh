# The driver: no command and unknown commands are usage errors (exit 2) with
# the usage text; help and version succeed.
. "$(dirname "$0")/lib.sh"
expect_exit 2 "$IGMAP"
expect_err "usage:"
expect_exit 2 "$IGMAP" frobnicate
expect_err 'igmap: unknown command "frobnicate"'
expect_exit 0 "$IGMAP" help
grep -q "igmap kwic INDEX PATTERN" "$T/out" || fail "help lacks kwic"
expect_exit 0 "$IGMAP" version
grep -Eq '^igmap [0-9]+\.[0-9]+\.[0-9]+$' "$T/out" || fail "bad version line"
