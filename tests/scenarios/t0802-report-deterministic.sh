# report and provenance: the same inputs give the same bytes, whatever the
# run, the locale (a comma decimal point in de_DE), the time zone or the
# output path; no time stamp is written.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/scenarios/report-fixture.sh"
build_fixture "$T/o"
cp "$T/o/provenance.json" prov1.json
expect_exit 0 "$IGMAP" report "$T/o"
cp "$T/o/report.html" r1.html
expect_exit 0 "$IGMAP" report "$T/o" -o r2.html
cmp -s r1.html r2.html || fail "report differs between two runs (or -o changes it)"
TZ=Pacific/Chatham expect_exit 0 "$IGMAP" report "$T/o" -o r3.html
cmp -s r1.html r3.html || fail "report depends on the time zone"
(cd "$ROOT" && "$IGMAP" provenance "$T/o" --corpus "$RFX" --lexicon lexicons/positions.tsv \
    --lexicon lexicons/negators.tsv --lexicon $MFX/issues.tsv --lexicon $MFX/mechanisms.tsv \
    --lexicon $MFX/gaps.tsv \
    --classify-args "--lexicon lexicons/positions.tsv --negators lexicons/negators.tsv" \
    --map-args "--issues $MFX/issues.tsv --mechanisms $MFX/mechanisms.tsv --gaps $MFX/gaps.tsv --positions $T/o/positions.csv" \
    --index-args "" -o "$T/prov2.json") || fail "provenance failed"
cmp -s prov1.json prov2.json || fail "provenance.json differs between two runs"
if grep -Eq '20[0-9][0-9]-[01][0-9]-[0-3][0-9]T|[0-2][0-9]:[0-5][0-9]:[0-5][0-9]' r1.html prov1.json; then
    fail "a time stamp was written"
fi
n=0
for loc in de_DE.UTF-8 tr_TR.UTF-8; do
    if ! locale -a 2>/dev/null | grep -qix "$(echo "$loc" | sed 's/UTF-8/utf8/')"; then
        echo "locale $loc not installed: skipped"
        continue
    fi
    LC_ALL=$loc expect_exit 0 "$IGMAP" report "$T/o" -o "r-$loc.html"
    cmp -s r1.html "r-$loc.html" || fail "report differs under $loc"
    n=$((n + 1))
done
echo "locales compared: $n"
