//! Offline source: an in-memory DuckDB loaded from the files in `data/`.

use super::{sql_ident, Source, SqlError};
use crate::diag::{Diagnostic, Diagnostics};
use crate::value::{self, Column, QueryResult};
use duckdb::types::{TimeUnit, Value};
use duckdb::Connection;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// File extensions loaded as tables, and the DuckDB reader for each.
const READERS: &[(&str, &str)] = &[("csv", "read_csv"), ("parquet", "read_parquet"), ("json", "read_json_auto")];

/// CSV dialect: RFC 4180 with a header row; an unquoted empty field is NULL and
/// a quoted empty field ("") is an empty string, as in PostgreSQL's COPY.
const CSV_OPTIONS: &str = "header = true, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false";

pub struct DuckSource {
    /// Connections are not `Sync`; each query borrows one from this pool and
    /// new ones are cloned from the first, sharing the same in-memory database.
    pool: Mutex<Vec<Connection>>,
    base: Mutex<Connection>,
}

impl DuckSource {
    /// Opens an in-memory database and loads `data/`. Problems with individual
    /// files are reported to `diags`; the tables that did load stay usable.
    pub fn open(
        data_dir: &Path,
        display: &dyn Fn(&Path) -> PathBuf,
        diags: &Diagnostics,
    ) -> anyhow::Result<DuckSource> {
        let conn = Connection::open_in_memory()?;
        let loader = Loader { conn: &conn, display, diags };
        loader.load_dir(data_dir);
        Ok(DuckSource { pool: Mutex::new(Vec::new()), base: Mutex::new(conn) })
    }

    fn checkout(&self) -> Result<Connection, SqlError> {
        if let Some(c) = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(c);
        }
        let base = self.base.lock().unwrap_or_else(|e| e.into_inner());
        base.try_clone().map_err(|e| SqlError { message: e.to_string(), position: None })
    }
}

impl Source for DuckSource {
    fn run(&self, sql: &str, params: &[Json]) -> Result<QueryResult, SqlError> {
        let conn = self.checkout()?;
        let result = run_on(&conn, sql, params);
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
        result
    }
}

fn run_on(conn: &Connection, sql: &str, params: &[Json]) -> Result<QueryResult, SqlError> {
    let err = |e: duckdb::Error| sql_error(&e.to_string(), sql);
    let mut stmt = conn.prepare(sql).map_err(err)?;
    let mut rows = stmt.query(duckdb::params_from_iter(params.iter().map(to_param))).map_err(err)?;
    let stmt = rows.as_ref().expect("rows come from a statement");
    let columns: Vec<Column> = (0..stmt.column_count())
        .map(|i| Column {
            name: stmt.column_name(i).cloned().unwrap_or_default(),
            sql_type: format!("{}", stmt.column_type(i)),
        })
        .collect();
    let hints: Vec<Hint> = (0..columns.len()).map(|i| hint(stmt, i)).collect();
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        let mut values = Vec::with_capacity(columns.len());
        for (i, hint) in hints.iter().enumerate() {
            let v: Value = row.get(i).map_err(err)?;
            values.push(to_json(v, *hint));
        }
        out.push(values);
    }
    Ok(QueryResult { columns, rows: out })
}

/// A bound parameter; DuckDB casts it to the type the statement expects.
fn to_param(v: &Json) -> Value {
    match v {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Boolean(*b),
        Json::Number(n) => n.as_i64().map_or_else(|| Value::Double(n.as_f64().unwrap_or(f64::NAN)), Value::BigInt),
        Json::String(s) => Value::Text(s.clone()),
        other => Value::Text(other.to_string()),
    }
}

/// What a column's declared type adds to its values: a time zone, or JSON text to parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Hint {
    Plain,
    /// TIMESTAMPTZ: the instant is written in UTC with a `Z`.
    Utc,
    /// DuckDB's JSON type arrives as text; it becomes the JSON value it holds, as in PostgreSQL.
    Json,
}

fn hint(stmt: &duckdb::Statement, i: usize) -> Hint {
    if matches!(stmt.column_type(i), duckdb::arrow::datatypes::DataType::Timestamp(_, Some(_))) {
        return Hint::Utc;
    }
    match stmt.column_logical_type(i).get_alias() {
        Some(alias) if alias.eq_ignore_ascii_case("json") => Hint::Json,
        _ => Hint::Plain,
    }
}

/// DuckDB's value model mapped onto the shared JSON rules in [`crate::value`].
fn to_json(v: Value, hint: Hint) -> Json {
    let utc = hint == Hint::Utc;
    match v {
        Value::Null => Json::Null,
        Value::Boolean(b) => Json::Bool(b),
        Value::TinyInt(i) => Json::from(i),
        Value::SmallInt(i) => Json::from(i),
        Value::Int(i) => Json::from(i),
        Value::BigInt(i) => value::integer(i.into()),
        Value::HugeInt(i) => value::integer(i),
        Value::UTinyInt(i) => Json::from(i),
        Value::USmallInt(i) => Json::from(i),
        Value::UInt(i) => Json::from(i),
        Value::UBigInt(i) => value::unsigned(i.into()),
        Value::UHugeInt(i) => value::unsigned(i),
        Value::Float(f) => value::float(f.into()),
        Value::Double(f) => value::float(f),
        Value::Decimal(d) => value::decimal_text(&d.to_string()),
        Value::Timestamp(unit, t) => value::timestamp_from_micros(to_micros(unit, t), utc),
        Value::Date32(days) => value::date_from_days(days.into()),
        Value::Time64(unit, t) => value::time_from_micros(to_micros(unit, t)),
        Value::Interval { months, days, nanos } => value::interval(months.into(), days.into(), nanos / 1000),
        Value::Text(s) if hint == Hint::Json => serde_json::from_str(&s).unwrap_or(Json::String(s)),
        Value::Text(s) | Value::Enum(s) => Json::String(s),
        Value::Blob(b) | Value::Geometry(b) => value::bytes(&b),
        Value::List(items) | Value::Array(items) => Json::Array(items.into_iter().map(|v| to_json(v, hint)).collect()),
        Value::Struct(fields) => {
            Json::Object(fields.iter().map(|(k, v)| (k.clone(), to_json(v.clone(), hint))).collect())
        }
        Value::Map(entries) => Json::Object(
            entries
                .iter()
                .map(|(k, v)| {
                    let key = match to_json(k.clone(), hint) {
                        Json::String(s) => s,
                        other => other.to_string(),
                    };
                    (key, to_json(v.clone(), hint))
                })
                .collect(),
        ),
        Value::Union(inner) => to_json(*inner, hint),
        // The enum is non-exhaustive; the pinned DuckDB has no other variants.
        _ => Json::Null,
    }
}

fn to_micros(unit: TimeUnit, t: i64) -> i64 {
    match unit {
        TimeUnit::Second => t.saturating_mul(1_000_000),
        TimeUnit::Millisecond => t.saturating_mul(1000),
        TimeUnit::Microsecond => t,
        TimeUnit::Nanosecond => t / 1000,
    }
}

/// Splits DuckDB's error text into the message and the position of its
/// `LINE n: ...` excerpt, whose caret marks the column.
pub fn sql_error(raw: &str, sql: &str) -> SqlError {
    let mut message_lines = Vec::new();
    let mut position = None;
    let mut lines = raw.lines().peekable();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("LINE ") {
            if let Some((num, context)) = rest.split_once(": ") {
                if let Ok(n) = num.trim().parse::<usize>() {
                    let caret = lines.peek().and_then(|l| l.find('^'));
                    let col = caret.and_then(|c| column_from_caret(sql, n, line, context, c));
                    position = Some((n, col));
                    if caret.is_some() {
                        lines.next();
                    }
                    continue;
                }
            }
        }
        message_lines.push(line);
    }
    while message_lines.last().is_some_and(|l| l.trim().is_empty()) {
        message_lines.pop();
    }
    SqlError { message: message_lines.join("\n"), position }
}

/// DuckDB prints a window of the line, possibly starting with "...": find that
/// window in the real line to turn the caret offset into a column.
fn column_from_caret(sql: &str, line_no: usize, excerpt_line: &str, context: &str, caret: usize) -> Option<usize> {
    let prefix_len = excerpt_line.len() - context.len();
    let offset_in_context = caret.checked_sub(prefix_len)?;
    let src_line = sql.lines().nth(line_no.checked_sub(1)?)?;
    let (shown, skipped) = match context.strip_prefix("...") {
        Some(rest) => (rest, 3),
        None => (context, 0),
    };
    let shown = shown.strip_suffix("...").unwrap_or(shown);
    let probe = &shown[..shown.len().min(20)];
    let start = if skipped == 0 { 0 } else { src_line.find(probe)? };
    Some(start + offset_in_context.checked_sub(skipped)? + 1)
}

/// Loads every data file into a table named after its stem.
struct Loader<'a> {
    conn: &'a Connection,
    display: &'a dyn Fn(&Path) -> PathBuf,
    diags: &'a Diagnostics,
}

impl Loader<'_> {
    fn load_dir(&self, dir: &Path) {
        let schema = dir.join("schema.sql");
        if schema.is_file() {
            self.run_schema(&schema);
        }
        let mut files: BTreeMap<String, PathBuf> = BTreeMap::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return,
            Err(e) => {
                return self.diags.push(Diagnostic::in_file((self.display)(dir), format!("cannot read folder: {e}")))
            }
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            if !READERS.iter().any(|(e, _)| *e == ext) {
                continue;
            }
            let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else { continue };
            if let Some(other) = files.insert(stem.to_string(), path.clone()) {
                self.diags.push(Diagnostic::in_file(
                    (self.display)(&path),
                    format!(
                        "two data files would both become table '{stem}' (also {})",
                        (self.display)(&other).display()
                    ),
                ));
            }
        }
        for table in self.load_order(files.keys().cloned().collect()) {
            self.load_file(&table, &files[&table]);
        }
    }

    fn run_schema(&self, path: &Path) {
        let shown = (self.display)(path);
        let sql = match std::fs::read_to_string(path) {
            Ok(s) => s,
            Err(e) => return self.diags.push(Diagnostic::in_file(shown, format!("cannot read: {e}"))),
        };
        if let Err(e) = self.conn.execute_batch(&sql) {
            let err = sql_error(&e.to_string(), &sql);
            let mut d = Diagnostic::in_file(&shown, err.message);
            if let Some((line, col)) = err.position {
                d = d.at(line, col);
            }
            self.diags.push(d);
        }
    }

    /// Tables in an order that satisfies the schema's foreign keys: referenced tables first.
    fn load_order(&self, tables: Vec<String>) -> Vec<String> {
        let mut deps: BTreeMap<String, BTreeSet<String>> =
            tables.iter().map(|t| (t.clone(), BTreeSet::new())).collect();
        let edges = self.conn.prepare(
            "SELECT table_name, referenced_table FROM duckdb_constraints() WHERE constraint_type = 'FOREIGN KEY'",
        );
        if let Ok(mut stmt) = edges {
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)));
            for (from, to) in rows.into_iter().flatten().flatten() {
                if from != to && deps.contains_key(&to) {
                    deps.entry(from).or_default().insert(to);
                }
            }
        }
        let mut order = Vec::new();
        let mut done = BTreeSet::new();
        while order.len() < tables.len() {
            let ready: Vec<String> = deps
                .iter()
                .filter(|(t, d)| !done.contains(*t) && d.iter().all(|x| done.contains(x)))
                .map(|(t, _)| t.clone())
                .collect();
            // A cycle cannot be ordered; load the rest alphabetically and let the engine report.
            let next =
                if ready.is_empty() { deps.keys().filter(|t| !done.contains(*t)).cloned().collect() } else { ready };
            for t in next {
                done.insert(t.clone());
                order.push(t);
            }
        }
        order
    }

    fn load_file(&self, table: &str, path: &Path) {
        let shown = (self.display)(path);
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let reader = READERS.iter().find(|(e, _)| *e == ext).map(|(_, r)| *r).unwrap_or("read_csv");
        let literal = sql_string(&path.to_string_lossy());
        let options = if ext == "csv" { format!(", {CSV_OPTIONS}") } else { String::new() };
        let exists = self.table_exists(table);
        let ident = sql_ident(table);
        let sql = match (exists, ext) {
            // A typed table from schema.sql: COPY parses each field as its column's
            // type and reports the CSV line of a bad value. Columns are named from the
            // header so the file's column order need not match the DDL.
            (true, "csv") => match crate::csvfile::header(path) {
                Ok(cols) => {
                    let cols: Vec<String> = cols.iter().map(|c| sql_ident(c)).collect();
                    format!(
                        "COPY {ident} ({}) FROM {literal} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', ALLOW_QUOTED_NULLS false)",
                        cols.join(", ")
                    )
                }
                Err(e) => return self.diags.push(Diagnostic::in_file(shown, format!("cannot read: {e}"))),
            },
            (true, _) => format!("INSERT INTO {ident} BY NAME SELECT * FROM {reader}({literal})"),
            (false, _) => format!("CREATE TABLE {ident} AS SELECT * FROM {reader}({literal}{options})"),
        };
        if let Err(e) = self.conn.execute_batch(&sql) {
            let mut d = data_error(&shown, &e.to_string());
            // DuckDB's sniffer reports a ragged file without a line; find it ourselves.
            if d.line.is_none() && ext == "csv" {
                if let Ok(Some((line, expected, found))) = crate::csvfile::shape_error(path) {
                    d = Diagnostic::in_file(
                        &shown,
                        format!("expected {expected} fields as in the header, found {found}"),
                    )
                    .at(line, None);
                }
            }
            self.diags.push(d);
        }
    }

    fn table_exists(&self, table: &str) -> bool {
        self.conn
            .query_row("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n > 0)
            .unwrap_or(false)
    }
}

/// A loading error, located at the data file's line when DuckDB names one.
fn data_error(file: &Path, raw: &str) -> Diagnostic {
    let line = raw
        .split("Line: ")
        .nth(1)
        .or_else(|| raw.split("line ").nth(1))
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<usize>().ok());
    let mut lines = raw.lines();
    let message = lines.next().unwrap_or(raw).to_string();
    let detail: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).take(6).collect();
    let d = Diagnostic::in_file(file, message).with_detail(detail.join("\n"));
    match line {
        Some(n) => d.at(n, None),
        None => d,
    }
}

/// A single-quoted SQL string literal (for file paths, which cannot be bound in DDL).
pub fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parser_error_position_is_mapped_to_line_and_column() {
        let sql = "SELECT a,\n  b FORM t";
        let raw = "Parser Error: syntax error at or near \"t\"\n\nLINE 2:   b FORM t\n                 ^";
        let e = sql_error(raw, sql);
        assert_eq!(e.message, "Parser Error: syntax error at or near \"t\"");
        assert_eq!(e.position, Some((2, Some(10))));
    }
}
