# map: the six tables on the fixture corpus (tests/fixtures/map: five
# documents, small lexicons, a positions.csv in classify's shape) equal the
# golden files, checked by eye once: "Kenya IGF" is national_igfs and not
# igf; "Cyber-security" is one cybersecurity mention although two rows
# match it; "It is an orphan issue." claims the previous sentence's issue;
# the submitter "=SUM(1+1)" is neutralised and "Open Net, Inc." quoted; the
# section row and the label-none row of positions.csv are not positions;
# every gap type appears once or more.
. "$(dirname "$0")/lib.sh"
FX=tests/fixtures/map
expect_exit 0 "$IGMAP" index "$ROOT/$FX/corpus" -o fx.igx --quiet
cd "$ROOT"
expect_exit 0 "$IGMAP" map "$T/fx.igx" --issues $FX/issues.tsv --mechanisms $FX/mechanisms.tsv \
    --gaps $FX/gaps.tsv --positions $FX/positions.csv -o "$T/res"
cd "$T"
[ ! -s "$T/err" ] || { cat "$T/err" >&2; fail "map wrote to stderr"; }
for f in issues.csv issues_by_process.csv issues_by_group.csv issue_mechanisms.csv gaps.csv \
         map_evidence.csv; do
    diff -u "$ROOT/tests/golden/map/$f" "res/$f" || fail "$f differs from tests/golden/map/$f"
done
[ "$(ls res | wc -l)" = 6 ] || { ls -la res >&2; fail "expected exactly six files in res/"; }
no_temp_files res
