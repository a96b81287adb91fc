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

# Page weight: each page plus every asset and data file it loads on opening,
# gzipped (-6, what static hosts typically serve). The data files are the ones
# its manifest names, in the variant its inputs start on (or its own slice). Prints the home page
# and the busiest page.
python3 - "$work/demo/site" <<'PY'
import gzip, json, os, re, sys
site = sys.argv[1]
def gz(path):
    with open(path, "rb") as f:
        data = f.read()
    return len(data), len(gzip.compress(data, 6))
def weight(html_path):
    html = open(html_path, encoding="utf-8").read()
    base = os.path.dirname(html_path)
    files = {html_path}
    for ref in re.findall(r'(?:href|src)="([^"]+)"', html):
        ref = ref.split("?")[0]
        if "assets/" in ref:
            files.add(os.path.normpath(os.path.join(base, ref)))
    m = re.search(r'<script type="application/json" id="vcd-page">(.*?)</script>', html)
    if m:
        manifest = json.loads(m.group(1))
        inputs = {i["name"]: i for i in manifest["inputs"]}
        for name, q in manifest["queries"].items():
            if "params" in q:
                key = []
                for p in q["params"]:
                    i = inputs[p]
                    d = i["default"]
                    key.append(str(0 if d is None or i["kind"] == "checkbox" else d + (1 if i["all"] is not None else 0)))
                files.add(os.path.join(site, "data", q["files"][",".join(key)]))
            elif "file" in q:  # a page made from a row: its own slice
                files.add(os.path.join(site, "data", q["file"]))
            else:
                files.add(os.path.join(site, "data", name + ".json"))
    sizes = [gz(f) for f in files]
    return len(files), sum(r for r, _ in sizes), sum(g for _, g in sizes)
pages = []
for root, _, names in os.walk(site):
    if "index.html" in names:
        path = os.path.join(root, "index.html")
        pages.append((os.path.relpath(root, site), weight(path)))
home = dict(pages)["."]
print(f"home page weight: {home[0]} files, {home[1]} bytes raw, {home[2]} bytes gzipped")
name, (n, raw, g) = max(pages, key=lambda p: p[1][2])
print(f"busiest page ({name}/): {n} files, {raw} bytes raw, {g} bytes gzipped; {len(pages)} pages")
PY
