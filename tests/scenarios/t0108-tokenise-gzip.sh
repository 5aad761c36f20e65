# A .gz document tokenises exactly like its plain text; a truncated one is
# rejected (F19).
. "$(dirname "$0")/lib.sh"
printf 'Internet-related public policy issues.\n\nSecond paragraph.\n' >doc.txt
gzip -c doc.txt >doc.txt.gz
"$IGMAP" tokenise doc.txt | cut -f2- >plain.cols
"$IGMAP" tokenise doc.txt.gz | cut -f2- >gz.cols
diff -u plain.cols gz.cols || fail "gzip output differs"
head -c 20 doc.txt.gz >cut.txt.gz
expect_exit 1 "$IGMAP" tokenise cut.txt.gz
expect_err "cut.txt.gz"
