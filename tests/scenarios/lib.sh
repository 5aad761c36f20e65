# Shared helpers for the numbered scenarios (sourced).  Each scenario runs in
# its own scratch directory $T, removed on exit; $IGMAP is the binary under
# test and $ROOT the checkout.  $IGMAP_PLAIN is the same program built
# without sanitizers (build/igmap): AddressSanitizer reserves terabytes of
# address space, so scenarios that bound memory with `ulimit -v` run that
# one (see need_plain).
set -eu
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
IGMAP=${IGMAP:-build/san/igmap}
case "$IGMAP" in /*) ;; *) IGMAP="$ROOT/$IGMAP" ;; esac
IGMAP_PLAIN=${IGMAP_PLAIN:-build/igmap}
case "$IGMAP_PLAIN" in /*) ;; *) IGMAP_PLAIN="$ROOT/$IGMAP_PLAIN" ;; esac
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

# need_plain: fail unless the unsanitised binary is there (make test builds
# it); a memory-bound scenario must not pass by skipping its subject.
need_plain() {
    [ -x "$IGMAP_PLAIN" ] || fail "$IGMAP_PLAIN missing (make build/igmap)"
}

# vm_limited KIB CMD...: run CMD with its address space capped at KIB
# kibibytes (ulimit -v) and a 60 s timeout; output in $T/out, $T/err, exit
# status in $st.  A run that needs more memory than the cap fails inside
# (malloc returns NULL) instead of growing.
vm_limited() {
    kib=$1; shift
    set +e
    sh -c 'ulimit -v "$0" && exec timeout 60 "$@"' "$kib" "$@" >"$T/out" 2>"$T/err"
    st=$?
    set -e
}
