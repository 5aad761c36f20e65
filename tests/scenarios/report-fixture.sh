# Shared by the report scenarios (t080x, sourced after lib.sh): build_fixture
# DIR runs the whole pipeline on tests/fixtures/report/corpus (eight short
# documents: every gap type, positions on both sides, a document with
# "<script>", quotes and ampersands, a submitter "=SUM(1+1)") into DIR:
# index, classify (shipped positions lexicons), map (the small lexicons of
# tests/fixtures/map) with the positions, provenance.  Paths are relative to
# $ROOT, where it runs, so provenance.json names them the same way each time.
RFX=tests/fixtures/report/corpus
MFX=tests/fixtures/map
build_fixture() {
    ( cd "$ROOT" &&
      "$IGMAP" index "$RFX" -o "$1/index.igx" --documents "$1/documents.csv" --quiet &&
      "$IGMAP" classify "$1/index.igx" --lexicon lexicons/positions.tsv \
          --negators lexicons/negators.tsv -o "$1" --quiet &&
      "$IGMAP" map "$1/index.igx" --issues $MFX/issues.tsv --mechanisms $MFX/mechanisms.tsv \
          --gaps $MFX/gaps.tsv --positions "$1/positions.csv" -o "$1" &&
      "$IGMAP" provenance "$1" --corpus "$RFX" --lexicon lexicons/positions.tsv \
          --lexicon lexicons/negators.tsv --lexicon $MFX/issues.tsv \
          --lexicon $MFX/mechanisms.tsv --lexicon $MFX/gaps.tsv \
          --classify-args "--lexicon lexicons/positions.tsv --negators lexicons/negators.tsv" \
          --map-args "--issues $MFX/issues.tsv --mechanisms $MFX/mechanisms.tsv --gaps $MFX/gaps.tsv --positions $1/positions.csv" \
          --index-args "" ) || fail "building the fixture pipeline in $1 failed"
}
