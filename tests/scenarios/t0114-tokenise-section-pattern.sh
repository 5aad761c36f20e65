# --section-pattern replaces the default heading pattern: sections numbered
# from its first capture group, or by ordinal when it has no digits.
. "$(dirname "$0")/lib.sh"
printf 'Preamble text\nArticle 7\nBody here\nQuestion 2: not a heading now\nArticle 9 more\n' >doc.txt
"$IGMAP" tokenise --section-pattern '^article\s+(\d+)' doc.txt | cut -f9,10 | tail -n +2 |
    tr '\t\n' ': ' >got
[ "$(cat got)" = "0:preamble 0:text 7:article 7:7 7:body 7:here 7:question 7:2 7:not 7:a 7:heading 7:now 9:article 9:9 9:more " ] ||
    fail "custom sections: $(cat got)"
"$IGMAP" tokenise --section-pattern '^(?:Article|Question)' doc.txt | cut -f9 | tail -n +2 | uniq | tr '\n' ' ' >got
[ "$(cat got)" = "0 1 2 3 " ] || fail "ordinal sections: $(cat got)"
"$IGMAP" tokenise doc.txt | cut -f9 | tail -n +2 | uniq | tr '\n' ' ' >got
[ "$(cat got)" = "0 2 " ] || fail "default sections: $(cat got)"
