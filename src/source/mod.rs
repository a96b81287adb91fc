//! Query sources: the engines that run `queries/*.sql` and hand back JSON-ready rows.

pub mod csvfile;
pub mod duckdb;
pub mod postgres;
pub mod value;
pub mod zoned;

use crate::source::value::QueryResult;

/// An engine's error for one statement, with the position it points at when it gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub message: String,
    /// 1-based line and column within the SQL text that was run.
    pub position: Option<(usize, Option<usize>)>,
}

/// Something that can run read-only SQL. Implementations must allow calls from
/// several threads at once, since queries run in parallel.
pub trait Source: Sync {
    /// Runs `sql`, binding `params` to its positional placeholders (`$1`, `$2`, …),
    /// and returns at most `limit` rows. The engine stops producing rows there,
    /// so a result far bigger than `limit` costs about `limit` rows of time and
    /// memory (callers pass `max_rows + 1` to tell "over the limit" from "at it").
    fn run(&self, sql: &str, params: &[serde_json::Value], limit: usize) -> Result<QueryResult, SqlError>;
}

/// A double-quoted SQL identifier, valid in both engines.
pub fn sql_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
