# Lexicons with the slips people make (locale comma, typo'd dimension, a
# space for a TAB, unclosed quote, broken regex, duplicate, shadowed and
# conflicting entries, wrong cluster, a Latin-1 byte): every problem is
# reported at its line and column, sorted, none left out; one summary line
# per file; exit 1.  Golden files: tests/fixtures/lint/bad.err and bad.out.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
expect_exit 1 "$IGMAP" lint tests/fixtures/lint/bad-positions.tsv tests/fixtures/lint/bad-issues.tsv
diff -u tests/fixtures/lint/bad.err "$T/err" || fail "stderr differs from bad.err"
diff -u tests/fixtures/lint/bad.out "$T/out" || fail "stdout differs from bad.out"
