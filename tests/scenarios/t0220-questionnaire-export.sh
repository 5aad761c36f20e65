# A questionnaire export (one CSV row per respondent, one column per
# question, declared by format=questionnaire in the manifest) indexes to the
# same answers, token for token and section for section, as the same replies
# given as separate files with "Question N" headings (issue 3).  The shipped
# export corpora/wgec1-export holds the WGEC1 replies of the sample corpus.
. "$(dirname "$0")/lib.sh"
S="$ROOT/corpora/sample"
# The separate files, as their own corpus.
mkdir files
head -1 "$S/manifest.csv" >files/manifest.csv
grep '^wgec1-[^,]*,wgec1/' "$S/manifest.csv" >>files/manifest.csv
mkdir files/wgec1
cp "$S"/wgec1/wgec1-*.txt* files/wgec1/
n=$(($(wc -l <files/manifest.csv) - 1))
[ "$n" = 26 ] || fail "expected 26 WGEC1 replies in the sample, found $n"
"$IGMAP" index files -o files.igx --documents files-docs.csv --quiet
"$IGMAP" index "$ROOT/corpora/wgec1-export" -o export.igx --documents export-docs.csv --quiet
[ "$(($(wc -l <export-docs.csv) - 1))" = 26 ] || fail "export did not give 26 documents"
# Every token with its document and section: /./ matches every term.
"$IGMAP" kwic files.igx '/./' --window 0 -o files.csv
"$IGMAP" kwic export.igx '/./' --window 0 -o export.csv
# doc_id,sentence,section,start,end,left,match,right: keep doc, section, match
# of the answers (section > 0); the files' title lines are section 0.
for f in files export; do
    awk -F, 'NR > 1 && $3 > 0 { print $1 "," $3 "," $7 }' $f.csv | LC_ALL=C sort -s -t, -k1,1 >$f.tok
done
[ "$(wc -l <files.tok)" -gt 10000 ] || fail "too few answer tokens: $(wc -l <files.tok)"
cmp -s files.tok export.tok || { diff files.tok export.tok | head -20; fail "answers differ"; }
# Same highest section per respondent (documents.csv column "sections").
for f in files export; do
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "sections") c = i; next }
             { print $1 "," $c }' $f-docs.csv | LC_ALL=C sort >$f.sec
done
cmp -s files.sec export.sec || { diff files.sec export.sec; fail "sections differ"; }
# Metadata comes from the export row, path names the row.
grep -q '^wgec1-in-2013,replies.csv#wgec1-in-2013,wgec1,' export-docs.csv ||
    fail "documents.csv lacks the export row for India"
