#!/bin/sh
# Check the build dependencies; install them with apt-get when root, else
# print the exact command.  Called by `make` (target deps).
pkgs="$1"
missing=""
have_hdr() { [ -f "/usr/include/$1" ] || [ -f "/usr/include/x86_64-linux-gnu/$1" ] || \
             echo '#include <'"$1"'>' | ${CC:-cc} -E -x c - >/dev/null 2>&1; }
command -v pkg-config >/dev/null 2>&1 || missing="$missing pkg-config"
command -v cc >/dev/null 2>&1 || missing="$missing build-essential"
for pc in libpcre2-8 libutf8proc zlib; do
    pkg-config --exists "$pc" 2>/dev/null || missing="$missing $pc"
done
have_hdr libstemmer.h || missing="$missing libstemmer"
[ -z "$missing" ] && exit 0
echo "igmap: missing build dependencies:$missing"
cmd="apt-get install -y $pkgs"
if [ "$(id -u)" = 0 ]; then
    echo "igmap: installing: $cmd"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive $cmd || exit 1
else
    echo "igmap: run as root:  sudo $cmd"
    exit 1
fi
