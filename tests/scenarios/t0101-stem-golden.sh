# `igmap tokenise FILE | igmap stem [--language CODE]` adds a stem column:
# golden records for English (the default) and French.
. "$(dirname "$0")/lib.sh"
G="$ROOT/tests/golden/stem"
(cd "$G" && "$IGMAP" tokenise policy_en.txt) | "$IGMAP" stem >"$T/en.out" || fail "en pipe failed"
diff -u "$G/policy_en.expected" "$T/en.out" || fail "English stems differ"
(cd "$G" && "$IGMAP" tokenise policy_fr.txt) | "$IGMAP" stem --language fr >"$T/fr.out" ||
    fail "fr pipe failed"
diff -u "$G/policy_fr.expected" "$T/fr.out" || fail "French stems differ"
# the option may follow nothing else and may use the = form
(cd "$G" && "$IGMAP" tokenise policy_fr.txt) | "$IGMAP" stem --language=fr >"$T/fr2.out"
cmp -s "$T/fr.out" "$T/fr2.out" || fail "--language=fr differs from --language fr"
