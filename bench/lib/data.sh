# Sourced by the benchmarks: the demo's data at N posts, cached across runs.
# Needs $vcd (the binary), $root (the repository), $work (a scratch folder)
# and $cache (~/.cache/vcd).

# What the generator writes, as a short hash of a 100-post data set (0.1 s): a
# changed generator gets fresh cached data without the cache needing a version.
generator_key() {
    "$vcd" -C "$root" generate --posts 100 --out "$work/key" >/dev/null 2>&1
    cat "$work/key"/*.csv | sha256sum | cut -c1-12
}

# data_dir N: a folder holding the N-post data, generated once per generator.
# `vcd generate` writes the CSVs only, so the repository's schema.sql joins them
# (the demo's data/ is that schema plus generate's default output).
data_dir() {
    local n="$1" dir="$cache/bench-data/$gen_key/$1"
    if [ ! -f "$dir/.done" ]; then
        rm -rf "$dir" && mkdir -p "$dir"
        echo "  generating $n posts into $dir" >&2
        # It reports each file on stderr: kept for a failure only.
        "$vcd" -C "$root" generate --posts "$n" --out "$dir" >/dev/null 2>"$work/gen-stderr" ||
            { cat "$work/gen-stderr" >&2; return 1; }
        cp "$root/data/schema.sql" "$dir/"
        touch "$dir/.done"
    fi
    echo "$dir"
}
