# SIGINT during indexing: exit 130, no index, no documents.csv, no temp or
# spill file left (F47).
. "$(dirname "$0")/lib.sh"
mkdir c
i=0
while [ $i -lt 40 ]; do
    yes 'Enhanced cooperation on Internet-related public policy issues, on an equal footing.' |
        head -c 300000 >c/d$i.txt
    i=$((i + 1))
done
"$IGMAP" index c -o o/index.igx --threads 1 2>err.txt &
pid=$!
n=0
while [ $n -lt 200 ] && ! ls o 2>/dev/null | grep -q '\.tmp\.'; do sleep 0.05; n=$((n + 1)); done
kill -INT $pid 2>/dev/null || true
set +e; wait $pid; st=$?; set -e
if [ "$st" = 0 ]; then echo "finished before the signal; nothing to test" >&2; exit 77; fi
[ "$st" = 130 ] || fail "exit $st, expected 130"
[ ! -e o/index.igx ] && [ ! -e o/documents.csv ] || fail "output left behind"
no_temp_files o
