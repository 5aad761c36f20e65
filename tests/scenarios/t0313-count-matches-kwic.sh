# count and kwic agree: for each pattern, count's matches are kwic's rows and
# its documents the distinct doc ids of those rows.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/query" -o q.igx --quiet
for p in '"equal footing"' 'stakeholder*' 'multi*' '/^(e|s)/' 'the' 'equal NEAR/8 footing' \
         '"on an" NEAR/2 footing NEAR/6 stakeholders' '=the'; do
    expect_exit 0 "$IGMAP" kwic q.igx "$p" --window 0
    rows=$(($(wc -l <"$T/out") - 1))
    docs=$(tail -n +2 "$T/out" | cut -d, -f1 | sort -u | wc -l)
    expect_exit 0 "$IGMAP" count q.igx "$p"
    got=$(tail -n 1 "$T/out" | awk -F, '{print $(NF-1) "," $NF}')
    [ "$got" = "$rows,$docs" ] || fail "$p: count says $got, kwic has $rows rows in $docs documents"
    [ "$rows" -gt 0 ] || fail "$p: no match at all"
done
