//! DuckDB over a folder of data files, as vcd opens it, for the SQL a test
//! writes itself to check what a build shows.

use vcd::source::duckdb::DuckSource;
use vcd::util::diag::Diagnostics;

/// The tables of `dir` (its `schema.sql` and data files) with vcd's default
/// settings: UTC, 1 GB of memory. Panics on a file that does not load.
pub fn open(dir: &std::path::Path) -> DuckSource {
    let diags = Diagnostics::default();
    let source = DuckSource::open(dir, Default::default(), 1_000_000_000, &|x| x.to_path_buf(), &diags).unwrap();
    let problems = diags.into_sorted();
    assert!(problems.is_empty(), "{problems:?}");
    source
}
