//! Offline source: an in-memory DuckDB loaded from the files in `data/`.

use super::{sql_ident, Source, SqlError};
use crate::project::timezone::Zone;
use crate::source::value::{self, Column, QueryResult};
use crate::util::diag::{Diagnostic, Diagnostics};
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

/// DuckDB's default `max_line_size`, in bytes: a longer CSV record fails to load
/// unless the option is raised (DuckDB's `csv_reader_options.hpp`).
const DUCKDB_MAX_LINE_SIZE: u64 = 2_000_000;

pub struct DuckSource {
    zone: Zone,
    /// Connections are not `Sync`; each query borrows one from this pool and
    /// new ones are cloned from the first, sharing the same in-memory database.
    pool: Mutex<Vec<Connection>>,
    base: Mutex<Connection>,
}

impl DuckSource {
    /// Opens an in-memory database in time zone `zone` and loads `data/`.
    /// Problems with individual files are reported to `diags`; the tables that
    /// did load stay usable.
    ///
    /// # Errors
    /// DuckDB refusing to open (out of memory, a setting it does not know).
    pub fn open(
        data_dir: &Path,
        zone: Zone,
        display: &dyn Fn(&Path) -> PathBuf,
        diags: &Diagnostics,
    ) -> anyhow::Result<DuckSource> {
        let conn = open_offline(zone)?;
        let loader = Loader { conn: &conn, display, diags };
        loader.load_dir(data_dir);
        // From here on each query runs on one thread (several queries still run
        // at once, one per core): DuckDB adds up doubles in whatever order its
        // threads finish, so a parallel mean differs in its last digits from run
        // to run, and the same input must give the same bytes. Loading above ran
        // in parallel; it keeps the files' row order either way.
        conn.execute_batch("SET threads = 1; SET enable_external_access = false; SET lock_configuration = true")?;
        Ok(DuckSource { zone, pool: Mutex::new(Vec::new()), base: Mutex::new(conn) })
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
    fn run(&self, sql: &str, params: &[Json], limit: usize) -> Result<QueryResult, SqlError> {
        let conn = self.checkout()?;
        let result = run_on(&conn, sql, params, limit);
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
        let mut result = result?;
        super::zoned::localize(self.zone, &mut result);
        Ok(result)
    }
}

/// An in-memory database that never reaches the network: the extensions vcd
/// needs are compiled in (parquet, json, and icu for time zones), and DuckDB may
/// neither download nor load any other, so a query that needs one fails with
/// [`missing_extension`]'s message instead of downloading it mid-build.
fn open_offline(zone: Zone) -> anyhow::Result<Connection> {
    duckdb_icu::register().map_err(|code| anyhow::anyhow!("DuckDB refused its time zone extension (code {code})"))?;
    let config = duckdb::Config::default()
        .enable_autoload_extension(false)?
        .with("autoinstall_known_extensions", "false")?
        .with("allow_community_extensions", "false")?
        .with("allow_extension_repositories", "forbidden")?;
    let conn = Connection::open_in_memory_with_flags(config)?;
    // Data comes from `data/` only: no http(s):// reads in a query.
    conn.execute_batch(&format!(
        "SET disabled_filesystems = 'HTTPFileSystem'; SET GLOBAL TimeZone = '{}'",
        zone.name()
    ))?;
    Ok(conn)
}

fn run_on(conn: &Connection, sql: &str, params: &[Json], limit: usize) -> Result<QueryResult, SqlError> {
    let err = |e: duckdb::Error| {
        let raw = e.to_string();
        offline_limit(&raw, sql).unwrap_or_else(|| sql_error(&raw, sql))
    };
    let mut stmt = conn.prepare(sql).map_err(err)?;
    // A streaming execution: DuckDB makes each chunk of rows when it is fetched,
    // so stopping at `limit` leaves the rest of a huge result unmade (`query`
    // would materialise all of it first). The rows are read through `raw_query`,
    // which fetches from the statement's current, streaming result.
    drop(stmt.stream_arrow(duckdb::params_from_iter(params.iter().map(to_param))).map_err(err)?);
    let mut rows = stmt.raw_query();
    let stmt = rows.as_ref().expect("rows come from a statement");
    let columns: Vec<Column> = (0..stmt.column_count())
        .map(|i| Column {
            name: stmt.column_name(i).cloned().unwrap_or_default(),
            sql_type: sql_type(&stmt.column_logical_type(i)),
        })
        .collect();
    let hints: Vec<Hint> = (0..columns.len()).map(|i| hint(stmt, i)).collect();
    let mut out = Vec::new();
    while out.len() < limit {
        let Some(row) = rows.next().map_err(err)? else { break };
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

/// A result column's type as DuckDB's SQL names it (`BIGINT`, `DECIMAL(38,0)`,
/// `VARCHAR[]`, `JSON`), for `vcd query` and for [`crate::source::value::kind_of`].
fn sql_type(t: &duckdb::core::LogicalTypeHandle) -> String {
    use duckdb::core::LogicalTypeId as Id;
    if let Some(alias) = t.get_alias() {
        return alias.to_uppercase();
    }
    let name = match t.id() {
        Id::Boolean => "BOOLEAN",
        Id::Tinyint => "TINYINT",
        Id::Smallint => "SMALLINT",
        Id::Integer => "INTEGER",
        Id::Bigint => "BIGINT",
        Id::Hugeint => "HUGEINT",
        Id::UTinyint => "UTINYINT",
        Id::USmallint => "USMALLINT",
        Id::UInteger => "UINTEGER",
        Id::UBigint => "UBIGINT",
        Id::UHugeint => "UHUGEINT",
        Id::Float => "FLOAT",
        Id::Double => "DOUBLE",
        Id::Decimal => return format!("DECIMAL({},{})", t.decimal_width(), t.decimal_scale()),
        Id::Date => "DATE",
        Id::Timestamp => "TIMESTAMP",
        Id::TimestampS => "TIMESTAMP_S",
        Id::TimestampMs => "TIMESTAMP_MS",
        Id::TimestampNs => "TIMESTAMP_NS",
        Id::TimestampTZ => "TIMESTAMP WITH TIME ZONE",
        Id::Time => "TIME",
        Id::TimeTZ => "TIME WITH TIME ZONE",
        Id::Interval => "INTERVAL",
        Id::Varchar => "VARCHAR",
        Id::Blob => "BLOB",
        Id::Uuid => "UUID",
        Id::Enum => "ENUM",
        Id::List | Id::Array => return format!("{}[]", sql_type(&t.child(0))),
        Id::Struct => "STRUCT",
        Id::Map => "MAP",
        Id::Union => "UNION",
        other => return format!("{other:?}").to_uppercase(),
    };
    name.to_string()
}

/// DuckDB's value model mapped onto the shared JSON rules in [`crate::source::value`].
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

/// What to do instead of a DuckDB extension that vcd leaves out.
const WITHOUT_EXTENSIONS: &str = "vcd's offline engine has DuckDB's core functions and its parquet, json and icu \
(time zone) extensions compiled in, and never downloads others: write this with those, or run the queries on \
PostgreSQL (source = \"postgres\" in vcd.toml)";

/// DuckDB's errors for what the offline engine leaves out, reworded: its own
/// advice (`INSTALL spatial; LOAD spatial;`) cannot work in a build that never
/// downloads, and a query reads the tables loaded from `data/`, not files.
/// `None` for any other error.
fn offline_limit(raw: &str, sql: &str) -> Option<SqlError> {
    let first = raw.lines().next().unwrap_or("");
    // Catalog Error: Scalar Function with name "st_point" is not in the catalog, but it exists in the spatial extension.
    if let Some((head, ext)) = first.split_once(" is not in the catalog, but it exists in the ") {
        let ext = ext.trim_end_matches('.').trim_end_matches(" extension");
        let kind = head.split_once(": ").map_or(head, |(_, k)| k);
        let (kind, name) = kind.split_once(" with name ")?;
        let name = name.trim_matches('"');
        return Some(SqlError {
            message: format!(
                "{} {name}() needs DuckDB's {ext} extension, which vcd does not include; {WITHOUT_EXTENSIONS}",
                kind.to_lowercase()
            ),
            position: find_code(sql, name, true),
        });
    }
    let reads_outside = first.contains("requires the extension") && first.starts_with("Missing Extension Error: File");
    let refused = first.starts_with("Permission Error:") && first.contains("disabled");
    if !(reads_outside || refused) {
        return None;
    }
    let file = first.split('"').nth(1).filter(|_| reads_outside || first.contains("Cannot access file"));
    let position = file.and_then(|f| sql.find(f).map(|at| pos(sql, at))).or_else(|| {
        ["install", "load", "attach", "copy", "export", "import"].iter().find_map(|w| find_code(sql, w, false))
    });
    let message = match file {
        Some(f) => format!(
            "a query cannot read '{f}': queries read the tables vcd loads from data/ (one per file, named after it), \
             never files or URLs; put the file in data/ and query its table"
        ),
        None => format!(
            "queries cannot install, load or attach anything ({}); {WITHOUT_EXTENSIONS}",
            first.trim_start_matches("Permission Error: ")
        ),
    };
    Some(SqlError { message, position })
}

/// The line and column of the first `word` in `sql`'s code (not in a string or
/// comment), matched without case as a whole word; when `call`, only where a
/// `(` follows it.
fn find_code(sql: &str, word: &str, call: bool) -> Option<(usize, Option<usize>)> {
    let code = crate::util::sqltext::code_only(sql).to_ascii_lowercase();
    let word = word.to_ascii_lowercase();
    let b = code.as_bytes();
    let mut from = 0;
    while let Some(n) = code[from..].find(&word) {
        let (start, end) = (from + n, from + n + word.len());
        let bounded = (start == 0 || !crate::util::sqltext::is_ident_byte(b[start - 1]))
            && b.get(end).is_none_or(|&c| !crate::util::sqltext::is_ident_byte(c));
        if bounded && (!call || code[end..].trim_start().starts_with('(')) {
            return Some(pos(&code, start));
        }
        from = end;
    }
    None
}

fn pos(text: &str, at: usize) -> (usize, Option<usize>) {
    let (line, col) = crate::util::diag::line_col(text, at);
    (line, Some(col))
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
        let is_csv = path.extension().and_then(|e| e.to_str()) == Some("csv");
        // Without a declared table, DuckDB's type-sniffing reader silently
        // accepts some ragged records (an extra field at the end of a line
        // shifts values into the wrong columns), so such a file is read by vcd
        // first. A typed COPY rejects them itself; its file is read only on failure.
        let mut max_line = None;
        if is_csv && !self.table_exists(table) {
            match crate::source::csvfile::survey(path) {
                Ok(survey) => max_line = line_size_for(survey),
                Err(p) => return self.diags.push(p.diagnostic(&shown)),
            }
        }
        let outcome = self.load_sql(table, path, max_line).and_then(|sql| {
            self.conn.execute_batch(&sql).map_err(|e| match is_csv {
                true => self.csv_failure(table, path, max_line, &e.to_string()),
                false => Some(data_error(&shown, &e.to_string())),
            })
        });
        if let Err(Some(d)) = outcome {
            self.diags.push(d);
        }
    }

    /// The statement that loads `path` into `table`. `max_line` raises DuckDB's
    /// longest accepted CSV record, in bytes, for files that need it. Errs when
    /// the file cannot be read.
    fn load_sql(&self, table: &str, path: &Path, max_line: Option<u64>) -> Result<String, Option<Diagnostic>> {
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
        let reader = READERS.iter().find(|(e, _)| *e == ext).map(|(_, r)| *r).unwrap_or("read_csv");
        let literal = sql_string(&path.to_string_lossy());
        let read_max = max_line.map(|n| format!(", max_line_size = {n}")).unwrap_or_default();
        let copy_max = max_line.map(|n| format!(", MAX_LINE_SIZE {n}")).unwrap_or_default();
        let options = if ext == "csv" { format!(", {CSV_OPTIONS}{read_max}") } else { String::new() };
        let ident = sql_ident(table);
        Ok(match (self.table_exists(table), ext) {
            // A typed table from schema.sql: COPY parses each field as its column's
            // type and reports the CSV line of a bad value. Columns are named from the
            // header so the file's column order need not match the DDL.
            (true, "csv") => {
                let cols = crate::source::csvfile::header(path)
                    .map_err(|e| Some(Diagnostic::in_file((self.display)(path), format!("cannot read: {e}"))))?;
                let cols: Vec<String> = cols.iter().map(|c| sql_ident(c)).collect();
                format!(
                    "COPY {ident} ({}) FROM {literal} (FORMAT csv, HEADER true, DELIMITER ',', QUOTE '\"', ESCAPE '\"', ALLOW_QUOTED_NULLS false{copy_max})",
                    cols.join(", ")
                )
            }
            (true, _) => format!("INSERT INTO {ident} BY NAME SELECT * FROM {reader}({literal})"),
            (false, _) => format!("CREATE TABLE {ident} AS SELECT * FROM {reader}({literal}{options})"),
        })
    }

    /// Why a CSV file did not load (with `tried` as its `max_line_size`), or
    /// `None` when it loaded on a second try. A typed file is read with the
    /// `csv` crate only now, so one that loads costs nothing more: a badly
    /// formed record is reported with the line it starts on and the cause; a
    /// well-formed file with a record longer than DuckDB's default limit is
    /// loaded again with the limit raised to fit it; otherwise DuckDB's own
    /// error stands, at the line its record starts on.
    fn csv_failure(&self, table: &str, path: &Path, tried: Option<u64>, raw: &str) -> Option<Diagnostic> {
        let shown = (self.display)(path);
        let survey = match crate::source::csvfile::survey(path) {
            Ok(s) => s,
            Err(p) => return Some(p.diagnostic(&shown)),
        };
        let needed = match line_size_for(survey) {
            Some(n) if Some(n) != tried => n,
            _ => return Some(self.key_line(table, path, csv_engine_error(&shown, path, raw), raw)),
        };
        match self.load_sql(table, path, Some(needed)) {
            Ok(sql) => self.conn.execute_batch(&sql).err().map(|e| csv_engine_error(&shown, path, &e.to_string())),
            Err(d) => d,
        }
    }

    /// A duplicate key names only its value: `d` at the line of the record that
    /// repeats it, found by looking the value up in each single-column key of the table.
    fn key_line(&self, table: &str, path: &Path, d: Diagnostic, raw: &str) -> Diagnostic {
        let Some(value) = raw.split("duplicate key \"").nth(1).and_then(|r| r.split('"').next()) else { return d };
        if d.line.is_some() {
            return d;
        }
        let sql = "SELECT constraint_column_names FROM duckdb_constraints() \
                   WHERE table_name = ? AND constraint_type IN ('PRIMARY KEY', 'UNIQUE')";
        let keys: Vec<Value> = match self.conn.prepare(sql) {
            Ok(mut stmt) => stmt
                .query_map([table], |r| r.get::<_, Value>(0))
                .map(|rows| rows.flatten().collect())
                .unwrap_or_default(),
            Err(_) => return d,
        };
        let line = keys.iter().find_map(|cols| match cols {
            Value::List(c) if c.len() == 1 => match &c[0] {
                Value::Text(col) => crate::source::csvfile::find_nth_line(path, col, value, 1),
                _ => None,
            },
            _ => None,
        });
        match line {
            Some(line) => d.at(line as usize, None),
            None => d,
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

/// The `max_line_size` a file needs, when DuckDB's default is too small for its
/// longest record. DuckDB counts a record's bytes without its line break and
/// suggests two more.
fn line_size_for(survey: crate::source::csvfile::Survey) -> Option<u64> {
    let needed = survey.longest + 2;
    (needed > DUCKDB_MAX_LINE_SIZE).then_some(needed)
}

/// DuckDB's error for a well-formed CSV file (a value its column's type cannot
/// hold, a constraint): the cause first, the record's text under it, at the
/// line the record starts on. DuckDB's "Line: N" counts records, the header
/// being the first, so quoted line breaks above would make it point too early.
fn csv_engine_error(shown: &Path, path: &Path, raw: &str) -> Diagnostic {
    let record = raw
        .split("CSV Error on Line: ")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<u64>().ok());
    let Some(record) = record else { return data_error(shown, raw) };
    let (first_line, span) = crate::source::csvfile::record_lines(path, record.saturating_sub(1)).unwrap_or((0, 1));
    let lines: Vec<&str> = raw.lines().collect();
    // "Original Line: " is followed by the record as written, over as many lines
    // as it spans; the cause comes after it.
    let (original, after) = match lines.iter().position(|l| l.starts_with("Original Line: ")) {
        Some(i) => {
            let end = (i + span as usize).min(lines.len());
            (Some(lines[i..end].join("\n")), end)
        }
        None => (None, 1),
    };
    let cause = lines[after.min(lines.len())..].iter().find(|l| !l.trim().is_empty()).map_or(raw, |l| l.trim());
    let mut d = Diagnostic::in_file(shown, cause.to_string());
    if let Some(text) = original {
        let text = text.trim_start_matches("Original Line: ").replace('\n', "⏎");
        let cut: String = text.chars().take(120).collect();
        let more = if cut.len() < text.len() { "…" } else { "" };
        d = d.with_detail(format!("the record: {cut}{more}"));
    }
    match first_line {
        0 => d,
        line => d.at(line as usize, None),
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
