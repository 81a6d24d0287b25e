#!/usr/bin/env bash
# usage: screenshot_report.sh [LOGDIR] [OUT.png]
#
# Opens hp-report's HTML report in headless Chromium (Debian package
# `chromium`), saves a 1280x2000 screenshot to OUT.png (default
# /tmp/hp-report-screenshot.png) and fails if the page logged any console
# message (script errors, Content-Security-Policy refusals: the report must
# load nothing). LOGDIR defaults to fixtures/keras_mlp_grid. Skipped (exit 0)
# when Chromium is absent. Chromium's own dbus/GPU chatter is ignored; only
# lines about the page count. The report is built with `cargo run`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
logdir=${1:-$root/fixtures/keras_mlp_grid}
out=${2:-/tmp/hp-report-screenshot.png}

chrome=${CHROMIUM:-}
if [ -z "$chrome" ]; then
    for c in chromium chromium-browser google-chrome; do
        if command -v "$c" >/dev/null 2>&1; then chrome=$c; break; fi
    done
fi
if [ -z "$chrome" ]; then
    echo "screenshot_report: no chromium found (apt-get install -y chromium); skipped" >&2
    exit 0
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$root" && cargo run -q -- report "$logdir" -q -o "$work/report.html")

rm -f "$out"
status=0
timeout 120 "$chrome" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
    --disable-background-networking --disable-component-update --disable-sync \
    --no-first-run --user-data-dir="$work/profile" \
    --enable-logging=stderr --v=0 \
    --screenshot="$out" --window-size=1280,2000 \
    "file://$work/report.html" >"$work/stdout.log" 2>"$work/chrome.log" || status=$?
if [ "$status" -ne 0 ]; then
    echo "screenshot_report: chromium exited with $status" >&2
    tail -n 20 "$work/chrome.log" >&2
    exit 1
fi
if [ ! -s "$out" ]; then
    echo "screenshot_report: no screenshot written" >&2
    exit 1
fi
# Console messages look like `[...:INFO:CONSOLE(12)] "Uncaught ...", source: file://... (12)`.
if grep -E 'CONSOLE|Uncaught|Refused to|Content Security Policy' "$work/chrome.log" >"$work/console.log"; then
    echo "screenshot_report: the page logged console messages:" >&2
    cat "$work/console.log" >&2
    exit 1
fi
echo "screenshot_report: $out ($(wc -c <"$out") bytes), no console messages"
