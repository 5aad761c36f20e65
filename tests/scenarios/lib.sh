# Shared helpers for the numbered scenarios (sourced).  Each scenario runs in
# its own scratch directory $T, removed on exit; $IGMAP is the binary under
# test and $ROOT the checkout.
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IGMAP=${IGMAP:-build/san/igmap}
case "$IGMAP" in /*) ;; *) IGMAP="$ROOT/$IGMAP" ;; esac
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"

fail() { echo "FAIL: $*" >&2; exit 1; }

# expect_exit CODE CMD...: run CMD, capture stdout/stderr in $T/out, $T/err,
# and fail unless it exits with CODE.
expect_exit() {
    want=$1; shift
    set +e; "$@" >"$T/out" 2>"$T/err"; got=$?; set -e
    [ "$got" = "$want" ] || { cat "$T/err" >&2; fail "expected exit $want, got $got: $*"; }
}

# expect_err TEXT: stderr of the last expect_exit contains TEXT (fixed string).
expect_err() {
    grep -qF -- "$1" "$T/err" || { echo "stderr was:" >&2; cat "$T/err" >&2; fail "stderr lacks: $1"; }
}

# no_temp_files DIR: no *.tmp.* left behind.
no_temp_files() {
    ! find "$1" -name '*.tmp.*' | grep -q . || fail "temp files left in $1"
}
