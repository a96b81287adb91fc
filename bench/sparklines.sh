#!/usr/bin/env bash
# Benchmark: what a sparkline column costs at scale. Builds the demo at
# POSTS posts (default 10,000) twice per run, with and without a line per
# post of its daily reach on the home page's table of recent posts (the
# baseline, measured in the same run), and prints the medians and their
# ratio, the shards written (count, raw and gzipped sizes) and the home
# page's first-load weight both ways (../shared/tools/pageweight.py when it
# is there).
# Usage: bench/sparklines.sh [runs] [posts]   (default 5 runs, 10000 posts)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
posts="${2:-10000}"
root="$PWD"
cache="$HOME/.cache/vcd"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
source "$root/bench/lib/vcd.sh"
source "$root/bench/lib/data.sh"
gen_key="$(generator_key)"
data="$(data_dir "$posts")"
now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }

for v in base spark; do
    mkdir -p "$work/$v"
    cp -r pages queries theme vcd.toml "$work/$v/"
    cp -r "$data" "$work/$v/data"
done
# Each post's reach by day since it went up: one scale across for every post.
cat > "$work/spark/queries/post_days.sql" <<'SQL'
SELECT post_id, metric_date - MIN(metric_date) OVER (PARTITION BY post_id) AS day, reach
FROM social_media_metrics
SQL
python3 - "$work/spark/pages/index.md" <<'PY'
import sys
p = sys.argv[1]
s = open(p, encoding="utf-8").read()
old = 'sort="-posted_at", page_size=8) }}'
assert old in s, "the home page's table of recent posts moved"
new = ('sparkline={"query": "post_days", "key": "post_id", "x": "day", "y": "reach", "label": "Reach by day"},\n'
       '     ' + old)
open(p, "w", encoding="utf-8").write(s.replace(old, new))
PY

base=(); spark=()
for _ in $(seq "$runs"); do
    for v in base spark; do
        rm -rf "$work/$v/site"
        t0=$(now); "$vcd" -C "$work/$v" build >/dev/null 2>&1; t1=$(now)
        if [ "$v" = base ]; then base+=($((t1 - t0))); else spark+=($((t1 - t0))); fi
    done
done
b=$(printf '%s\n' "${base[@]}" | median)
s=$(printf '%s\n' "${spark[@]}" | median)
echo "posts: $posts, runs: $runs"
echo "vcd build, no sparkline (baseline):   median ${b} ms"
echo "vcd build, a line per post on /:       median ${s} ms  ($(awk -v a="$s" -v b="$b" 'BEGIN{printf "%.2f", a/b}')x baseline)"

python3 - "$work/spark/site/data" <<'PY'
import glob, gzip, statistics, sys
files = sorted(glob.glob(sys.argv[1] + "/post_days.s*/*.json"))
raw = [len(open(f, "rb").read()) for f in files]
gz = [len(gzip.compress(open(f, "rb").read(), 6)) for f in files]
print(f"shards: {len(files)}, {sum(raw)} bytes raw in all; "
      f"median shard {statistics.median(raw):.0f} bytes raw, {statistics.median(gz):.0f} gzipped")
PY

weigh=../shared/tools/pageweight.py
if [ -f "$weigh" ]; then
    echo "home page, first load (gzipped bytes, files):"
    for v in base spark; do printf '  %s: ' "$v"; python3 "$weigh" "$work/$v/site" / | head -1; done
fi
