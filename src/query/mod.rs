//! Queries: one `queries/<name>.sql` file each, and how one runs against a source
//! (the runner runs many in parallel, from the cache where it can).

pub mod cache;
pub mod chunks;
pub mod directives;
pub mod memo;
pub mod params;
pub mod partition;
pub mod projection;
pub mod rollup;
pub mod runner;
pub mod sparks;
pub mod spill;
pub mod unheld;

use crate::source::value::QueryResult;
use crate::source::{Limited, Source};
use crate::util::diag::{Diagnostic, Diagnostics};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// A query file as found on disk.
#[derive(Debug, Clone)]
pub struct QueryFile {
    pub name: String,
    /// Path relative to the project root, for messages.
    pub path: PathBuf,
    pub sql: String,
    /// The SQL as run, with `$name` parameters made positional (see [`crate::query::params`]).
    pub run_sql: String,
    /// Named parameters, in the order they are bound.
    pub params: Vec<String>,
    /// How long the engine may run it (every statement made from it, rollups
    /// and chunks included): its `-- vcd: statement_timeout=…` line, else the
    /// build's `statement_timeout`; `None` for no limit.
    pub timeout: Option<Duration>,
}

impl QueryFile {
    pub fn new(name: String, path: PathBuf, sql: String) -> QueryFile {
        let p = crate::query::params::parse(&sql);
        QueryFile { name, path, sql, run_sql: p.sql, params: p.names, timeout: None }
    }

    /// A query file from disk: [`QueryFile::new`] with the settings of its
    /// `-- vcd:` lines ([`directives`]), `default_timeout` where it sets none.
    ///
    /// Errors: a bad `-- vcd:` line, as a diagnostic at its line.
    pub fn read(
        name: String,
        path: PathBuf,
        sql: String,
        default_timeout: Option<Duration>,
    ) -> Result<QueryFile, Diagnostic> {
        let set = directives::parse(&sql).map_err(|(line, m)| Diagnostic::in_file(&path, m).at(line, None))?;
        let mut q = QueryFile::new(name, path, sql);
        q.timeout = set.statement_timeout.unwrap_or(default_timeout);
        Ok(q)
    }

    /// The text the cache keys a result by: the SQL and, for a variant, its bound values.
    pub fn cache_key(&self, bindings: &[serde_json::Value]) -> String {
        if bindings.iter().all(serde_json::Value::is_null) {
            return self.sql.clone();
        }
        format!("{}\n-- vcd parameters: {}", self.sql, serde_json::Value::from(bindings.to_vec()))
    }
}

/// Results by query name; a query that failed is absent (its error is in the diagnostics).
pub type Results = BTreeMap<String, Arc<QueryResult>>;

/// A query name must work as a template variable (`{{ top_posts }}`) and a file name.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Reads every `*.sql` directly under `dir`, sorted by name; a file with no
/// limit of its own gets `default_timeout` (the build's `statement_timeout`).
pub fn discover(dir: &Path, root: &Path, default_timeout: Option<Duration>, diags: &Diagnostics) -> Vec<QueryFile> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return out,
        Err(e) => {
            diags.push(Diagnostic::in_file("queries", format!("cannot read folder: {e}")));
            return out;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) != Some("sql") {
            continue;
        }
        let shown = path.strip_prefix(root).unwrap_or(&path).to_path_buf();
        let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("").to_string();
        if !is_valid_name(&name) {
            diags.push(Diagnostic::in_file(
                &shown,
                format!("query name '{name}' must start with a letter or _ and hold only letters, digits and _"),
            ));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(sql) if sql.trim().is_empty() => diags.push(Diagnostic::in_file(&shown, "query file is empty")),
            Ok(sql) => match QueryFile::read(name, shown, sql, default_timeout) {
                Ok(q) => out.push(q),
                Err(d) => diags.push(d),
            },
            Err(e) => diags.push(Diagnostic::in_file(&shown, format!("cannot read: {e}"))),
        }
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Runs one query with `bindings` for its parameters; missing ones bind NULL,
/// which is what an input's "all" choice binds.
pub fn run_one(
    q: &QueryFile,
    bindings: &[serde_json::Value],
    source: &dyn Source,
    max_rows: usize,
) -> Result<QueryResult, Diagnostic> {
    match run_unchecked(q, bindings, source, max_rows)? {
        Limited::Within(result) => {
            check_result(q, &result, max_rows)?;
            Ok(result)
        }
        Limited::Over(_) => Err(over_max_rows(q, max_rows)),
    }
}

/// [`run_one`] without [`check_result`]: a result over `max_rows` comes
/// back as its columns only ([`Source::run_within`]).
pub fn run_unchecked(
    q: &QueryFile,
    bindings: &[serde_json::Value],
    source: &dyn Source,
    max_rows: usize,
) -> Result<Limited, Diagnostic> {
    let mut bindings = bindings.to_vec();
    bindings.resize(q.params.len(), serde_json::Value::Null);
    source.run_within(&q.run_sql, &bindings, max_rows, q.timeout).map_err(|e| sql_diagnostic(q, e))
}

/// The engine's error for `q` as a diagnostic on its file, at the line and
/// column it points at.
pub fn sql_diagnostic(q: &QueryFile, e: crate::source::SqlError) -> Diagnostic {
    let d = Diagnostic::in_file(&q.path, e.message);
    match e.position {
        Some((line, col)) => {
            let excerpt = crate::util::diag::excerpt(&q.sql, line, col);
            d.at(line, col).with_detail(excerpt)
        }
        None => d,
    }
}

/// The error for a query whose result has more rows than `max_rows` allows.
pub fn over_max_rows(q: &QueryFile, max_rows: usize) -> Diagnostic {
    Diagnostic::in_file(
        &q.path,
        format!("query returns more than max_rows = {max_rows} rows; aggregate in SQL or raise max_rows in vcd.toml"),
    )
}

/// What every result must satisfy, whether just run or read from the cache.
/// A result just run stops at `max_rows + 1` rows, so the count past the
/// limit is not known and not given.
pub fn check_result(q: &QueryFile, result: &QueryResult, max_rows: usize) -> Result<(), Diagnostic> {
    if result.rows.len() > max_rows {
        return Err(over_max_rows(q, max_rows));
    }
    let mut seen = std::collections::BTreeSet::new();
    if let Some(dup) = result.column_names().find(|c| !seen.insert(*c)) {
        return Err(Diagnostic::in_file(
            &q.path,
            format!("query returns two columns named '{dup}'; give each column a distinct name with AS"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_must_be_identifiers() {
        assert!(is_valid_name("top_posts"));
        assert!(is_valid_name("_x1"));
        assert!(!is_valid_name("top-posts"));
        assert!(!is_valid_name("1st"));
        assert!(!is_valid_name(""));
    }
}
