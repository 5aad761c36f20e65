# Questionnaire replies: a document with "Question N" headings gets a row
# per section besides its whole-document row (section 0); text before the
# first heading counts for section 0 only; evidence rows carry the section
# of their first token; --no-sections keeps the section-0 rows alone.
. "$(dirname "$0")/lib.sh"
L="$ROOT/lexicons"
mkdir c
cat >c/reply.txt <<'TXT'
Reply of a ministry. We favour open consultations.

Question 1

The multistakeholder model works.

Question 3

We support a new intergovernmental mechanism for public policy.
TXT
echo 'A plain letter. The multistakeholder model works.' >c/letter.txt
expect_exit 0 "$IGMAP" index c -o idx/index.igx --quiet
expect_exit 0 "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o res --quiet
# id,section,...: rows letter/0, reply/0, reply/1, reply/3 (bytewise order).
cut -d, -f1,2 res/positions.csv >"$T/rows"
printf 'id,section\nletter.txt,0\nreply.txt,0\nreply.txt,1\nreply.txt,3\n' >"$T/want"
diff -u "$T/want" "$T/rows" || fail "rows per section"
# evidence sections: 0 for the preamble's cue, 1 and 3 for the others.
awk -F, 'NR > 1 && $1 == "reply.txt" { print $2 "," $6 }' res/evidence.csv >"$T/ev"
printf '0,multistakeholder\n1,multistakeholder\n3,multilateral\n' >"$T/want_ev"
diff -u "$T/want_ev" "$T/ev" || fail "evidence sections"
expect_exit 0 "$IGMAP" classify idx/index.igx --lexicon "$L/positions.tsv" --negators "$L/negators.tsv" -o out2 --quiet --no-sections
[ "$(awk -F, 'NR > 1 { print $2 }' out2/positions.csv | sort -u)" = 0 ] || fail "--no-sections left section rows"
