# A leading BOM is skipped but counted in byte offsets (F10); NFC and NFD
# spellings and fullwidth letters give the same token (F16); U+2011 joins a
# compound; a soft hyphen and a ZWJ inside a word are ignored (F18).
. "$(dirname "$0")/lib.sh"
printf '\357\273\277Caf\303\251 cafe\314\201 \357\274\246\357\274\265\357\274\254\357\274\254 full multi\342\200\221stakeholder co\302\255op\342\200\215eration\n' >u.txt
"$IGMAP" tokenise u.txt | tail -n +2 | cut -f4-6,10 | tr '\t\n' ': ' >got
want='word:3:8:café word:9:15:café word:16:28:full word:29:33:full joined:34:53:multistakeholder part:34:39:multi part:42:53:stakeholder word:54:70:cooperation '
[ "$(cat got)" = "$want" ] || fail "got: $(cat got)"
