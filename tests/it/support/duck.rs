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

/// How many rows the project's query `name` (`queries/<name>.sql`) returns
/// over its `data/`, counted by DuckDB independently of any build.
pub fn row_count(project: &std::path::Path, name: &str) -> usize {
    use vcd::source::Source;
    let db = open(&project.join("data"));
    let sql = std::fs::read_to_string(project.join(format!("queries/{name}.sql"))).unwrap();
    let count = format!("SELECT count(*) AS n FROM ({})", sql.trim().trim_end_matches(';'));
    let result = db.run(&count, &[], 2).unwrap_or_else(|e| panic!("{}\n{count}", e.message));
    result.rows[0][0].as_u64().unwrap() as usize
}
