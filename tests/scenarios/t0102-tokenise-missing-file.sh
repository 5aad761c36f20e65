# A missing input file is a system error (exit 3, FAULTS.md F25/F26) naming
# the file and the OS reason; nothing but the header reaches stdout.
. "$(dirname "$0")/lib.sh"
expect_exit 3 "$IGMAP" tokenise nowhere.txt
expect_err "igmap: input: nowhere.txt: cannot open: No such file or directory"
[ "$(cat "$T/out")" = "$(printf 'file\tpos\tspan\tkind\tstart\tend\tsentence\tparagraph\tsection\ttoken')" ] ||
    fail "stdout should hold only the header"
# a directory is not a regular file: rejected input (exit 1)
mkdir d
expect_exit 1 "$IGMAP" tokenise d
expect_err "d: not a regular file"
