# A 100 MB document on one line, without a newline (FAULTS.md F13, P4),
# indexed by the unsanitised binary under an address-space cap (ulimit -v).
# A document is held whole while it is tokenised (input.h), so memory grows
# with the document (about five times its size at peak, for the token and
# posting arrays) and is bounded through IG_MAX_DOC_BYTES, not by line
# length: nothing reads by line.
#  - With 2 GiB of address space it indexes: the last word's byte range is
#    right (kwic), the document has one sentence and one paragraph.
#  - With 400 MiB it cannot: it ends promptly with a located "out of
#    memory" naming the document, exit 3, the previous outputs untouched
#    and no temporary file left.
#  - An invalid byte at its very end is reported at line 1, the right
#    column and byte offset.
. "$(dirname "$0")/lib.sh"
need_plain
mkdir c old
yes 'word policy governance' | tr '\n' ' ' | head -c 99999990 >c/big.txt
printf ' zebra' >>c/big.txt
[ "$(wc -c <c/big.txt)" = 99999996 ] || fail "the document is not 99999996 bytes"
[ "$(wc -l <c/big.txt)" = 0 ] || fail "the document has a newline"
echo 'The old corpus.' >old/a.txt
expect_exit 0 "$IGMAP_PLAIN" index old -o o/index.igx --quiet
snap() { (cd o && ls -A | grep -vx '\.igmap-lock' && cksum $(ls -A | grep -vx '\.igmap-lock')); } # the lock file is no output
snap >before

# Too little memory: a located failure, nothing changed.
vm_limited 409600 "$IGMAP_PLAIN" index c -o o/index.igx --quiet
[ "$st" = 3 ] || { cat "$T/err" >&2; fail "under 400 MiB: exit $st, expected 3"; }
grep -Eqx 'igmap: (index|input): c/big\.txt: out of memory( \(after [0-9]+ bytes of text\))?' "$T/err" ||
    { cat "$T/err" >&2; fail "under 400 MiB: not a located out-of-memory error"; }
snap >now
cmp -s before now || fail "the failed run changed the outputs"
no_temp_files o

# Enough memory: indexed, with the right offsets.
vm_limited 2097152 "$IGMAP_PLAIN" index c -o o/index.igx --quiet
[ "$st" = 0 ] || { cat "$T/err" >&2; fail "under 2 GiB: exit $st, expected 0"; }
sed -n 2p o/documents.csv | grep -q '^big.txt,big.txt,en,99999996,99999996,0,[0-9]*,1,1,0,' ||
    { cat o/documents.csv >&2; fail "documents.csv: wrong bytes, sentences or paragraphs"; }
vm_limited 2097152 "$IGMAP_PLAIN" kwic o/index.igx '=zebra' --window 2
[ "$st" = 0 ] || { cat "$T/err" >&2; fail "kwic: exit $st"; }
printf 'doc_id,sentence,section,start,end,left,match,right\nbig.txt,1,0,99999991,99999996,policy gov,zebra,\n' |
    diff -u - "$T/out" || fail "kwic: wrong match or byte range"
vm_limited 2097152 "$IGMAP_PLAIN" check o/index.igx
[ "$st" = 0 ] || { cat "$T/err" >&2; fail "check: exit $st"; }

# An invalid byte at the end of the line: line 1, column and byte offset.
printf '\377' >>c/big.txt
vm_limited 2097152 "$IGMAP_PLAIN" index c -o o2/index.igx --quiet
[ "$st" = 1 ] || { cat "$T/err" >&2; fail "invalid byte: exit $st, expected 1"; }
grep -qxF 'igmap: input: c/big.txt:1:99999997: invalid UTF-8 (invalid lead byte 0xFF) (byte 99999996)' "$T/err" ||
    { cat "$T/err" >&2; fail "invalid byte: not located at line 1, column 99999997, byte 99999996"; }
