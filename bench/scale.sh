#!/usr/bin/env bash
# Benchmark (issue 12, run on purpose, not a test): the demo at 1,000 to
# 1,000,000 posts. For each post count it measures, on data from
# `vcd generate --posts N`:
#   - `vcd build --no-cache`: wall time and peak RSS (/usr/bin/time);
#   - the in-run baseline, DuckDB alone: the same DuckDB version (its Python
#     package) loading the same data/ the way vcd does and running every
#     queries/*.sql to its last row; vcd's time ÷ this is the ratio;
#   - the gzipped bytes a reader downloads on first load of every dashboard page
#     and of a sample of the per-row pages (posts, market days), libraries
#     included (/work/shared/tools/pageweight.py, headless Chromium);
#   - on the heaviest dashboard page, the time from changing the platform
#     dropdown to the page having redrawn (median of 20, headless Chromium).
# Then one table, with every figure over the issue's budget marked.
#
# Usage: bench/scale.sh [POSTS ...]        (default: 1000 10000 100000 1000000)
# Environment:
#   VCD_BIN=/path/to/vcd   use this binary (default: cargo build --release)
#   RUNS=N                 builds and baselines per size, median reported
#                          (default 3 below 1,000,000 posts, 1 from there)
#   BUILD_TIMEOUT=SECONDS  per build and per baseline (default 1800)
#   REDRAW_PAGES="/ /viral/"  the pages to time the filter redraw on (default:
#                          the heaviest dashboard page); the slowest is reported
#   PAGEWEIGHT=PATH        the page weight tool (default /work/shared/tools/pageweight.py)
#   VCD_MAX_ROWS=N         write `max_rows = N` into the copy's vcd.toml (its
#                          documented place); by default the demo is measured
#                          as shipped, so a refused build shows as a failure
# Needs: /usr/bin/time (apt-get install time), chromium (apt-get install
# chromium), python3 with venv. DuckDB, pyarrow are pip-installed into a venv
# of their own, ~/.cache/vcd/bench-venv. Generated data is kept in
# ~/.cache/vcd/bench-data/, keyed by what the generator writes.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"

sizes=("$@")
[ "${#sizes[@]}" -gt 0 ] || sizes=(1000 10000 100000 1000000)
build_timeout="${BUILD_TIMEOUT:-1800}"
pageweight="${PAGEWEIGHT:-/work/shared/tools/pageweight.py}"
cache="$HOME/.cache/vcd"

# The issue's budget.
budget_rss_mb=2048          # peak RSS of the build (set for 1M; applied at every size)
budget_ratio=1.5            # build time ÷ DuckDB alone
budget_page=409600          # gzipped bytes on first load, libraries included
budget_redraw_ms=100        # filter change to redrawn page (set for 1M; applied at every size)
redraws=20

for tool in /usr/bin/time /usr/bin/chromium "$pageweight"; do
    [ -e "$tool" ] || { echo "missing $tool (see the header of $0)" >&2; exit 2; }
done

source "$root/bench/lib/vcd.sh"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {printf "%.3f", (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

# ---- Python for the baseline --------------------------------------------------

# The DuckDB that vcd links, from Cargo.lock: libduckdb-sys 1.MMmmpp.x bundles
# DuckDB MM.mm.pp (so 1.20000.1 is 2.0.0), the version numbers its Python package uses.
duckdb_version() {
    awk '/^name = "libduckdb-sys"/ {getline; gsub(/[^0-9.]/, ""); split($0, v, "."); e = v[2] + 0;
         printf "%d.%d.%d\n", int(e / 10000), int(e / 100) % 100, e % 100; exit}' Cargo.lock
}

# A venv of the benchmark's own, so the pinned DuckDB never meets the system's.
# to_arrow_table (pyarrow) keeps every row in DuckDB's columnar form: fetchall()
# would add seconds of Python objects at 1M posts and flatter the ratio.
setup_python() {
    local want venv="$cache/bench-venv"
    want="$(duckdb_version)"
    [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
    py="$venv/bin/python"
    if ! "$py" -c "import duckdb, pyarrow, sys; sys.exit(duckdb.__version__ != '$want')" 2>/dev/null; then
        "$py" -m pip install --quiet "duckdb==$want" "pyarrow==26.0.1"
    fi
}

# ---- Data ----------------------------------------------------------------------

# generator_key and data_dir: the N-post data, generated once per generator.
source "$root/bench/lib/data.sh"

# make_project N: a fresh copy of the demo (not its data/) on the N-post data.
# Hard links where the file system allows: 1M posts is gigabytes of CSV.
make_project() {
    local proj="$work/demo-$1" data
    data="$(data_dir "$1")" || return 1
    rm -rf "$proj" && mkdir -p "$proj/data"
    cp -r pages queries theme vcd.toml "$proj/"
    cp -l "$data"/*.csv "$data/schema.sql" "$proj/data/" 2>/dev/null || cp "$data"/*.csv "$data/schema.sql" "$proj/data/"
    if [ -n "${VCD_MAX_ROWS:-}" ]; then
        printf '\nmax_rows = %s\n' "$VCD_MAX_ROWS" >> "$proj/vcd.toml"
    fi
    echo "$proj"
}

# ---- vcd build -------------------------------------------------------------------

# time_build PROJ: one `vcd build --no-cache` from no site; prints "SECONDS RSS_KB".
# A failed build returns its exit code (124 timed out, 137 killed, e.g. out of
# memory), with the tail of its stderr on fd 2. `time` wraps `timeout`, so a
# timed-out build leaves no process behind, and %M is the peak of the largest
# process of the two (vcd).
time_build() {
    local proj="$1" rc=0
    rm -rf "$proj/site"
    /usr/bin/time -o "$work/time" -f '%e %M' \
        timeout --kill-after=30 "$build_timeout" "$vcd" -C "$proj" build --no-cache \
        >/dev/null 2>"$work/build-stderr" || rc=$?
    if [ "$rc" -ne 0 ]; then
        sed 's/^/    /' <(tail -n 8 "$work/build-stderr") >&2
        tail -n 1 "$work/time"
        return "$rc"
    fi
    tail -n 1 "$work/time"
}

# ---- DuckDB alone ------------------------------------------------------------------

# duckdb_alone PROJ: seconds for DuckDB to load PROJ/data and run every query in
# PROJ/queries to its last row, as vcd loads it (src/source/duckdb/load.rs):
# schema.sql first, then each CSV in foreign-key order with the same COPY options
# into its declared table (CREATE TABLE AS read_csv for one schema.sql does not
# declare), in the time zone of vcd.toml. DuckDB keeps its default threads (one
# per core): the budget compares vcd with what the engine itself does on this
# machine (vcd runs its queries side by side, one thread each, for
# deterministic bytes; that choice is part of what is measured).
# Prints "SECONDS ROWS" (rows fetched in all, a check against the site).
duckdb_alone() {
    timeout --kill-after=30 "$build_timeout" "$py" - "$1" <<'PY'
import csv, glob, os, sys, time, tomllib
import duckdb

proj = sys.argv[1]
data = os.path.join(proj, "data")
with open(os.path.join(proj, "vcd.toml"), "rb") as f:
    zone = tomllib.load(f).get("timezone", "UTC")
queries = [open(q, encoding="utf-8").read() for q in sorted(glob.glob(os.path.join(proj, "queries", "*.sql")))]
csv_options = "header = true, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false"
lit = lambda s: "'" + s.replace("'", "''") + "'"
ident = lambda s: '"' + s.replace('"', '""') + '"'

t0 = time.perf_counter()
con = duckdb.connect(":memory:")
con.execute(f"SET TimeZone = {lit(zone)}")
schema = os.path.join(data, "schema.sql")
if os.path.isfile(schema):
    con.execute(open(schema, encoding="utf-8").read())
files = {os.path.splitext(os.path.basename(p))[0]: p for p in glob.glob(os.path.join(data, "*.csv"))}
declared = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
deps = {t: set() for t in files}
for frm, to in con.execute("SELECT table_name, referenced_table FROM duckdb_constraints() "
                           "WHERE constraint_type = 'FOREIGN KEY'").fetchall():
    if frm in deps and to in deps and frm != to:
        deps[frm].add(to)
done = []
while len(done) < len(deps):
    ready = sorted(t for t, d in deps.items() if t not in done and d <= set(done))
    done += ready or sorted(t for t in deps if t not in done)
for table in done:
    path = files[table]
    if table in declared:
        with open(path, encoding="utf-8") as f:
            cols = ", ".join(ident(c) for c in next(csv.reader(f)))
        con.execute(f"COPY {ident(table)} ({cols}) FROM {lit(path)} (FORMAT csv, HEADER true, DELIMITER ',', "
                    "QUOTE '\"', ESCAPE '\"', ALLOW_QUOTED_NULLS false)")
    else:
        con.execute(f"CREATE TABLE {ident(table)} AS SELECT * FROM read_csv({lit(path)}, {csv_options})")
rows = 0
for sql in queries:
    rows += con.sql(sql).to_arrow_table().num_rows
print(f"{time.perf_counter() - t0:.3f} {rows}")
PY
}

# ---- Pages ---------------------------------------------------------------------------

# Dashboard pages: every pages/**/*.md whose name has no [parameter]
# (index.md is its folder's page), as the URLs vcd gives them.
dashboard_pages() {
    (cd pages && find . -name '*.md' ! -name '*\[*' | sort) | sed -E 's#^\./##; s#\.md$#/#; s#(^|/)index/$#\1#; s#^#/#'
}

# Per-row page folders: the folder of each pages/**/[param].md (posts, markets).
row_page_dirs() {
    (cd pages && find . -name '\[*\].md' | sort) | sed -E 's|^\./||; s|/?\[[^]]*\]\.md$||'
}

# sample_rows SITE DIR: up to 5 row pages of SITE/DIR (first, quartiles, last, by key).
sample_rows() {
    local names
    mapfile -t names < <(find "$1/$2" -mindepth 1 -maxdepth 1 -type d -printf '%f\n' | sort -V)
    local n="${#names[@]}"
    [ "$n" -gt 0 ] || return 0
    printf '/%s/%s/\n' "$2" "${names[0]}" "$2" "${names[n / 4]}" "$2" "${names[n / 2]}" \
        "$2" "${names[3 * n / 4]}" "$2" "${names[n - 1]}" | awk '!seen[$0]++'
}

# heaviest SITE PAGE...: "BYTES PAGE" of the heaviest page, from pageweight.py
# (gzip -6 of every file a headless Chromium requested on first load).
heaviest() {
    local site="$1"; shift
    if ! timeout 1800 python3 "$pageweight" "$site" "$@" > "$work/weights" 2>&1; then
        sed 's/^/    /' "$work/weights" | tail -n 5 >&2
        echo "- failed"
        return 0
    fi
    sed 's/^/    /' "$work/weights" | grep -v '^    max' >&2
    awk '$1 == "max" {print $2, $3}' "$work/weights"
}

# ---- Filter redraw ---------------------------------------------------------------------

# filter_redraw SITE PAGE: median ms from changing the platform dropdown to the
# page having redrawn, over 20 changes cycling through its options, after two
# unmeasured ones (JIT, first-use caches). Redrawn = window.vcd.ready (every
# chart, table and KPI of the change) resolved, then one frame painted.
# Driver: Python's standard library talking the DevTools protocol to Chromium
# over --remote-debugging-pipe, as the project's browser tests do: no port to
# find, no WebSocket client or npm package to install; the site is served
# in-process, like pageweight.py does.
filter_redraw() {
    timeout 1800 python3 - "$1" "$2" "$redraws" <<'PY'
import fcntl, functools, http.server, json, os, select, shutil, socketserver, statistics, subprocess, sys, tempfile, threading, time

site, page, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])

class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *a):
        pass
srv = Server(("127.0.0.1", 0), functools.partial(Quiet, directory=site))
threading.Thread(target=srv.serve_forever, daemon=True).start()

# Chromium reads commands from its fd 3 and writes replies to fd 4, each a
# JSON text ended by a NUL byte. The pipe ends go above 10 first so that
# placing them at 3 and 4 in the child cannot overwrite one with the other.
cmd_r, cmd_w = os.pipe()
out_r, out_w = os.pipe()
hi_r, hi_w = (fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (cmd_r, out_w))
profile = tempfile.mkdtemp()
chrome = subprocess.Popen(
    ["/usr/bin/chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
     "--disable-background-networking", "--disable-component-update", "--disable-sync",
     "--disable-dev-shm-usage", "--remote-debugging-pipe", f"--user-data-dir={profile}",
     "--window-size=1280,2000", "about:blank"],
    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=False,
    preexec_fn=lambda: (os.dup2(hi_r, 3), os.dup2(hi_w, 4)), start_new_session=True)
for fd in (cmd_r, out_w, hi_r, hi_w):
    os.close(fd)

buf, next_id = b"", 0
def call(method, params=None, session=None, timeout=600):
    global buf, next_id
    next_id += 1
    msg = {"id": next_id, "method": method, "params": params or {}}
    if session:
        msg["sessionId"] = session
    os.write(cmd_w, json.dumps(msg).encode() + b"\0")
    deadline = time.monotonic() + timeout
    while True:
        while b"\0" in buf:
            raw, buf = buf.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]
        if not select.select([out_r], [], [], max(0, deadline - time.monotonic()))[0]:
            raise TimeoutError(method)
        chunk = os.read(out_r, 1 << 20)
        if not chunk:
            raise RuntimeError("Chromium closed the pipe")
        buf += chunk

def js(session, expr, timeout=600):
    r = call("Runtime.evaluate", {"expression": expr, "awaitPromise": True, "returnByValue": True},
             session, timeout)
    if "exceptionDetails" in r:
        raise RuntimeError(r["exceptionDetails"].get("exception", {}).get("description", expr))
    return r["result"].get("value")

REDRAW = """(async () => {
  const sel = document.querySelector('select[data-input="platform"]');
  if (!sel) throw new Error('no <select data-input="platform"> on this page');
  const t0 = performance.now();
  sel.selectedIndex = (sel.selectedIndex + 1) % sel.options.length;
  sel.dispatchEvent(new Event('change', {bubbles: true}));
  await window.vcd.ready;
  await new Promise(r => requestAnimationFrame(() => setTimeout(r, 0)));
  return performance.now() - t0;
})()"""

try:
    target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    call("Page.navigate", {"url": f"http://127.0.0.1:{srv.server_address[1]}{page}"}, session)
    # Loaded: the runtime is up and its first drawing (window.vcd.ready) is done.
    deadline = time.monotonic() + 600
    while True:
        try:
            if js(session, "document.readyState === 'complete' && !!(window.vcd && window.vcd.ready)", 10):
                break
        except RuntimeError:
            pass  # the context went away mid-navigation
        if time.monotonic() > deadline:
            raise TimeoutError("page load")
        time.sleep(0.1)
    js(session, "window.vcd.ready.then(() => true)")
    times = [js(session, REDRAW) for _ in range(runs + 2)][2:]
    print(f"{statistics.median(times):.1f}")
    print(f"    redraw ms: min {min(times):.1f}, median {statistics.median(times):.1f}, max {max(times):.1f}",
          file=sys.stderr)
finally:
    os.killpg(chrome.pid, 9)
    chrome.wait()
    shutil.rmtree(profile, ignore_errors=True)
    srv.shutdown()
PY
}

# ---- One size -------------------------------------------------------------------------------

declare -A r_build r_rss r_duck r_ratio r_dash r_post r_redraw

# why EXIT_CODE: what an exit code of timeout(1) says, if anything.
why() {
    case "$1" in
        124) echo " (timed out after ${build_timeout} s)" ;;
        137) echo " (killed: out of memory?)" ;;
    esac
}
over() { awk -v v="$1" -v b="$2" 'BEGIN {exit !(v + 0 > b + 0)}'; }
mark() { if over "$1" "$2"; then echo "$3 *"; else echo "$3"; fi; }

bench_size() {
    local n="$1" proj runs builds=() rss=0 ducks=()
    runs="${RUNS:-$([ "$n" -lt 1000000 ] && echo 3 || echo 1)}"
    echo "== $n posts"
    proj="$(make_project "$n")" || { echo "  FAILED to generate the data"; r_build[$n]="no data"; return 0; }
    # vcd and DuckDB alternate, so load from other work on the machine falls on
    # both. After a failed build DuckDB alone still runs once, for the table.
    local i out rc failed=""
    for i in $(seq "$runs"); do
        rc=0
        out="$(time_build "$proj")" || rc=$?
        [[ "$out" =~ ^[0-9.]+\ [0-9]+$ ]] || out="? 0"   # time(1) said nothing usable
        if [ "$rc" -ne 0 ]; then
            echo "  build $i FAILED after ${out% *} s (peak RSS $((${out#* } / 1024)) MB): exit $rc$(why "$rc")"
            if grep -q max_rows "$work/build-stderr"; then
                echo "  (a query returns more than max_rows: VCD_MAX_ROWS=N raises it in the copy's vcd.toml)"
            fi
            r_build[$n]="failed ($rc)"
            failed=1
        else
            builds+=("${out% *}")
            if [ "${out#* }" -gt "$rss" ]; then rss="${out#* }"; fi
            echo "  build $i: ${out% *} s, peak RSS $((${out#* } / 1024)) MB"
        fi
        rc=0
        out="$(duckdb_alone "$proj")" || rc=$?
        if [ "$rc" -ne 0 ]; then echo "  DuckDB alone FAILED: exit $rc$(why "$rc")"; break; fi
        ducks+=("${out% *}")
        echo "  DuckDB alone $i: ${out% *} s (${out#* } rows fetched)"
        if [ -n "$failed" ]; then break; fi
    done
    [ "${#ducks[@]}" -gt 0 ] && r_duck[$n]="$(printf '%s\n' "${ducks[@]}" | median)"
    if [ "${#builds[@]}" -eq "$runs" ] && [ "${#ducks[@]}" -eq "$runs" ]; then
        r_build[$n]="$(printf '%s\n' "${builds[@]}" | median)"
        r_rss[$n]=$((rss / 1024))
        r_ratio[$n]="$(awk -v a="${r_build[$n]}" -v b="${r_duck[$n]}" 'BEGIN {printf "%.2f", a / b}')"
        echo "  median build ${r_build[$n]} s / DuckDB alone ${r_duck[$n]} s = ratio ${r_ratio[$n]} (budget $budget_ratio)"
    fi
    [ -f "$proj/site/index.html" ] || { echo "  no site: no page figures"; return 0; }

    local dash post dir pages=()
    mapfile -t pages < <(dashboard_pages)
    echo "  page weights, dashboards (gzipped bytes, page, files):"
    dash="$(heaviest "$proj/site" "${pages[@]}")"
    r_dash[$n]="$dash"
    while read -r dir; do
        mapfile -t pages < <(sample_rows "$proj/site" "$dir")
        if [ -z "$dir" ] || [ "${#pages[@]}" -eq 0 ]; then continue; fi
        echo "  page weights, a sample of /$dir/ pages:"
        post="$(heaviest "$proj/site" "${pages[@]}")"
        if [ "$dir" = posts ]; then r_post[$n]="$post"; fi
    done < <(row_page_dirs)
    echo "  heaviest dashboard page: ${r_dash[$n]}; heaviest post page: ${r_post[$n]:--}"

    # The heaviest dashboard page by default (its name is in the table).
    local page ms slowest=""
    pages=()
    [ "${dash%% *}" = "-" ] || read -r -a pages <<< "${REDRAW_PAGES:-${dash#* }}"
    for page in "${pages[@]}"; do
        echo "  filter redraw on $page:"
        ms="$(filter_redraw "$proj/site" "$page")" || ms="failed"
        if [ -z "$slowest" ] || { [ "$ms" != failed ] && over "$ms" "${slowest%% *}"; }; then slowest="$ms ($page)"; fi
    done
    r_redraw[$n]="${slowest:--}"
    rm -rf "$proj"
}

# Other work on the machine slows everything here: the load average says how much.
load="$(cut -d' ' -f1 /proc/loadavg)"
setup_python
gen_key="$(generator_key)"
echo "vcd: $vcd ($("$vcd" --version)); DuckDB alone: Python duckdb $("$py" -c 'import duckdb; print(duckdb.__version__)'); generator $gen_key"
for n in "${sizes[@]}"; do
    bench_size "$n"
done

# ---- The table -------------------------------------------------------------------------------

kb() { awk -v b="$1" 'BEGIN {printf "%.0f", b / 1024}'; }
echo
echo "vcd at scale, $(nproc) cores, $(free -g | awk '/^Mem/ {print $2}') GB, load average at start $load; * = over the issue's budget"
echo "(peak RSS <= $budget_rss_mb MB, ratio <= $budget_ratio, pages <= $((budget_page / 1024)) KB gz, redraw <= $budget_redraw_ms ms)"
row() { printf '| %9s | %12s | %11s | %14s | %7s | %-28s | %-28s | %-26s |\n' "$@"; }
row posts "build s" "peak RSS MB" "DuckDB alone s" ratio "largest dashboard KB gz" "largest post page KB gz" "redraw ms, median of $redraws"
row --------: -----------: ----------: -------------: ------: ---------------------------- ---------------------------- --------------------------
for n in "${sizes[@]}"; do
    dash="${r_dash[$n]:--}" post="${r_post[$n]:--}"
    [ "${dash%% *}" = "-" ] || dash="$(mark "${dash%% *}" "$budget_page" "$(kb "${dash%% *}") (${dash#* })")"
    [ "${post%% *}" = "-" ] || post="$(mark "${post%% *}" "$budget_page" "$(kb "${post%% *}") (${post#* })")"
    rss="${r_rss[$n]:--}"; [ "$rss" = "-" ] || rss="$(mark "$rss" "$budget_rss_mb" "$rss")"
    ratio="${r_ratio[$n]:--}"; [ "$ratio" = "-" ] || ratio="$(mark "$ratio" "$budget_ratio" "$ratio")"
    redraw="${r_redraw[$n]:--}"
    case "$redraw" in -|failed*) ;; *) redraw="$(mark "${redraw%% *}" "$budget_redraw_ms" "$redraw")" ;; esac
    row "$n" "${r_build[$n]:--}" "$rss" "${r_duck[$n]:--}" "$ratio" "$dash" "$post" "$redraw"
done
