# igmap lint: no file is a usage error (exit 2); an unknown option too; a
# missing file is reported with the OS reason and "not checked" while the
# other files are still checked (exit 3); a directory is rejected (exit 1).
. "$(dirname "$0")/lib.sh"
expect_exit 2 "$IGMAP" lint
expect_err "igmap: lint: no lexicon given"
expect_exit 2 "$IGMAP" lint --bogus "$ROOT/lexicons/gaps.tsv"
expect_err 'unknown option "--bogus"'
expect_exit 3 "$IGMAP" lint "$T/missing.tsv" "$ROOT/lexicons/gaps.tsv"
expect_err "igmap: lint: $T/missing.tsv: cannot open: No such file or directory"
expect_err "igmap: lint: 1 of 2 lexicons could not be read"
grep -qx "$T/missing.tsv: not checked" "$T/out" || fail "no 'not checked' line"
grep -q "gaps.tsv: ok, " "$T/out" || fail "the readable file was not checked"
mkdir "$T/dir.tsv"
expect_exit 1 "$IGMAP" lint "$T/dir.tsv"
expect_err "$T/dir.tsv: not a regular file"
# "--" ends the options, so a lexicon may be named like an option.
cp "$ROOT/lexicons/negators.tsv" "$T/-n.tsv"
expect_exit 0 "$IGMAP" lint -- "$T/-n.tsv"
