# A gzip bomb (FAULTS.md F21, P4): 2 KiB of gzip that inflates to 2 GiB
# (2048 concatenated members, each a MiB of one letter, at deflate's best
# ratio of about 1000:1).  `igmap index` and `igmap tokenise` stop at
# IG_MAX_DOC_BYTES (512 MiB, limits.h) with a located limit error, exit 1,
# within a 700 MiB address-space cap (ulimit -v, unsanitised binary): the
# document buffer grows to the limit and not past it (buf.h
# ig_buf_reserve_max), and nothing else scales with the bomb.  The
# previous outputs are untouched and no temporary file is left.
. "$(dirname "$0")/lib.sh"
need_plain
mkdir c old
head -c 1048576 /dev/zero | tr '\0' a | gzip -9 >m.gz
i=0
while [ $i -lt 11 ]; do cat m.gz m.gz >m2.gz && mv m2.gz m.gz; i=$((i + 1)); done
mv m.gz c/bomb.txt.gz
[ "$(wc -c <c/bomb.txt.gz)" -lt 4000000 ] || fail "the bomb is not small"
echo 'An ordinary document.' >c/plain.txt
echo 'The old corpus.' >old/a.txt
expect_exit 0 "$IGMAP_PLAIN" index old -o o/index.igx --quiet
snap() { (cd o && ls -A | grep -vx '\.igmap-lock' && cksum $(ls -A | grep -vx '\.igmap-lock')); } # the lock file is no output
snap >before

CAP=716800 # KiB: 700 MiB
LIMIT='decompressed size exceeds limit (more than 536870912 bytes)'
vm_limited $CAP "$IGMAP_PLAIN" index c -o o/index.igx --quiet
[ "$st" = 1 ] || { cat "$T/err" >&2; fail "index of the bomb: exit $st, expected 1"; }
[ "$(cat "$T/err")" = "igmap: input: c/bomb.txt.gz: $LIMIT" ] ||
    { cat "$T/err" >&2; fail "index of the bomb: not the located limit error"; }
snap >now
cmp -s before now || fail "the refused bomb changed the outputs"
no_temp_files o

vm_limited $CAP "$IGMAP_PLAIN" tokenise c/bomb.txt.gz
[ "$st" = 1 ] || { cat "$T/err" >&2; fail "tokenise of the bomb: exit $st, expected 1"; }
grep -qxF "igmap: input: c/bomb.txt.gz: $LIMIT" "$T/err" ||
    { cat "$T/err" >&2; fail "tokenise of the bomb: not the located limit error"; }
[ ! -s "$T/out" ] || [ "$(wc -l <"$T/out")" = 1 ] || fail "tokenise printed tokens of the bomb"

# The same bomb under the sanitizers (no memory cap): the same error.
expect_exit 1 timeout 120 "$IGMAP" index c -o o/index.igx --quiet
expect_err "igmap: input: c/bomb.txt.gz: $LIMIT"
snap >now
cmp -s before now || fail "the refused bomb changed the outputs (sanitizer build)"
