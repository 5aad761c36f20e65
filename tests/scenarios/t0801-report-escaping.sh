# report: text from documents, tables and provenance is HTML-escaped.  The
# fixture's r6 contains <script>alert("x&y")</script> and its submitter is
# "Quotes" & <b>Co</b>; r7's submitter =SUM(1+1) is neutralised in the CSVs
# ('=SUM...) and shown as written.  Map options given to provenance carry
# quotes, a backslash and markup; a table edited by hand carries a byte
# that is not UTF-8.  Nothing of it may become markup.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/scenarios/report-fixture.sh"
build_fixture "$T/o"
# provenance again, with hostile option text (quotes, backslash, markup, tab)
(cd "$ROOT" && "$IGMAP" provenance "$T/o" --corpus "$RFX" --lexicon $MFX/gaps.tsv \
    --map-args "$(printf -- '--unit sentence --note "a\\\\b" </script><b>x\tq')") ||
    fail "provenance with hostile options failed"
grep -qF '"--note",' "$T/o/provenance.json" || fail "unrecognised map words not recorded"
grep -qF '"\"a\\\\b\""' "$T/o/provenance.json" || fail "quote or backslash not escaped in JSON"
# a hand-edited gap reason with a byte that is not UTF-8 and markup
awk 'NR == 2 { sub(/,[^,]*$/, ",bad \377 <i>byte</i>") } { print }' "$T/o/gaps.csv" >g &&
    mv g "$T/o/gaps.csv"
expect_exit 0 "$IGMAP" report "$T/o"
H=$T/o/report.html
if grep -qi '<script' "$H"; then fail "a <script> tag reached the page"; fi
if grep -q '<b>Co' "$H"; then fail "markup from a submitter reached the page"; fi
if grep -q '<i>byte' "$H"; then fail "markup from a table reached the page"; fi
if grep -q '</script><b>x' "$H"; then fail "markup from provenance reached the page"; fi
grep -qF 'We write &lt;script&gt;alert(&quot;x&amp;y&quot;)&lt;/script&gt; about' "$H" ||
    fail "the hostile sentence is not quoted, escaped"
grep -qF '&quot;Quotes&quot; &amp; &lt;b&gt;Co&lt;/b&gt;' "$H" || fail "the submitter is not escaped"
grep -qF '=SUM(1+1)' "$H" || fail "=SUM(1+1) not shown"
if grep -qF "'=SUM" "$H"; then fail "the CSV neutraliser ' is shown"; fi
grep -qF "$(printf 'bad \357\277\275 &lt;i&gt;byte&lt;/i&gt;')" "$H" ||
    fail "the invalid byte is not shown as U+FFFD"
grep -qF '&lt;/script&gt;&lt;b&gt;x' "$H" || fail "provenance text not escaped in the footer"
# and the whole page is valid UTF-8 (iconv from glibc, in Debian's base)
iconv -f UTF-8 -t UTF-8 "$H" >/dev/null || fail "report.html is not valid UTF-8"
