#!/usr/bin/env bash
# Benchmark: wall time of `vcd build` on the demo: cold (fresh copy, no site,
# no cache), warm (rebuild, results from the cache), against a rebuild with
# `--no-cache` (every query run, data loaded) as the in-run baseline.
# Also prints the binary size and the gzipped weight of the demo's home page.
# Usage: bench/build.sh [runs]   (default 5; prints medians)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vcd/target}"
cargo build --release --quiet
vcd="$CARGO_TARGET_DIR/release/vcd"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }

fresh_copy() {
    rm -rf "$work/demo"
    mkdir -p "$work/demo"
    cp -r pages queries data theme vcd.toml "$work/demo/"
}

cold=(); warm=(); nocache=()
for _ in $(seq "$runs"); do
    fresh_copy
    t0=$(now); "$vcd" -C "$work/demo" build 2>/dev/null; t1=$(now); cold+=($((t1 - t0)))
    t0=$(now); "$vcd" -C "$work/demo" build 2>/dev/null; t1=$(now); warm+=($((t1 - t0)))
    t0=$(now); "$vcd" -C "$work/demo" build --no-cache 2>/dev/null; t1=$(now); nocache+=($((t1 - t0)))
done

c=$(printf '%s\n' "${cold[@]}" | median)
w=$(printf '%s\n' "${warm[@]}" | median)
k=$(printf '%s\n' "${nocache[@]}" | median)
echo "runs: $runs"
echo "vcd build --no-cache, rebuild (baseline): median ${k} ms"
echo "vcd build, cold (no site, no cache):      median ${c} ms  ($(awk -v a="$c" -v b="$k" 'BEGIN{printf "%.2f", a/b}')x baseline)"
echo "vcd build, warm (results cached):         median ${w} ms  ($(awk -v a="$w" -v b="$k" 'BEGIN{printf "%.2f", a/b}')x baseline)"
echo "binary size: $(stat -c %s "$vcd") bytes"

# Page weight: the home page plus every asset and data file it loads, gzipped
# (-6, what static hosts typically serve).
site="$work/demo/site"
html="$site/index.html"
files=("$html")
while IFS= read -r ref; do
    files+=("$site/${ref%%\?*}")
done < <(grep -oE '(href|src)="[^"]+"' "$html" | sed -E 's/^(href|src)="//; s/"$//' | grep -E '^assets/')
while IFS= read -r name; do
    files+=("$site/data/$name.json")
done < <(grep -oE '"data":\{"name":"[^"]+"' "$html" | sed -E 's/.*"name":"//; s/"$//' | sort -u)
raw=0; gz=0
for f in "${files[@]}"; do
    raw=$((raw + $(stat -c %s "$f")))
    gz=$((gz + $(gzip -6 -c "$f" | wc -c)))
done
echo "home page weight: ${#files[@]} files, $raw bytes raw, $gz bytes gzipped"
