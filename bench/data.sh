#!/usr/bin/env bash
# Benchmark of the data layer: `vcd generate` at the default scale and at
# 1,000,000 posts, `vcd load` into PostgreSQL, and `vcd build` of the demo on
# each source (DuckDB is the in-run baseline for PostgreSQL).
# Usage: BENCH_DATABASE_URL=postgresql://user:pw@127.0.0.1:5432/postgres bench/data.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-5}"
admin="${BENCH_DATABASE_URL:?set BENCH_DATABASE_URL to a role that may create databases}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/vcd/target}"
cargo build --release --quiet
vcd="$CARGO_TARGET_DIR/release/vcd"

work="$(mktemp -d)"
db="vcd_bench_$$"
url="${admin%/*}/$db"
cleanup() { rm -rf "$work"; psql -q "$admin" -c "DROP DATABASE IF EXISTS $db" 2>/dev/null || true; }
trap cleanup EXIT
psql -q "$admin" -c "CREATE DATABASE $db"

now() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.1f", m/1e6}'; }
# time_runs N CMD...: median wall time in ms of N runs of CMD (output discarded)
time_runs() {
    local n="$1"; shift
    local times=()
    for _ in $(seq "$n"); do
        local t0; t0=$(now); "$@" >/dev/null 2>&1; times+=($(( $(now) - t0 )))
    done
    printf '%s\n' "${times[@]}" | median
}

mkdir -p "$work/demo"
cp -r pages queries data theme vcd.toml "$work/demo/"

g=$(time_runs "$runs" "$vcd" -C "$work/demo" generate --out "$work/gen-default")
echo "generate, default scale:  median ${g} ms, $(du -sb "$work/gen-default" | cut -f1) bytes"
g1=$(time_runs 3 "$vcd" -C "$work/demo" generate --posts 1000000 --out "$work/gen-1m")
echo "generate, 1,000,000 posts: median ${g1} ms (3 runs), $(du -sb "$work/gen-1m" | cut -f1) bytes, $(($(wc -l < "$work/gen-1m/social_media_metrics.csv") - 1)) metric rows"
rm -rf "$work/gen-1m"

l=$(time_runs "$runs" "$vcd" -C "$work/demo" load --database-url "$url")
echo "load demo into PostgreSQL: median ${l} ms"

d=$(time_runs "$runs" "$vcd" -C "$work/demo" build --source duckdb)
p=$(time_runs "$runs" "$vcd" -C "$work/demo" build --source postgres --database-url "$url")
echo "build demo, DuckDB (baseline): median ${d} ms"
echo "build demo, PostgreSQL:        median ${p} ms ($(awk -v a="$p" -v b="$d" 'BEGIN{printf "%.2f", a/b}')x DuckDB)"
