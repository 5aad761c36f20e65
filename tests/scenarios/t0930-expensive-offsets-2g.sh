# Offsets past 2^31 (FAULTS.md F14), under ASan+UBSan.  Expensive: about
# 3 GB of text indexed into a 2.26 GB index (a few minutes, 4.5 GB of disk
# in $TMPDIR, 1 GB of memory).
#  - One document cannot get there: a sparse file of 2 GiB + 2 bytes is
#    refused before a byte of it is read, with the limit error
#    (IG_MAX_DOC_BYTES, 512 MiB), exit 1, by index and tokenise alike.
#  - A corpus can: six documents of 500 MB (hard links to one file of
#    random punctuation and control characters, which compress to 75%,
#    ending in "alpha beta zebra") and a small last one.  The index format
#    keeps every offset and length in 64 bits (stages/index.c); here the
#    last document's text and the postings section lie past 2^31 in the
#    file.  kwic there returns the right bytes, count finds the word in
#    every document (postings read past 2^31), igmap check verifies every
#    CRC and hash.
. "$(dirname "$0")/lib.sh"
free_kb=$(df -Pk . | awk 'NR == 2 { print $4 }')
if [ "$free_kb" -lt 5000000 ]; then
    echo "needs 5 GB free in $(pwd), has ${free_kb} kB: skipped"
    exit 77
fi

# 1. A single 2 GiB document: refused at once.
mkdir c1
dd bs=1M seek=2048 of=c1/big.txt </dev/null 2>/dev/null
echo x >>c1/big.txt
[ "$(wc -c <c1/big.txt)" = 2147483650 ] || fail "the sparse file is not 2^31 + 2 bytes"
expect_exit 1 timeout 30 "$IGMAP" index c1 -o o1/index.igx --quiet
expect_err 'igmap: input: c1/big.txt: document exceeds limit (more than 536870912 bytes)'
[ ! -e o1/index.igx ] || fail "an index was written"
expect_exit 1 timeout 30 "$IGMAP" tokenise c1/big.txt
expect_err 'igmap: input: c1/big.txt: document exceeds limit (more than 536870912 bytes)'
rm -rf c1

# 2. A corpus past 2^31.
mkdir c
SET=$(awk 'BEGIN { for (c = 1; c < 128; c++) { ch = sprintf("%c", c); if (ch !~ /[A-Za-z0-9]/) s = s sprintf("\\%03o", c) }
                   for (r = 0; r < 4; r++) printf "%s", s }')
head -c 499999983 /dev/urandom | tr '\000-\377' "$SET" >c/big1.txt
printf ' alpha beta zebra' >>c/big1.txt
[ "$(wc -c <c/big1.txt)" = 500000000 ] || fail "big1.txt is not 500000000 bytes"
head -c 100000000 c/big1.txt | LC_ALL=C grep -aq '[A-Za-z0-9]' && fail "the filler holds letters or digits"
for i in 2 3 4 5 6; do ln c/big1.txt c/big$i.txt; done
echo 'A last document: the zebra crossing lies past two gigabytes.' >c/last.txt
{ echo id,path; for i in 1 2 3 4 5 6; do echo "b$i,big$i.txt"; done; echo last,last.txt; } >c/manifest.csv
expect_exit 0 "$IGMAP" index c -o o/index.igx --quiet --threads 1
size=$(wc -c <o/index.igx)
[ "$size" -gt 2147483648 ] || fail "the index is only $size bytes"
grep -q '^b6,big6.txt,500000000,500000000,0,3,1,1,0,' o/documents.csv ||
    { cat o/documents.csv >&2; fail "documents.csv: b6"; }

# Where things are, from the footer, directory and document record
# (format: top of stages/index.c).
u64() { od -An -tu8 -j "$1" -N8 o/index.igx | tr -d ' '; }
u32() { od -An -tu4 -j "$1" -N4 o/index.igx | tr -d ' '; }
dir=$(u64 $((size - 40)))
docdata= documents=
i=0
while [ $i -lt 10 ]; do
    id=$(u32 $((dir + 24 * i)))
    [ "$id" = 1 ] && docdata=$(u64 $((dir + 24 * i + 8)))
    [ "$id" = 2 ] && postings=$(u64 $((dir + 24 * i + 8)))
    [ "$id" = 6 ] && documents=$(u64 $((dir + 24 * i + 8)))
    i=$((i + 1))
done
rec=$((documents + 8 + 136 * 6))
text_at=$((docdata + $(u64 $((rec + 56)))))
echo "index $size bytes; last document's text at $text_at, postings at $postings"
[ "$text_at" -gt 2147483648 ] || fail "the last document's text is not past 2^31 ($text_at)"
[ "$postings" -gt 2147483648 ] || fail "the postings are not past 2^31 ($postings)"

expect_exit 0 "$IGMAP" kwic o/index.igx '=crossing' --window 3
printf 'doc_id,sentence,section,start,end,left,match,right\nlast,1,0,27,35,document: the zebra,crossing,lies past two\n' |
    diff -u - "$T/out" || fail "kwic past 2^31: wrong row"
expect_exit 0 "$IGMAP" count o/index.igx '=zebra' --by id
printf 'value,matches,documents\nb1,1,1\nb2,1,1\nb3,1,1\nb4,1,1\nb5,1,1\nb6,1,1\nlast,1,1\n' |
    diff -u - "$T/out" || fail "count past 2^31: wrong counts"
expect_exit 0 "$IGMAP" kwic o/index.igx '"beta zebra"' --window 1 -o kw.csv
[ "$(grep -c '^b[1-6],1,0,499999990,500000000,alpha,beta zebra,$' kw.csv)" = 6 ] ||
    { cat kw.csv >&2; fail "kwic in the 500 MB documents: wrong rows"; }
expect_exit 0 "$IGMAP" check o/index.igx
grep -q '^ok: 7 documents, ' "$T/out" || { cat "$T/out" >&2; fail "check did not pass"; }
