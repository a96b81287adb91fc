#!/usr/bin/env bash
# Screenshots of every dashboard page of the demo, in light and dark mode, on a
# desktop (1280 px wide) and a phone (390 px wide), taken with headless
# Chromium and written to docs/screenshots/. Run on purpose; the README shows them.
# Usage: docs/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vcd/target}"
cargo build --release --quiet
vcd="$CARGO_TARGET_DIR/release/vcd"
chromium="${VCD_CHROMIUM:-chromium}"

work="$(mktemp -d)"
trap 'kill "$server" 2>/dev/null || true; rm -rf "$work"' EXIT
mkdir -p "$work/demo"
cp -r pages queries data theme vcd.toml "$work/demo/"
"$vcd" -C "$work/demo" build >/dev/null 2>&1
port=8931
python3 -m http.server "$port" -b 127.0.0.1 -d "$work/demo/site" >/dev/null 2>&1 &
server=$!
sleep 1

out=docs/screenshots
rm -rf "$out"
mkdir -p "$out"
# name:path:desktop height:phone height
pages="overview::2300:4200 viral:viral/:3900:7600 platforms:platforms/:2700:5200 audience:audience/:3500:6800 timing:timing/:2300:4300 business:business/:3600:6900 markets:markets/:2300:4200 post:posts/36/:1500:2600"
for entry in $pages; do
    IFS=: read -r name path desk phone <<<"$entry"
    for scheme in light dark; do
        pref=1
        [ "$scheme" = dark ] && pref=0
        for device in desktop phone; do
            if [ "$device" = desktop ]; then size="1280,$desk"; else size="390,$phone"; fi
            "$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
                --disable-component-update --disable-sync --no-first-run --hide-scrollbars \
                --blink-settings=preferredColorScheme=$pref --window-size="$size" \
                --virtual-time-budget=10000 --screenshot="$out/$name-$scheme-$device.png" \
                "http://127.0.0.1:$port/$path" >/dev/null 2>&1
        done
    done
done
ls -1 "$out" | wc -l | xargs echo "screenshots written to $out:"
