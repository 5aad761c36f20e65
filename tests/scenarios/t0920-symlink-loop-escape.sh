# Symlink loops and symlinks leaving the corpus (FAULTS.md F27), through
# the command line, with and without a manifest.  A loop of file links is
# a located error naming the file and ELOOP's reason; a link to a file
# outside the corpus is refused under the "stay inside the corpus
# directory" rule (README, manifest.h), naming where it leads; directory
# links (a loop back up the tree, a way out of it) are not followed by the
# walk, so they can neither hang it nor smuggle documents in.  Every run
# ends promptly (timeout), exits 1 (3 for a corpus directory that is itself
# a loop), and leaves the output directory as it was.
. "$(dirname "$0")/lib.sh"
mkdir c outside
TR=$(pwd -P) # realpath's view of $T
echo 'Enhanced cooperation on an equal footing.' >c/ok.txt
echo 'A secret outside the corpus.' >outside/secret.txt
ln -s b.txt c/a.txt
ln -s a.txt c/b.txt
snap() { (cd o && ls -A | grep -vx '\.igmap-lock' && cksum $(ls -A | grep -vx '\.igmap-lock')); } # the lock file is no output
mkdir c0 && echo 'The old corpus.' >c0/old.txt
expect_exit 0 "$IGMAP" index c0 -o o/index.igx --quiet
snap >before

# 1. walk (no manifest): a loop of two file links
expect_exit 1 timeout 60 "$IGMAP" index c -o o/index.igx --quiet
expect_err 'igmap: manifest: c: cannot resolve "a.txt": Too many levels of symbolic links'
expect_err 'igmap: manifest: c: cannot resolve "b.txt": Too many levels of symbolic links'
expect_err 'igmap: manifest: c: 2 problems; nothing was indexed'
snap >now; cmp -s before now || fail "a refused corpus changed the outputs"
no_temp_files o

# 2. walk: a file link leaving the corpus
rm c/a.txt c/b.txt
ln -s "$T/outside/secret.txt" c/x.txt
expect_exit 1 timeout 60 "$IGMAP" index c -o o/index.igx --quiet
expect_err "igmap: manifest: c: path \"x.txt\" leads outside the corpus directory (to $TR/outside/secret.txt)"
snap >now; cmp -s before now || fail "an escaping link changed the outputs"

# 3. walk: directory links, one looping back up, one leading out, are not
#    followed (no hang, nothing from outside indexed)
rm c/x.txt
mkdir c/sub
echo 'A document below.' >c/sub/below.txt
ln -s .. c/sub/up
ln -s ../.. c/sub/out
ln -s "$T/outside" c/away
expect_exit 0 timeout 60 "$IGMAP" index c -o w/index.igx --quiet
[ "$(cut -d, -f1 w/documents.csv | tr '\n' ' ')" = "id ok.txt sub/below.txt " ] ||
    { cat w/documents.csv >&2; fail "the walk followed a directory link"; }

# 4. manifest: a loop, a link into a directory outside, a ../ path
ln -s b.txt c/a.txt
ln -s a.txt c/b.txt
printf 'id,path\nok,ok.txt\nloop,a.txt\nesc,away/secret.txt\nup,../outside/secret.txt\n' >c/manifest.csv
expect_exit 1 timeout 60 "$IGMAP" index c -o o/index.igx --quiet
expect_err 'igmap: manifest: c/manifest.csv:3: cannot resolve "a.txt": Too many levels of symbolic links'
expect_err "igmap: manifest: c/manifest.csv:4: path \"away/secret.txt\" leads outside the corpus directory (to $TR/outside/secret.txt)"
expect_err "igmap: manifest: c/manifest.csv:5: path \"../outside/secret.txt\" leads outside the corpus directory (to $TR/outside/secret.txt)"
expect_err 'igmap: manifest: c/manifest.csv: 3 problems; nothing was indexed'
snap >now; cmp -s before now || fail "a refused manifest changed the outputs"
no_temp_files o

# 5. the corpus directory itself a loop
ln -s selfloop selfloop
expect_exit 3 timeout 60 "$IGMAP" index selfloop -o o/index.igx --quiet
expect_err 'igmap: manifest: selfloop: cannot open corpus directory: Too many levels of symbolic links'
snap >now; cmp -s before now || fail "a looping corpus directory changed the outputs"

# 6. tokenise reads through a loop: located, no hang
expect_exit 3 timeout 60 "$IGMAP" tokenise c/a.txt
expect_err 'igmap: input: c/a.txt: cannot open: Too many levels of symbolic links'
