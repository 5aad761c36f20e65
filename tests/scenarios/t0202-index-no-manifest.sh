# Without a manifest every .txt and .txt.gz below the directory is a
# document (hidden files and other suffixes skipped), id = relative path,
# in bytewise order; --documents puts the table elsewhere.
. "$(dirname "$0")/lib.sh"
expect_exit 0 "$IGMAP" index "$ROOT/tests/fixtures/index/walk" -o w/index.igx --documents docs.csv --quiet
[ ! -e w/documents.csv ] || fail "documents.csv written beside the index despite --documents"
cut -d, -f1-3,6,7 docs.csv >got.csv
cat >want.csv <<'CSV'
id,path,language,gzip,tokens
b.txt,b.txt,en,0,2
sub/a.txt.gz,sub/a.txt.gz,en,1,3
CSV
diff -u want.csv got.csv
