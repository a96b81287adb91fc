//! Compiles DuckDB's icu extension against the headers of the DuckDB that
//! libduckdb-sys builds, with the same language level and build-type defines,
//! so the objects link into the same binary as one DuckDB.

use std::path::{Path, PathBuf};

/// The extension's sources, as its `CMakeLists.txt` lists them (`ICU_EXTENSION_FILES`).
const SOURCES: &[&str] = &[
    "collation/collation_collator.cpp",
    "collation/collation_loader.cpp",
    "collation/collation_normalizer.cpp",
    "collation/generated/collation_data.cpp",
    "datetime/astronomy.cpp",
    "datetime/calendar.cpp",
    "datetime/chinese.cpp",
    "datetime/coptic.cpp",
    "datetime/grego.cpp",
    "datetime/gregorian.cpp",
    "datetime/hebrew.cpp",
    "datetime/islamic.cpp",
    "datetime/japanese.cpp",
    "datetime/persian.cpp",
    "datetime/timezone.cpp",
    "datetime/tz_loader.cpp",
    "datetime/generated/tz_data.cpp",
    "icu_extension.cpp",
    "icu-current.cpp",
    "icu-dateadd.cpp",
    "icu-datefunc.cpp",
    "icu-datepart.cpp",
    "icu-datesub.cpp",
    "icu-datetrunc.cpp",
    "icu-makedate.cpp",
    "icu-list-range.cpp",
    "icu-table-range.cpp",
    "icu-strptime.cpp",
    "icu-timebucket.cpp",
    "icu-timezone.cpp",
];

fn main() {
    let duckdb_include = PathBuf::from(
        std::env::var("DEP_DUCKDB_INCLUDE").expect("libduckdb-sys publishes its include folder (bundled build)"),
    );
    // DuckDB's source root in libduckdb-sys's unpacked tarball: `<root>/src/include`.
    let duckdb_root = duckdb_include.parent().and_then(Path::parent).expect("include folder is <root>/src/include");
    let icu = Path::new("duckdb/extension/icu");

    let mut build = cc::Build::new();
    build
        .cpp(true)
        .std("c++17")
        .warnings(false)
        .flag_if_supported("-w")
        .include(&duckdb_include)
        .include(icu.join("include"))
        .include(icu.join("collation/include"))
        .include(icu.join("datetime/include"))
        .define("EXT_VERSION_ICU", "\"v2.0.0\"");
    // DuckDB's headers include its third-party libraries' headers (fmt, zstd…)
    // from the folders its own build uses, which its source manifest lists.
    for dir in base_include_dirs(&duckdb_root.join("manifest.json")) {
        build.include(duckdb_root.join(dir));
    }
    // libduckdb-sys defines exactly one of DEBUG and NDEBUG from the profile; the
    // extension must agree, since both change the layout of some DuckDB classes.
    let debug = std::env::var("DEBUG").is_ok_and(|v| v != "false" && v != "0");
    build.define(if debug { "DEBUG" } else { "NDEBUG" }, None);
    for file in SOURCES {
        build.file(icu.join(file));
    }
    build.file("src/describe.cpp");
    build.compile("duckdb_icu");

    println!("cargo:rerun-if-changed=duckdb/extension/icu");
    println!("cargo:rerun-if-env-changed=DEP_DUCKDB_INCLUDE");
    println!("cargo:rerun-if-changed=src/describe.cpp");
}

/// The include folders of DuckDB's base build, relative to its source root, from
/// the `manifest.json` that libduckdb-sys unpacks beside the sources
/// (`{"base": {"include_dirs": [...]}, ...}`).
fn base_include_dirs(manifest: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let json: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let dirs = json["base"]["include_dirs"].as_array().unwrap_or_else(|| panic!("{}: no base.include_dirs", manifest.display()));
    let mut dirs: Vec<String> = dirs.iter().filter_map(|d| d.as_str().map(str::to_owned)).collect();
    dirs.sort();
    dirs
}
