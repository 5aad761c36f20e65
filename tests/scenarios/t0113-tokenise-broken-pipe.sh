# A reader that stops early (`| head`) ends igmap quietly: no crash, no
# message, no death by SIGPIPE (F49).
. "$(dirname "$0")/lib.sh"
i=0
while [ $i -lt 3000 ]; do
    echo "Multi-stakeholder cooperation among governments, e.g. in the U.S. and elsewhere."
    i=$((i + 1))
done >big.txt
set +e
( "$IGMAP" tokenise big.txt 2>err.txt; echo $? >status ) | head -n 2 >/dev/null
( "$IGMAP" tokenise big.txt | "$IGMAP" stem 2>err2.txt; echo $? >status2 ) | head -n 1 >/dev/null
set -e
st=$(cat status); st2=$(cat status2)
[ "$st" -lt 128 ] || fail "tokenise killed by a signal (status $st)"
[ "$st2" -lt 128 ] || fail "stem killed by a signal (status $st2)"
[ ! -s err.txt ] || { cat err.txt >&2; fail "tokenise printed an error on a closed pipe"; }
[ ! -s err2.txt ] || { cat err2.txt >&2; fail "stem printed an error on a closed pipe"; }
