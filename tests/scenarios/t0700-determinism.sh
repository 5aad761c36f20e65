# Determinism (FAULTS.md P6, F05, F28, F56): the index, documents.csv and
# query outputs are byte-identical across locales (C, de_DE.UTF-8,
# tr_TR.UTF-8: a comma decimal point and the dotless i), thread counts,
# read-buffer sizes (IGMAP_READ_BUFFER 1, 7, 4096 and the default, over a
# corpus with a euro sign cut by the 4096- and 65536-byte boundaries, plain
# and gzipped), and the order in which the corpus files were created.
# Locales that are not installed are skipped here (.ci/run installs them).
. "$(dirname "$0")/lib.sh"
S="$ROOT/tests/fixtures/query"
run() { # NAME CORPUS LOCALE THREADS
    mkdir -p "$1"
    LC_ALL=$3 "$IGMAP" index "$2" -o "$1/index.igx" --threads "$4" --quiet
    LC_ALL=$3 "$IGMAP" kwic "$1/index.igx" '"equal footing" NEAR/8 /^govern/' -o "$1/kwic.csv"
    LC_ALL=$3 "$IGMAP" count "$1/index.igx" 'sovereign*' --by stakeholder_group -o "$1/count.csv"
    LC_ALL=$3 "$IGMAP" tokenise "$S/gov1.txt" >"$1/tokens.tsv"
}
same() { # A B
    for f in index.igx documents.csv kwic.csv count.csv tokens.tsv; do
        cmp -s "$1/$f" "$2/$f" || fail "$f differs between $1 and $2"
    done
}
# The query fixture plus a 70 kB document whose three-byte euro signs
# straddle the 4096- and 65536-byte boundaries (and so, at some point,
# every small buffer's), plain and gzipped.
mkdir bc
cp "$S"/*.txt bc/
{
    head -c 4094 /dev/zero | tr '\0' 'a'; printf '\342\202\254 equal footing '
    awk 'BEGIN { for (i = 0; i < 61422; i++) printf (i % 60 == 59 ? " " : "b") }'
    printf '\342\202\254 govern\n'
    i=0; while [ $i -lt 80 ]; do echo "Sovereign \342\202\254 states on an equal footing, governance $i."; i=$((i + 1)); done
} >bc/euro.txt
off=$(grep -boa "$(printf '\342\202\254')" bc/euro.txt | head -2 | cut -d: -f1 | tr '\n' ' ')
[ "$off" = "4094 65534 " ] || fail "the euro signs are at $off, not across the boundaries"
gzip -9c bc/euro.txt >bc/euro-gz.txt.gz
{ cat "$S/manifest.csv"; echo 'eu-1,euro.txt,government,BE,en'; echo 'eu-2,euro-gz.txt.gz,government,BE,en'; } >bc/manifest.csv
rbuf() { # NAME BUFFER ("" = default): index, kwic, count and tokenise of bc
    mkdir -p "$1"
    IGMAP_READ_BUFFER=$2 "$IGMAP" index bc -o "$1/index.igx" --threads 1 --quiet
    "$IGMAP" kwic "$1/index.igx" '"equal footing" NEAR/8 /^govern/' -o "$1/kwic.csv"
    "$IGMAP" count "$1/index.igx" 'sovereign*' --by stakeholder_group -o "$1/count.csv"
    IGMAP_READ_BUFFER=$2 "$IGMAP" tokenise bc/euro.txt bc/euro-gz.txt.gz >"$1/tokens.tsv"
}
rbuf rb-default ""
grep -q '^eu-2,euro-gz.txt.gz,.*,ok$' rb-default/documents.csv || fail "the gzipped document was not indexed"
for b in 1 7 4096; do
    rbuf "rb-$b" $b
    same rb-default "rb-$b"
done
expect_exit 2 env IGMAP_READ_BUFFER=0 "$IGMAP" index bc -o x.igx --quiet
expect_err 'IGMAP_READ_BUFFER wants bytes from 1 to 1073741824, not "0"'
expect_exit 2 env IGMAP_READ_BUFFER=4k "$IGMAP" tokenise bc/euro.txt
expect_err 'not "4k"'
[ ! -e x.igx ] || fail "a rejected IGMAP_READ_BUFFER still wrote an index"

run base "$S" C 1
n=0
for loc in de_DE.UTF-8 tr_TR.UTF-8; do
    if ! locale -a 2>/dev/null | grep -qix "$(echo "$loc" | sed 's/UTF-8/utf8/')"; then
        echo "locale $loc not installed: skipped"
        continue
    fi
    run "l-$loc" "$S" "$loc" 1
    same base "l-$loc"
    n=$((n + 1))
done
run threads2 "$S" C 2
same base threads2
# The same files created in another order, without a manifest: the walk
# sorts paths bytewise, so ids and outputs do not depend on creation order.
mkdir fwd rev
for f in $(ls "$S"/*.txt); do cp "$f" fwd/; done
for f in $(ls -r "$S"/*.txt); do cp "$f" rev/; done
"$IGMAP" index fwd -o fwd.igx --documents fwd.csv --quiet
"$IGMAP" index rev -o rev.igx --documents rev.csv --quiet
cmp -s fwd.igx rev.igx || fail "index depends on file creation order"
cmp -s fwd.csv rev.csv || fail "documents.csv depends on file creation order"
echo "locales compared: $n; read buffers compared: 1 7 4096 default"
