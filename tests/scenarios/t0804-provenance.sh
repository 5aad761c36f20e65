# provenance.json: valid JSON with sorted keys; the SHA-256s of the corpus
# manifest, documents.csv, the lexicons and the tables are those of the
# files; the corpus listing hash is reproducible with sha256sum; versions,
# the index format and fingerprint, classify's options and seed, and map's
# effective options are recorded; errors are located and leave the old file.
. "$(dirname "$0")/lib.sh"
. "$ROOT/tests/scenarios/report-fixture.sh"
build_fixture "$T/o"
P=$T/o/provenance.json
[ -s "$P" ] || fail "no provenance.json"
# valid JSON: igmap's strict reader (report reads it) and, when present, python3
expect_exit 0 "$IGMAP" report "$T/o"
if command -v python3 >/dev/null 2>&1; then
    python3 -c '
import json, sys
def hook(pairs):
    keys = [k for k, _ in pairs]
    if keys != sorted(keys, key=lambda k: k.encode()):
        sys.exit("keys not sorted: %s" % keys)
    return dict(pairs)
json.load(open(sys.argv[1], encoding="utf-8"), object_pairs_hook=hook)' "$P" ||
        fail "python3 rejects provenance.json"
fi
# top-level keys in bytewise order, without python
grep -E '^  "[a-z_]+":' "$P" | sed 's/^  "\([a-z_]*\)".*/\1/' >keys
LC_ALL=C sort -c keys || fail "top-level keys are not sorted"
[ "$(tr '\n' ' ' <keys)" = "classify corpus format index lexicons map outputs seed versions " ] ||
    fail "top-level keys: $(tr '\n' ' ' <keys)"

# hashes are the files'
has() { grep -qF -- "$1" "$P" || fail "provenance.json lacks: $1"; }
for f in lexicons/positions.tsv lexicons/negators.tsv $MFX/issues.tsv $MFX/gaps.tsv \
         "$RFX/manifest.csv" "$T/o/documents.csv" "$T/o/gaps.csv" "$T/o/positions.csv"; do
    case "$f" in /*) p=$f ;; *) p=$ROOT/$f ;; esac
    sum=$(sha256sum "$p" | cut -d' ' -f1)
    has "\"sha256\": \"$sum\""
    has "\"path\": \"$f\""
done
files=$(find "$ROOT/$RFX" -type f | wc -l)
has "\"files\": $files,"
listing=$(cd "$ROOT/$RFX" && find . -type f | sed 's|^\./||' | LC_ALL=C sort |
          while IFS= read -r f; do printf '%s\t%s\n' "$f" "$(wc -c <"$f")"; done |
          sha256sum | cut -d' ' -f1)
has "\"listing_sha256\": \"$listing\""
has "\"documents\": 8,"
has '"ok": 8'

# versions, index format and fingerprint
has "\"igmap\": \"$("$IGMAP" version | sed 's/^igmap //')\""
"$IGMAP" info "$T/o/index.igx" >info
fv=$(sed -n 's/^format_version: //p' info)
has "\"format_version\": $fv,"
stemmer=$(sed -n 's/^fingerprint.stemmer: //p' info)
has "\"stemmer\": \"$stemmer\""
has '"pcre2": "1'
has '"zlib": "1.'
has '"utf8proc": "'
# classify's options and seed, map's effective options
has '"seed": 1,'
has '"bootstrap": '
has '"unit": "sentence"'
has "\"positions\": \"$T/o/positions.csv\""
has '"unrecognised": []'

# map options read back; unknown words kept as they were
(cd "$ROOT" && "$IGMAP" provenance "$T/o" --corpus "$RFX" \
    --map-args "--unit paragraph --lean=0.3 --min-mentions 2 --no-carry-back --bogus 7 --contested-share x" \
    -o "$T/p2.json") || fail "provenance with map options failed"
for s in '"unit": "paragraph"' '"lean": 0.3,' '"min_mentions": 2,' '"carry_back": false' \
         '"--bogus",' '"7",' '"--contested-share",' '"x"' '"contested_share": 0.25,'; do
    grep -qF -- "$s" "$T/p2.json" || fail "p2.json lacks: $s"
done
# without classify's outputs: classify and seed are null
rm "$T/o/positions_provenance.json"
(cd "$ROOT" && "$IGMAP" provenance "$T/o" -o "$T/p3.json") || fail "provenance without classify"
grep -qF '"classify": null' "$T/p3.json" || fail "classify not null"
grep -qF '"seed": null' "$T/p3.json" || fail "seed not null"
grep -qF '"corpus": {' "$T/p3.json" || fail "no corpus object"

# errors: usage, a missing documents.csv or index, an unreadable lexicon
expect_exit 2 "$IGMAP" provenance
expect_err "expected one DIR"
cp "$P" before.json
mv "$T/o/documents.csv" "$T/docs.csv"
expect_exit 1 "$IGMAP" provenance "$T/o"
expect_err "igmap: provenance: $T/o/documents.csv: missing: run igmap index first"
mv "$T/docs.csv" "$T/o/documents.csv"
mv "$T/o/index.igx" "$T/ix.igx"
expect_exit 1 "$IGMAP" provenance "$T/o"
expect_err "$T/o/index.igx: missing"
mv "$T/ix.igx" "$T/o/index.igx"
expect_exit 3 "$IGMAP" provenance "$T/o" --lexicon "$T/no-such.tsv"
expect_err "$T/no-such.tsv: cannot open"
cmp -s before.json "$P" || fail "a failed run changed provenance.json"
no_temp_files "$T/o"
