#!/bin/sh
# make report-check: render the report in headless Chromium to a PNG, so a
# person can look at it (the structure is checked by make test; whether it
# looks right needs eyes).  Usage: sh tests/report-check.sh REPORT.html OUT.png
#
# Chromium comes from Debian's `chromium` package: installed here when run
# as root, else the exact apt-get line is printed.  The browser runs with a
# fresh profile, no network services and no GPU; the page itself needs no
# network or script.
set -u
html=${1:?usage: report-check.sh REPORT.html OUT.png}
png=${2:?usage: report-check.sh REPORT.html OUT.png}
[ -f "$html" ] || { echo "report-check: $html: no such file (run make first)" >&2; exit 1; }

browser=""
for b in chromium chromium-browser; do
    if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
    cmd="apt-get install -y chromium"
    if [ "$(id -u)" = 0 ]; then
        echo "report-check: installing Debian's chromium: $cmd"
        DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
            DEBIAN_FRONTEND=noninteractive $cmd >/dev/null || exit 1
        browser=chromium
    else
        echo "report-check: needs Debian's chromium; run as root:  sudo $cmd" >&2
        exit 1
    fi
fi

case "$html" in /*) url="file://$html" ;; *) url="file://$(pwd)/$html" ;; esac
mkdir -p "$(dirname "$png")"
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$png"
# chromium writes the PNG itself; its chatter (D-Bus, GPU) goes to a log
log="$profile/chromium.log"
if ! timeout 180 "$browser" --headless --no-sandbox --disable-gpu --disable-quic \
        --no-first-run --disable-background-networking --disable-component-update \
        --disable-sync --user-data-dir="$profile" --screenshot="$png" \
        --window-size=1400,4000 "$url" >"$log" 2>&1 || [ ! -s "$png" ]; then
    echo "report-check: $browser could not render $html:" >&2
    tail -5 "$log" >&2
    exit 1
fi
# width and height from the PNG header (bytes 17-24, big-endian)
dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{ printf "%dx%d", (($1*256+$2)*256+$3)*256+$4, (($5*256+$6)*256+$7)*256+$8 }')
echo "report-check: $png ($dims, top of the page) from $html: look at it"
