# Determinism (FAULTS.md P6, F28, F56): the index, documents.csv and query
# outputs are byte-identical across locales (C, de_DE.UTF-8, tr_TR.UTF-8: a
# comma decimal point and the dotless i), thread counts, and the order in
# which the corpus files were created.  Locales that are not installed are
# skipped here (.ci/run installs them).
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
echo "locales compared: $n"
