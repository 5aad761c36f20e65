# documents.csv: one row per manifest document, every metadata column (text
# cells neutralised against formulas), then what indexing found; the SHA-256
# is of the decompressed text.
. "$(dirname "$0")/lib.sh"
C="$ROOT/tests/fixtures/index/basic"
expect_exit 0 "$IGMAP" index "$C" -o idx/index.igx --quiet
cat >want.csv <<'CSV'
id,path,process,date,submitter,stakeholder_group,country,language,note,bytes,file_bytes,gzip,tokens,sentences,paragraphs,sections,sha256,replaced,truncated,status
gov-br,docs/gov-br.txt,wsis,2005-06-01,Government of Brazil,government,BR,en,"statement, read aloud",216,216,0,36,4,2,1,5423f9396a211ac05d0ea54efab555bd313739c2c4a8509f419a5411deb4704a,0,0,ok
cs-ke,docs/cs-ke.txt.gz,igf,2014-09-02,Nairobi Digital Rights Forum,civil_society,KE,en,,174,141,1,24,3,2,0,2cc30df7f6b00e00f69fe104fadfb4ede784b1da3d2e2631a5ad2aaeeab107e1,0,0,ok
tc-fr,docs/tc-fr.txt,wgec2,2017-03-20,Association française des registres,technical_community,FR,fr,"'=sum(1)",77,77,0,10,1,1,0,41d685f3e079c8d913c2612cf862700bdea68da3bfc0212aaac3a51e53de0a7d,0,0,ok
CSV
diff -u want.csv idx/documents.csv
# the hashes really are those of the texts
[ "$(sha256sum <"$C/docs/gov-br.txt" | cut -c1-64)" = 5423f9396a211ac05d0ea54efab555bd313739c2c4a8509f419a5411deb4704a ] ||
    fail "sha256 of gov-br"
[ "$(gzip -dc "$C/docs/cs-ke.txt.gz" | sha256sum | cut -c1-64)" = 2cc30df7f6b00e00f69fe104fadfb4ede784b1da3d2e2631a5ad2aaeeab107e1 ] ||
    fail "sha256 of cs-ke (decompressed)"
