# LF, CRLF and lone-CR versions of one text, with and without a final line
# break, give the same tokens, positions, sentences, paragraphs and sections
# (F11); only byte offsets differ.
. "$(dirname "$0")/lib.sh"
printf 'Question 1: Multi-stakeholder model.\n\nSecond para, e.g. here\nQ2: end\n' >lf.txt
printf 'Question 1: Multi-stakeholder model.\r\n\r\nSecond para, e.g. here\r\nQ2: end\r\n' >crlf.txt
printf 'Question 1: Multi-stakeholder model.\r\rSecond para, e.g. here\rQ2: end\r' >cr.txt
printf 'Question 1: Multi-stakeholder model.\n\nSecond para, e.g. here\nQ2: end' >nofinal.txt
for f in lf crlf cr nofinal; do
    "$IGMAP" tokenise $f.txt | cut -f2-4,7-10 >$f.cols
done
for f in crlf cr nofinal; do
    diff -u lf.cols $f.cols || fail "$f differs from lf"
done
[ "$(tail -n 1 lf.cols)" = "$(printf '11\t0\tword\t3\t3\t2\tend')" ] || fail "last token: $(tail -n 1 lf.cols)"
! "$IGMAP" tokenise crlf.txt | grep -q "$(printf '\r')" || fail "a CR reached the output"
