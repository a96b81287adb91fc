#!/usr/bin/env bash
# Benchmark (issue 13, run on purpose, not a test): `vcd load` of the demo's
# data at N posts into PostgreSQL, against the baseline the issue sets, measured
# in the same run: `psql` running the same `\copy … FROM` commands (the same
# CSV options, in one transaction) into the same tables with their keys,
# unique constraints, foreign keys and indexes dropped. vcd's figure is the
# whole load: schema, COPY, keys and indexes built and checked, commit.
# Prints the medians and the ratio (budget: 1.2).
#
# Usage: bench/load.sh [POSTS ...]            (default: 100000 1000000)
# Environment:
#   VCD_BIN=/path/to/vcd   use this binary (default: cargo build --release)
#   RUNS=N                 loads per size and side, median reported (default 3)
#   BENCH_DATABASE_URL     an admin URL (default: postgresql://vcd:vcd@127.0.0.1:5432/postgres);
#                          the benchmark creates and drops its own database
# Needs psql. Data comes from bench/lib/data.sh (~/.cache/vcd/bench-data/).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(100000 1000000)
runs="${RUNS:-3}"
admin="${BENCH_DATABASE_URL:-postgresql://vcd:vcd@127.0.0.1:5432/postgres}"
cache="$HOME/.cache/vcd"
budget=1.2
command -v psql >/dev/null || { echo "missing psql" >&2; exit 2; }

source "$root/bench/lib/vcd.sh"
work="$(mktemp -d)"
db="vcd_bench_load_$$"
url="${admin%/*}/$db"
cleanup() {
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT
source "$root/bench/lib/data.sh"
gen_key="$(generator_key)"

fresh_db() {
    psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db" >/dev/null 2>&1
}

# What vcd sets aside during its load, dropped here before the baseline's copies.
drop_keys_sql() {
    cat <<'SQL'
DO $$ DECLARE r record; BEGIN
  FOR r IN SELECT conrelid::regclass AS t, conname FROM pg_constraint
           WHERE connamespace = current_schema()::regnamespace AND contype IN ('p', 'u', 'f')
           ORDER BY contype = 'f' DESC LOOP
    EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', r.t, r.conname);
  END LOOP;
  FOR r IN SELECT indexrelid::regclass AS i FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
           WHERE c.relnamespace = current_schema()::regnamespace LOOP
    EXECUTE format('DROP INDEX %s', r.i);
  END LOOP;
END $$;
SQL
}

# The baseline's commands: one \copy per CSV, its columns from the header.
copy_script() {
    local data="$1" f t header
    echo "BEGIN;"
    for f in "$data"/*.csv; do
        t="$(basename "$f" .csv)"
        header="$(head -n 1 "$f" | sed 's/,/", "/g')"
        echo "\\copy \"$t\" (\"$header\") FROM '$f' WITH (FORMAT csv, HEADER true)"
    done
    echo "COMMIT;"
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
# timed ERRFILE CMD...: runs CMD (its output dropped, stderr into ERRFILE) and prints its wall seconds.
timed() {
    local err="$1" s e
    shift
    s=$(date +%s.%N)
    "$@" >/dev/null 2>"$err" || { cat "$err" >&2; return 1; }
    e=$(date +%s.%N)
    echo "$e - $s" | bc
}

declare -A r_vcd r_psql r_ratio r_bytes
for n in "${sizes[@]}"; do
    data="$(data_dir "$n")"
    r_bytes[$n]="$(du -cb "$data"/*.csv | tail -n 1 | cut -f1)"
    proj="$work/p$n"
    mkdir -p "$proj" && ln -sfn "$data" "$proj/data"
    copy_script "$data" >"$work/copy.sql"
    : >"$work/vcd.$n"; : >"$work/psql.$n"
    for run in $(seq "$runs"); do
        # Alternating sides, each on a fresh database, so neither gets a warmer one.
        fresh_db
        psql -q -v ON_ERROR_STOP=1 "$url" -f "$data/schema.sql" >/dev/null
        drop_keys_sql | psql -q -v ON_ERROR_STOP=1 "$url" >/dev/null
        t_psql="$(timed "$work/psql.err" psql -q -v ON_ERROR_STOP=1 "$url" -f "$work/copy.sql")"
        fresh_db
        t_vcd="$(timed "$work/load.err" "$vcd" -C "$proj" load --database-url "$url")"
        echo "$t_psql" >>"$work/psql.$n"
        echo "$t_vcd" >>"$work/vcd.$n"
        echo "  $n posts, run $run: vcd load $(printf %.1f "$t_vcd") s, psql \\copy $(printf %.1f "$t_psql") s ($(tail -n 1 "$work/load.err"))" >&2
    done
    r_vcd[$n]="$(median <"$work/vcd.$n")"
    r_psql[$n]="$(median <"$work/psql.$n")"
    r_ratio[$n]="$(echo "scale=3; ${r_vcd[$n]} / ${r_psql[$n]}" | bc)"
done

printf '\n%-10s %10s %14s %16s %8s\n' posts "CSV MB" "vcd load s" "psql \\copy s" ratio
for n in "${sizes[@]}"; do
    mark=""
    [ "$(echo "${r_ratio[$n]} > $budget" | bc)" = 1 ] && mark=" over $budget"
    printf '%-10s %10d %14.1f %16.1f %8.2f%s\n' "$n" "$((r_bytes[$n] / 1000000))" "${r_vcd[$n]}" "${r_psql[$n]}" "${r_ratio[$n]}" "$mark"
done
echo "(medians of $runs; vcd's time includes the schema and building and checking the keys and indexes)"
