#!/bin/sh
# The benchmark behind `make bench`: igmap beside its peers on generated
# corpora, on the same files in the same run.  Not a test (nothing here can
# fail the build); it prints tables and keeps everything in build/bench/.
#
# For each size (MB of text, 10^6 bytes; default "10 100 1000", override with
# BENCH_SIZES="10 100"):
#   1. corpus: build/bench/gen (tests/bench/gen.c) writes it once into
#      build/bench/corpus-SIZE/corpus/, reused while the generator source, the
#      seed (BENCH_SEED, default 1) and the size are unchanged (.key file).
#   2. index time, throughput and peak memory, all over the same documents:
#        cat        all document files to /dev/null (zcat for .gz): the floor
#                   for reading the bytes at all;
#        wc -w      all files (zcat | wc -w for .gz), in the C locale and in
#                   C.UTF-8 (multibyte-aware, slower): the floor for a pass
#                   that looks at every byte;
#        igmap      `igmap index CORPUS -o build/bench/run-SIZE/index.igx`
#                   (default threads; also writes documents.csv with SHA-256s);
#        FTS5       Debian's sqlite3: a table fts5(id UNINDEXED, body,
#                   tokenize='porter unicode61'), every document loaded with
#                   readfile() in one transaction (default journal and
#                   synchronous settings, so it syncs at commit as igmap does),
#                   then `optimize` (merge to one segment, the state comparable
#                   to igmap's single index file), timed separately.
#      MB/s is always text bytes after decompression / wall seconds.  Peak RSS
#      is GNU time's %M (for a pipeline, its largest process).  igmap index
#      and the FTS5 load run BENCH_REPS times each (default 5 up to 100 MB,
#      1 above), taking turns, each from no output; the median is reported
#      with the range: one run on a shared machine varies by a third.
#   3. queries on each index: the phrase "equal footing" (igmap count vs FTS5
#      count(*) ... MATCH, one process each, best of 3 wall times), and 50
#      patterns (words, prefixes, phrases; the list is below) as 50 `igmap
#      count` processes vs one sqlite3 session running 50 queries (plus an
#      igmap batch mode, if `igmap help` shows a --patterns option for count).
#      igmap count reports matches and documents; FTS5's count(*) only
#      documents (counting FTS5 phrase instances needs a custom auxiliary
#      function), so FTS5 does less work per query here.  Document counts are
#      compared per pattern and written to run-SIZE/patterns.csv; they differ
#      where the tokenisers differ (igmap indexes hyphenated compounds both
#      joined and as parts, uses Snowball English rather than Porter).
#   4. classify on each index: `igmap classify` (default threads) with the
#      shipped lexicons (lexicons/positions.tsv + negators.tsv), then with a
#      generated 10,000-entry positions lexicon (build/bench/genlex,
#      tests/bench/genlex.c: words, prefixes and phrases drawn from the
#      corpus's own vocabulary, mostly of middle and low frequency; checked
#      with `igmap lint` first) and the shipped negators.  Wall time, MB/s of
#      corpus text, CPU seconds (user + system), peak RSS, cues counted and
#      the sizes of evidence.csv and positions.csv.  For scale, the figure
#      the issue quotes: quanteda's tokens_lookup took 61 s for the
#      10,603-word LIWC2015 dictionary over 500 MB of text (quanteda issue
#      960; another machine, counts only, no evidence); igmap aims at under
#      5 s on 1 GB.  quanteda needs R, which this machine lacks, so no
#      dictionary peer runs here.
#
# Fairness notes.  All timings are with a warm page cache (every file is read
# once, untimed, before the first measurement), since a 1 GB corpus fits in
# memory on any machine that runs this and a cold cache would mostly measure
# the disk.  FTS5 cannot read gzip: the ~5% of .gz documents are decompressed
# beforehand, outside the timing (cached in corpus-SIZE/plain/), and FTS5
# reads those plain copies, while igmap inflates them inside its timing; the
# comparison therefore errs in FTS5's favour.
#
# Environment: IGMAP (default build/igmap), BENCH_SIZES, BENCH_SEED,
# BENCH_THREADS="1 ..." (extra igmap index rows with --threads N),
# BENCH_CLASSIFY_THREADS="1 ..." (extra classify rows with --threads N),
# BENCH_LEXICON_ENTRIES (default 10000).
set -u
cd "$(dirname "$0")/../.." || exit 2
IGMAP=${IGMAP:-build/igmap}
GEN=build/bench/gen
GENLEX=build/bench/genlex
SIZES=${BENCH_SIZES:-"10 100 1000"}
SEED=${BENCH_SEED:-1}
EXTRA_THREADS=${BENCH_THREADS:-}
CLS_THREADS=${BENCH_CLASSIFY_THREADS:-}
LEX_ENTRIES=${BENCH_LEXICON_ENTRIES:-10000}
B=build/bench
export LC_ALL=C
TAB=$(printf '\t')
mkdir -p "$B"
SUMMARY=$B/summary.txt
CLS_SUMMARY=$B/summary-classify.txt
: > "$SUMMARY"
: > "$CLS_SUMMARY"

say() { printf '%s\n' "$*"; }
note() { printf 'bench: %s\n' "$*" >&2; }

# ---- tools ------------------------------------------------------------------
[ -x "$GEN" ] || { note "$GEN missing: run 'make build/bench/gen' (or 'make bench')"; exit 2; }
[ -x "$GENLEX" ] || note "$GENLEX missing (make build/bench/genlex): classify with a generated lexicon skipped"

# GNU time for peak RSS (Debian package `time`); without it, poll
# /proc/PID/status VmHWM of the measured process every 20 ms (single-process
# commands only; pipelines then show "n/a").
GNUTIME=
if /usr/bin/time -f %M -o /dev/null true 2>/dev/null; then
    GNUTIME=/usr/bin/time
elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    note "installing GNU time for peak memory: apt-get install -y time"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1 ||
        { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time >/dev/null 2>&1; }
    /usr/bin/time -f %M -o /dev/null true 2>/dev/null && GNUTIME=/usr/bin/time
fi
[ -n "$GNUTIME" ] || note "GNU time not found (sudo apt-get install -y time): peak RSS polled from /proc (approximate; n/a for pipelines)"

HAVE_FTS5=0
if ! command -v sqlite3 >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    note "installing the FTS5 peer: apt-get install -y sqlite3"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq sqlite3; } >/dev/null 2>&1
fi
if ! command -v sqlite3 >/dev/null 2>&1; then
    note "sqlite3 missing, FTS5 peer skipped; to include it: sudo apt-get install -y sqlite3"
elif ! sqlite3 :memory: "CREATE VIRTUAL TABLE t USING fts5(x, tokenize='porter unicode61'); SELECT length(readfile('/dev/null'));" >/dev/null 2>&1; then
    note "this sqlite3 lacks FTS5 or readfile(), FTS5 peer skipped (Debian's sqlite3 has both)"
else
    HAVE_FTS5=1
fi

# A private copy of the binary: indexes and queries of one run must come from
# the same build even if build/igmap is relinked meanwhile (an index records
# the tokeniser rules it was built with, and a newer binary refuses it).
HAVE_IGMAP=0
if [ -x "$IGMAP" ]; then
    cp "$IGMAP" "$B/igmap.run" && IGMAP=$B/igmap.run && HAVE_IGMAP=1
else
    note "$IGMAP missing: igmap rows skipped"
fi

# ---- measuring ----------------------------------------------------------------
# measure CMD: run the shell command CMD; sets T_NS and T_SEC (wall time,
# from date +%s%N), T_RSS (peak RSS in MB, or n/a) and T_CPU (user + system
# CPU seconds, or n/a without GNU time); returns CMD's status.  Its stderr
# goes to $W/err.log.
measure() {
    _t0=$(date +%s%N)
    T_CPU=n/a
    if [ -n "$GNUTIME" ]; then
        $GNUTIME -f '%M %U %S' -o "$W/time.out" sh -c "$1" 2>>"$W/err.log"; _st=$?
        _t1=$(date +%s%N)
        _kb=$(tail -1 "$W/time.out" 2>/dev/null | awk '{ print $1 }')
        T_CPU=$(tail -1 "$W/time.out" 2>/dev/null | awk 'NF == 3 { printf "%.2f", $2 + $3 }')
        [ -n "$T_CPU" ] || T_CPU=n/a
    else
        # exec so that the polled pid is the command itself (simple commands)
        case $1 in
        *'|'*|*';'*|*'&&'*|*'{'*) sh -c "$1" 2>>"$W/err.log" & _pid=$!;;
        *) sh -c "exec $1" 2>>"$W/err.log" & _pid=$!;;
        esac
        _kb=0
        while kill -0 "$_pid" 2>/dev/null; do
            _h=$(awk '/^VmHWM:/ {print $2}' "/proc/$_pid/status" 2>/dev/null)
            [ -n "$_h" ] && [ "$_h" -gt "$_kb" ] && _kb=$_h
            sleep 0.02
        done
        wait "$_pid"; _st=$?
        _t1=$(date +%s%N)
        case $1 in *'|'*|*';'*|*'&&'*|*'{'*) _kb=;; esac
    fi
    T_NS=$((_t1 - _t0))
    T_SEC=$(awk -v n="$T_NS" 'BEGIN { printf "%.3f", n / 1e9 }')
    case $_kb in ''|*[!0-9]*|0) T_RSS=n/a;; *) T_RSS=$(awk -v k="$_kb" 'BEGIN { printf "%.1f", k / 1024 }');; esac
    return $_st
}

# best3 CMD: the smallest wall time of three runs, in ms (T_MS); T_RSS of the last.
best3() {
    T_MS=
    for _i in 1 2 3; do
        measure "$1" || return 1
        T_MS=$(awk -v n="$T_NS" -v m="${T_MS:-1e18}" 'BEGIN { x = n / 1e6; printf "%.1f", (x < m ? x : m) }')
    done
}

# median X...: the middle value (the lower middle of an even count).
median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
# spread X...: a line "  median of N runs, MIN-MAX s" for N > 1.
spread() { [ $# -gt 1 ] || return 0; printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { printf "    (median of %d runs; %s-%s s)\n", NR, v[1], v[NR] }'; }
# maxof A B: the larger, n/a if either is.
maxof() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "n/a" || b == "n/a") print "n/a"; else print (a + 0 > b + 0 ? a : b) }'; }
mbps() { awk -v b="$TEXT_BYTES" -v s="$1" 'BEGIN { if (s > 0) printf "%.1f", b / 1e6 / s; else print "inf" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0 && a != "" && b != "") printf "%.2f", a / b; else print "n/a" }'; }
row() { printf '%-44s %9s %9s %12s\n' "$1" "$2" "$3" "$4"; }
mb_of() { [ -f "$1" ] && awk -v n="$(wc -c < "$1")" 'BEGIN { printf "%.1f", n / 1e6 }' || echo n/a; }

# ---- the 50 patterns: igmap pattern <TAB> FTS5 query ------------------------
PATTERNS=$(cat <<'EOF'
cooperation	cooperation
sovereignty	sovereignty
governance	governance
multistakeholder	multistakeholder
intergovernmental	intergovernmental
multilateral	multilateral
cybersecurity	cybersecurity
security	security
privacy	privacy
stakeholders	stakeholders
governments	governments
capacity	capacity
infrastructure	infrastructure
development	development
transparency	transparency
accountability	accountability
consensus	consensus
surveillance	surveillance
encryption	encryption
jurisdiction	jurisdiction
sovereign*	sovereign*
multilateral*	multilateral*
govern*	govern*
secur*	secur*
stakehold*	stakehold*
intergov*	intergov*
regulat*	regulat*
democra*	democra*
cyber*	cyber*
inclus*	inclus*
digit*	digit*
particip*	particip*
"equal footing"	"equal footing"
"enhanced cooperation"	"enhanced cooperation"
"digital divide"	"digital divide"
"capacity building"	"capacity building"
"critical internet resources"	"critical internet resources"
"tunis agenda"	"tunis agenda"
"civil society"	"civil society"
"private sector"	"private sector"
"technical community"	"technical community"
"international law"	"international law"
"human rights"	"human rights"
"public policy"	"public policy"
"internet governance forum"	"internet governance forum"
"all stakeholders"	"all stakeholders"
"national sovereignty"	"national sovereignty"
"freedom of expression"	"freedom of expression"
"data protection"	"data protection"
"respective roles and responsibilities"	"respective roles and responsibilities"
EOF
)
PHRASE='"equal footing"'

# ---- one corpus -------------------------------------------------------------
GENKEY=$(cat tests/bench/gen.c | sha256sum | cut -c1-16)

prepare_corpus() {    # $1 size: sets C (corpus dir), P (dir of plain copies)
    _d=$B/corpus-$1
    C=$_d/corpus
    P=$_d/plain
    _key="gen $GENKEY seed $SEED size $1"
    if [ "$(cat "$_d/.key" 2>/dev/null)" != "$_key" ]; then
        note "generating corpus-$1 ($1 MB, seed $SEED)..."
        rm -rf "$_d" "$_d.tmp"
        mkdir -p "$_d.tmp"
        _t0=$(date +%s%N)
        "$GEN" "$_d.tmp/corpus" "$1" "$SEED" || { note "generator failed"; rm -rf "$_d.tmp"; return 1; }
        _t1=$(date +%s%N)
        # FTS5's input: .gz documents decompressed once, outside any timing
        mkdir -p "$_d.tmp/plain"
        for _g in "$_d.tmp/corpus"/docs/*.txt.gz; do
            [ -f "$_g" ] || continue
            _n=${_g##*/}
            gzip -dc "$_g" > "$_d.tmp/plain/${_n%.gz}" || return 1
        done
        awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.2f\n", (b - a) / 1e9 }' > "$_d.tmp/gen.seconds"
        printf '%s\n' "$_key" > "$_d.tmp/.key"
        mv "$_d.tmp" "$_d"
        note "generated in $(cat "$_d/gen.seconds") s"
    fi
    GEN_SEC=$(cat "$_d/gen.seconds")
}

bench_size() {
    SIZE=$1
    prepare_corpus "$SIZE" || return 1
    W=$B/run-$SIZE
    rm -rf "$W"; mkdir -p "$W"
    : > "$W/err.log"
    info() { awk -v k="$1" '$1 == k { print $2 }' "$C/gen.info"; }
    TEXT_BYTES=$(info text_bytes)
    NDOCS=$(info docs)
    NGZ=$(info gz_docs)

    # file lists in manifest order (id and path are never quoted by gen)
    awk -F, -v c="$C" 'NR > 1 && $2 !~ /\.gz$/ { print c "/" $2 }' "$C/manifest.csv" > "$W/txt.list"
    awk -F, -v c="$C" 'NR > 1 && $2 ~ /\.gz$/ { print c "/" $2 }' "$C/manifest.csv" > "$W/gz.list"

    say ""
    say "== corpus $SIZE MB: $NDOCS documents ($NGZ gzip), $(awk -v b="$TEXT_BYTES" 'BEGIN { printf "%.1f", b / 1e6 }') MB of text; generated in $GEN_SEC s ($C)"
    # warm the page cache (untimed)
    xargs -r cat < "$W/txt.list" > /dev/null; xargs -r cat < "$W/gz.list" > /dev/null
    [ -d "$P" ] && cat "$P"/* > /dev/null 2>&1

    row "tool" "seconds" "MB/s" "peak RSS MB"
    measure "xargs -r cat < '$W/txt.list' > /dev/null && xargs -r zcat < '$W/gz.list' > /dev/null"
    CAT_S=$T_SEC; row "cat (floor)" "$T_SEC" "$(mbps "$T_SEC")" "$T_RSS"

    for loc in C C.UTF-8; do
        measure "{ LC_ALL=$loc xargs -r wc -w < '$W/txt.list' | grep -v ' total\$'; xargs -r zcat < '$W/gz.list' | LC_ALL=$loc wc -w; } > '$W/wc.$loc'"
        eval "WC_S_$(echo $loc | tr -c 'A-Za-z0-9\n' _)=\$T_SEC"
        row "wc -w, LC_ALL=$loc (floor)" "$T_SEC" "$(mbps "$T_SEC")" "$T_RSS"
    done
    # the floor is the faster locale (with coreutils 9.1, C.UTF-8 beats C)
    WC_S=$(awk -v a="$WC_S_C" -v b="$WC_S_C_UTF_8" 'BEGIN { print (a < b ? a : b) }')
    WORDS=$(awk '{ s += $1 } END { print s }' "$W/wc.C")

    IG_S=; IG_OK=0; IG_RSS=; Q_IG_RSS=
    FT_S=; FT_OK=0; FT_ALL_S=; FT_LOAD_MB=
    if [ $HAVE_FTS5 = 1 ]; then
        {
            printf 'BEGIN;\n'
            printf "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, body, tokenize='porter unicode61');\n"
            awk -F, -v c="$C" -v p="$P" 'NR > 1 {
                f = $2 ~ /\.gz$/ ? p "/" substr($2, 6, length($2) - 8) : c "/" $2
                printf "INSERT INTO docs(id, body) VALUES (%c%s%c, CAST(readfile(%c%s%c) AS TEXT));\n", 39, $1, 39, 39, f, 39
            }' "$C/manifest.csv"
            printf 'COMMIT;\n'
        } > "$W/fts5-load.sql"
    fi
    # igmap index and the FTS5 load, REPS times each, taking turns (so that
    # a slow spell of a shared machine falls on both), each from no output
    # at all (the removal untimed); the median counts, the range is shown.
    REPS=${BENCH_REPS:-$([ "$SIZE" -le 100 ] && echo 5 || echo 1)}
    IG_TIMES=; FT_TIMES=; IG_FAIL=0; FT_FAIL=0; FT_RSS=
    for _r in $(seq "$REPS"); do
        if [ $HAVE_IGMAP = 1 ] && [ $IG_FAIL = 0 ]; then
            rm -f "$W/index.igx" "$W/documents.csv"
            if measure "'$IGMAP' index --quiet '$C' -o '$W/index.igx'"; then
                IG_TIMES="$IG_TIMES $T_SEC"; IG_RSS=$(maxof "${IG_RSS:-0}" "$T_RSS")
            else
                IG_FAIL=1; IG_FAIL_S=$T_SEC
            fi
        fi
        if [ $HAVE_FTS5 = 1 ] && [ $FT_FAIL = 0 ]; then
            rm -f "$W/fts5.db"
            if measure "sqlite3 -bail '$W/fts5.db' < '$W/fts5-load.sql'"; then
                FT_TIMES="$FT_TIMES $T_SEC"; FT_RSS=$(maxof "${FT_RSS:-0}" "$T_RSS")
            else
                FT_FAIL=1; FT_FAIL_S=$T_SEC
            fi
        fi
    done
    if [ $HAVE_IGMAP = 1 ]; then
        if [ $IG_FAIL = 0 ]; then
            IG_S=$(median $IG_TIMES); IG_OK=1
            row "igmap index" "$IG_S" "$(mbps "$IG_S")" "$IG_RSS"
            spread $IG_TIMES
        else
            row "igmap index: FAILED (see $W/err.log)" "$IG_FAIL_S" "-" "-"
            tail -5 "$W/err.log" | sed 's/^/    /'
        fi
        for th in $EXTRA_THREADS; do
            if measure "'$IGMAP' index --quiet --threads $th '$C' -o '$W/index-t$th.igx' --documents '$W/documents-t$th.csv'"; then
                row "igmap index --threads $th" "$T_SEC" "$(mbps "$T_SEC")" "$T_RSS"
                cmp -s "$W/index.igx" "$W/index-t$th.igx" || say "    note: index with --threads $th differs from the default one"
            else
                row "igmap index --threads $th: FAILED" "$T_SEC" "-" "-"
            fi
        done
    fi
    if [ $HAVE_FTS5 = 1 ]; then
        if [ $FT_FAIL = 0 ]; then
            FT_S=$(median $FT_TIMES); FT_OK=1
            row "SQLite FTS5 load (porter unicode61)" "$FT_S" "$(mbps "$FT_S")" "$FT_RSS"
            spread $FT_TIMES
            FT_LOAD_MB=$(mb_of "$W/fts5.db")
            if measure "sqlite3 -bail '$W/fts5.db' \"INSERT INTO docs(docs) VALUES('optimize')\""; then
                FT_OPT_S=$T_SEC
                FT_ALL_S=$(awk -v a="$FT_S" -v b="$T_SEC" 'BEGIN { printf "%.3f", a + b }')
                row "SQLite FTS5 optimize (merge segments)" "$T_SEC" "" "$T_RSS"
                row "SQLite FTS5 load + optimize" "$FT_ALL_S" "$(mbps "$FT_ALL_S")" ""
            fi
        else
            row "SQLite FTS5 load: FAILED (see $W/err.log)" "$FT_FAIL_S" "-" "-"
            tail -5 "$W/err.log" | sed 's/^/    /'
        fi
    fi

    say ""
    say "words (wc -w, C locale): $WORDS"
    IG_MB=n/a; FT_MB=n/a
    [ $IG_OK = 1 ] && IG_MB=$(mb_of "$W/index.igx")
    [ $FT_OK = 1 ] && FT_MB=$(mb_of "$W/fts5.db")
    say "index size MB: igmap $IG_MB (+ documents.csv $(mb_of "$W/documents.csv")); FTS5 $FT_MB (after optimize; ${FT_LOAD_MB:-n/a} before)"
    R_FT=n/a; R_FTA=n/a; R_CAT=n/a; R_WC=n/a
    if [ $IG_OK = 1 ]; then
        R_CAT=$(ratio "$CAT_S" "$IG_S"); R_WC=$(ratio "$WC_S" "$IG_S")
        if [ $FT_OK = 1 ]; then R_FT=$(ratio "$FT_S" "$IG_S"); R_FTA=$(ratio "$FT_ALL_S" "$IG_S"); fi
        say "ratios: igmap / FTS5 throughput ${R_FT}x (load only), ${R_FTA}x (load + optimize);"
        say "        igmap runs at $(ratio "$CAT_S" "$IG_S") of cat's speed and $(ratio "$WC_S" "$IG_S") of wc -w's (faster locale)"
    fi

    # ---- queries --------------------------------------------------------
    Q_IG=n/a; Q_FT=n/a; Q50_IG=n/a; Q50_FT=n/a; Q50_BATCH=n/a
    say ""
    printf '%-44s %12s %12s   %s\n' "query" "igmap" "FTS5" "results (igmap matches/docs | FTS5 docs)"
    IG_PH=; FT_PH=
    if [ $IG_OK = 1 ]; then
        if best3 "'$IGMAP' count '$W/index.igx' '$PHRASE' > '$W/q.out'"; then
            Q_IG="$T_MS ms"; Q_IG_RSS=$T_RSS
            IG_PH=$(tail -1 "$W/q.out" | awk -F, '{ print $(NF - 1) "/" $NF }')
        else
            Q_IG=FAILED; tail -1 "$W/err.log" | sed 's/^/    /'
        fi
    fi
    printf "SELECT count(*) FROM docs WHERE docs MATCH '%s';\n" "$PHRASE" > "$W/phrase.sql"
    if [ $FT_OK = 1 ] && best3 "sqlite3 '$W/fts5.db' < '$W/phrase.sql' > '$W/qf.out'"; then
        Q_FT="$T_MS ms"
        FT_PH=$(cat "$W/qf.out")
    fi
    printf '%-44s %12s %12s   %s\n' "$PHRASE, best of 3 (process start incl.)" "$Q_IG" "$Q_FT" "${IG_PH:-n/a} | ${FT_PH:-n/a}"
    [ -n "${Q_IG_RSS:-}" ] && say "    (igmap count peak RSS: $Q_IG_RSS MB)"

    printf '%s\n' "$PATTERNS" | cut -f1 > "$W/patterns.igmap"
    : > "$W/ig50.out"
    if [ $IG_OK = 1 ]; then
        # one process per pattern, as a shell loop over the list
        cat > "$W/ig50.sh" <<EOF
st=0
while IFS= read -r p; do
    out=\$('$IGMAP' count '$W/index.igx' "\$p") || { out="error,error"; st=1; }
    printf '%s\\n' "\$out" | tail -1 >> '$W/ig50.out'
done < '$W/patterns.igmap'
exit \$st
EOF
        if measure "sh '$W/ig50.sh'"; then Q50_IG="$T_SEC s"; else Q50_IG=FAILED; fi
        if "$IGMAP" help 2>&1 | grep 'igmap count' | grep -q -- '--patterns'; then
            measure "'$IGMAP' count '$W/index.igx' --patterns '$W/patterns.igmap' > '$W/igbatch.out'" && Q50_BATCH="$T_SEC s"
        fi
    fi
    if [ $FT_OK = 1 ]; then
        printf '%s\n' "$PATTERNS" | awk -F"$TAB" '{ printf "SELECT count(*) FROM docs WHERE docs MATCH %c%s%c;\n", 39, $2, 39 }' > "$W/fts50.sql"
        measure "sqlite3 -bail '$W/fts5.db' < '$W/fts50.sql' > '$W/ft50.out'" && Q50_FT="$T_SEC s"
    fi
    printf '%-44s %12s %12s\n' "50 patterns: 50 igmap processes | 1 sqlite3" "$Q50_IG" "$Q50_FT"
    [ "$Q50_BATCH" != n/a ] && printf '%-44s %12s\n' "50 patterns: igmap count --patterns" "$Q50_BATCH"

    # per-pattern document counts side by side
    if [ -s "$W/ig50.out" ] && [ -s "$W/ft50.out" ]; then
        printf '%s\n' "$PATTERNS" | cut -f1 > "$W/p.col"
        {
            echo "pattern,igmap_matches,igmap_documents,fts5_documents"
            awk -F, '{ print $(NF - 1) "," $NF }' "$W/ig50.out" > "$W/ig.col"
            paste -d, "$W/p.col" "$W/ig.col" "$W/ft50.out" | awk -F, '{ gsub(/"/, "\"\"", $1); print "\"" $1 "\"," $2 "," $3 "," $4 }'
        } > "$W/patterns.csv"
        _agree=$(awk -F, 'NR > 1 && $3 != "" && $3 == $4' "$W/patterns.csv" | wc -l)
        _failed=$(grep -c '^error,error$' "$W/ig50.out")
        say "document counts equal for $_agree of 50 patterns (per pattern: $W/patterns.csv)"
        [ "$_failed" != 0 ] && say "    igmap count failed on $_failed patterns; last error: $(tail -1 "$W/err.log")"
    fi

    bench_classify

    printf '%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s|%s\n' "$SIZE" \
        "$([ $IG_OK = 1 ] && mbps "$IG_S" || echo n/a)" "${IG_RSS:-n/a}" \
        "$([ $FT_OK = 1 ] && mbps "$FT_S" || echo n/a)" "$R_FT" "$R_FTA" \
        "$(mbps "$WC_S")" "$(mbps "$CAT_S")" "$Q_IG" "$Q_FT" "$Q50_IG" "$Q50_FT" >> "$SUMMARY"
}

# ---- classify ---------------------------------------------------------------
# classify_row NAME LEXICON [OPTIONS]: time igmap classify on $W/index.igx
# into $W/classify-NAME/; prints a row and sets CL_S (seconds or "FAILED").
classify_row() {
    _o=$W/classify-$1
    rm -rf "$_o"
    if measure "'$IGMAP' classify '$W/index.igx' --lexicon '$2' --negators lexicons/negators.tsv -o '$_o' --quiet ${3:-}"; then
        CL_S=$T_SEC
        _cues=$(sed -n 's/^igmap classify: .* \([0-9][0-9]*\) cues counted.*/\1/p' "$_o/positions_summary.txt")
        printf '%-36s %8s %8s %8s %8s %10s %9s %9s\n' "$1${3:+ $3}" "$T_SEC" "$(mbps "$T_SEC")" \
            "$T_CPU" "$T_RSS" "${_cues:-n/a}" "$(mb_of "$_o/evidence.csv")" "$(mb_of "$_o/positions.csv")"
    else
        CL_S=FAILED
        printf '%-36s %8s   FAILED (see %s)\n' "$1" "$T_SEC" "$W/err.log"
        tail -3 "$W/err.log" | sed 's/^/    /'
    fi
}

bench_classify() {
    [ $HAVE_IGMAP = 1 ] && [ $IG_OK = 1 ] || return 0
    say ""
    CL_SHIP=n/a; CL_GEN=n/a; LEX_NOTE=
    printf '%-36s %8s %8s %8s %8s %10s %9s %9s\n' "igmap classify (lexicon)" "seconds" "MB/s" "CPU s" "RSS MB" "cues" "evid. MB" "pos. MB"
    classify_row shipped lexicons/positions.tsv && CL_SHIP=$CL_S
    for th in $CLS_THREADS; do
        classify_row shipped lexicons/positions.tsv "--threads $th"
    done
    if [ -x "$GENLEX" ]; then
        if "$GENLEX" "$C" "$LEX_ENTRIES" "$SEED" > "$W/lexicon-generated.tsv" 2> "$W/genlex.log" &&
            "$IGMAP" lint "$W/lexicon-generated.tsv" > "$W/lint.out" 2>&1; then
            classify_row "generated-$LEX_ENTRIES" "$W/lexicon-generated.tsv" && CL_GEN=$CL_S
            for th in $CLS_THREADS; do
                classify_row "generated-$LEX_ENTRIES" "$W/lexicon-generated.tsv" "--threads $th"
            done
            LEX_NOTE=$(sed 's/^genlex: //' "$W/genlex.log")
        else
            say "generated lexicon: FAILED ($(tail -2 "$W/genlex.log" "$W/lint.out" 2>/dev/null | tr '\n' ' '))"
        fi
    fi
    [ -n "$LEX_NOTE" ] && say "generated lexicon ($W/lexicon-generated.tsv, lint clean): $LEX_NOTE"
    say "for scale: quanteda tokens_lookup took 61 s for the 10,603-word LIWC2015 dictionary over 500 MB"
    say "  (quanteda issue 960: another machine, counts only, no evidence or intervals); aim: < 5 s on 1 GB."
    say "  No dictionary peer is run here: quanteda needs R, which this machine does not have."
    printf '%s|%s|%s|%s|%s\n' "$SIZE" "$CL_SHIP" "$([ "$CL_SHIP" != n/a ] && [ "$CL_SHIP" != FAILED ] && mbps "$CL_SHIP" || echo n/a)" \
        "$CL_GEN" "$([ "$CL_GEN" != n/a ] && [ "$CL_GEN" != FAILED ] && mbps "$CL_GEN" || echo n/a)" >> "$CLS_SUMMARY"
}

say "igmap bench: sizes $SIZES MB (MB = 10^6 bytes of text), seed $SEED, $(nproc) cores, warm page cache"
say "$(sqlite3 --version 2>/dev/null | cut -d' ' -f1 | sed 's/^/sqlite3 /')"
for s in $SIZES; do
    case $s in ''|*[!0-9.]*) note "bad size '$s' in BENCH_SIZES"; exit 2;; esac
    bench_size "$s"
done

say ""
say "== summary (MB/s of text; igmap/FTS5 = throughput ratio, load only and load+optimize)"
printf '%-6s %9s %9s %9s %8s %8s %9s %9s %11s %11s %9s %9s\n' "MB" "igmap" "igRSS MB" "FTS5" "ig/FTS5" "ig/FTS5+" "wc -w" "cat" "phrase ig" "phrase FTS" "50 ig" "50 FTS"
while IFS='|' read -r a b c d e f g h i j k l; do
    printf '%-6s %9s %9s %9s %8s %8s %9s %9s %11s %11s %9s %9s\n' "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h" "$i" "$j" "$k" "$l"
done < "$SUMMARY"
say ""
say "== classify (seconds and MB/s of text; shipped lexicons, and a generated $LEX_ENTRIES-entry lexicon; aim < 5 s on 1 GB)"
printf '%-6s %11s %9s %11s %9s\n' "MB" "shipped s" "MB/s" "generated s" "MB/s"
while IFS='|' read -r a b c d e; do
    printf '%-6s %11s %9s %11s %9s\n' "$a" "$b" "$c" "$d" "$e"
done < "$CLS_SUMMARY"
