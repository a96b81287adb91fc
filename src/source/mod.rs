//! Query sources: the engines that run `queries/*.sql` and hand back JSON-ready rows.

pub mod csvfile;
pub mod deadline;
pub mod duckdb;
pub mod postgres;
pub mod staged;
pub mod value;
pub mod zoned;

use crate::source::value::{Column, QueryResult};
use serde_json::Value as Json;
use std::time::Duration;

/// An engine's error for one statement, with the position it points at when it gives one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlError {
    pub message: String,
    /// 1-based line and column within the SQL text that was run.
    pub position: Option<(usize, Option<usize>)>,
}

impl SqlError {
    /// A statement stopped by Ctrl-C, or by a newer change in `vcd serve`.
    pub fn cancelled() -> SqlError {
        SqlError { message: crate::util::interrupt::CANCELLED.into(), position: None }
    }

    /// A statement stopped at its time limit ([`deadline::exceeded`]).
    pub fn past(limit: Duration) -> SqlError {
        SqlError { message: deadline::exceeded(limit), position: None }
    }
}

/// Takes each row of a streamed result (its values in column order, zoned
/// timestamps already in the project's zone) with the result's columns;
/// returns whether it wants more rows.
pub type Visit<'a> = dyn FnMut(&[Column], Vec<Json>) -> bool + 'a;

/// A result read up to a limit: its rows, or, when it has more, only its columns.
#[derive(Debug)]
pub enum Limited {
    Within(QueryResult),
    Over(Vec<Column>),
}

impl Limited {
    /// `result` judged against `max_rows` (a result read from the cache, say).
    pub fn of(result: QueryResult, max_rows: usize) -> Limited {
        if result.rows.len() > max_rows {
            Limited::Over(result.columns)
        } else {
            Limited::Within(result)
        }
    }

    pub fn columns(&self) -> &[Column] {
        match self {
            Limited::Within(r) => &r.columns,
            Limited::Over(columns) => columns,
        }
    }
}

/// Something that can run read-only SQL. Implementations must allow calls from
/// several threads at once, since queries run in parallel.
pub trait Source: Sync {
    /// Runs `sql`, binding `params` to its positional placeholders (`$1`, `$2`, …),
    /// and hands its rows to `visit` one by one, in the result's order, until
    /// `visit` returns `false` or the rows end. Returns the result's columns.
    /// The engine makes rows as they are fetched (DuckDB's streaming result;
    /// a PostgreSQL portal read in rounds), so neither a huge result nor its
    /// unread rest is ever held whole.
    ///
    /// With a `timeout`, the engine cancels the statement once it has run
    /// that long (PostgreSQL's `statement_timeout` and cancel request,
    /// DuckDB's interrupt) and the error says so ([`deadline::exceeded`]).
    fn stream(
        &self,
        sql: &str,
        params: &[Json],
        timeout: Option<Duration>,
        visit: &mut Visit,
    ) -> Result<Vec<Column>, SqlError>;

    /// Keeps the result of `sql` (no parameters) in the engine as a table
    /// named `name`, replacing any kept before under that name, for later
    /// statements to read many times over (`SELECT … FROM name`) instead of
    /// running `sql` each time. Returns whether it did: `false` where the
    /// engine keeps nothing (PostgreSQL, whose session vcd keeps read-only).
    fn keep(&self, _name: &str, _sql: &str, _timeout: Option<Duration>) -> Result<bool, SqlError> {
        Ok(false)
    }

    /// Runs `sql` like [`Source::stream`] and returns at most `limit` rows.
    /// The engine stops producing rows there, so a result far bigger than
    /// `limit` costs about `limit` rows of time and memory (callers pass
    /// `max_rows + 1` to tell "over the limit" from "at it"). No time limit.
    fn run(&self, sql: &str, params: &[Json], limit: usize) -> Result<QueryResult, SqlError> {
        let mut rows = Vec::new();
        let columns = self.stream(sql, params, None, &mut |_, row| {
            if rows.len() < limit {
                rows.push(row);
            }
            rows.len() < limit
        })?;
        Ok(QueryResult { columns, rows })
    }

    /// Runs `sql` like [`Source::stream`] and returns its rows if it has at
    /// most `max_rows` of them, or else only its columns. The engine stops
    /// one row past the limit; rows past the first [`staged::AS_VALUES`] are
    /// held as text until the end shows whether they are kept
    /// ([`staged::Staged`]).
    fn run_within(
        &self,
        sql: &str,
        params: &[Json],
        max_rows: usize,
        timeout: Option<Duration>,
    ) -> Result<Limited, SqlError> {
        let mut rows = staged::Staged::new(staged::AS_VALUES);
        let columns = self.stream(sql, params, timeout, &mut |_, row| {
            rows.push(row);
            rows.len() <= max_rows
        })?;
        Ok(if rows.len() > max_rows {
            Limited::Over(columns)
        } else {
            Limited::Within(QueryResult { columns, rows: rows.into_rows() })
        })
    }
}

/// A double-quoted SQL identifier, valid in both engines.
pub fn sql_ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
