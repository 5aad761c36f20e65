# One flipped byte anywhere is found: in a small section by any reader at
# open, in postings or document data by check, named with its section and
# byte offset (F40).
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/index/basic" -o i.igx --quiet
flip() { # flip FILE OFFSET: xor one byte with 0x01
    b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}
# byte 100 is in the document data (layouts and texts, the first section)
cp i.igx a.igx
flip a.igx 100
expect_exit 0 "$IGMAP" info a.igx
expect_exit 1 "$IGMAP" check a.igx
expect_err 'igmap: index: a.igx: section docdata: checksum mismatch'
expect_err '(byte '
# the vocabulary: found at open
expect_exit 0 "$IGMAP" info i.igx
voc=$(grep '^section_vocabulary:' "$T/out" | sed 's/.* at //')
[ -n "$voc" ] || fail "no vocabulary offset in info"
cp i.igx b.igx
flip b.igx $((voc + 20))
expect_exit 1 "$IGMAP" info b.igx
expect_err "igmap: index: b.igx: section vocabulary: checksum mismatch"
expect_err "(byte $voc)"
# the last byte (footer magic)
cp i.igx c.igx
flip c.igx $(($(wc -c <i.igx) - 1))
expect_exit 1 "$IGMAP" check c.igx
expect_err 'no valid footer'
