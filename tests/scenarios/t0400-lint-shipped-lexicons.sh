# The shipped lexicons lint clean (issue 3: `make test` lints them): exit 0,
# nothing on stderr, and an "ok" summary naming each file.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
set -- lexicons/*.tsv
[ "$#" -ge 5 ] || fail "expected the five shipped lexicons, found $#"
expect_exit 0 "$IGMAP" lint "$@"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "lint printed problems"; }
for f in "$@"; do
    grep -qE "^$f: ok, [0-9]+ entr" "$T/out" || { cat "$T/out" >&2; fail "no ok line for $f"; }
done
[ "$(wc -l <"$T/out")" -eq "$#" ] || fail "expected one summary line per file"
