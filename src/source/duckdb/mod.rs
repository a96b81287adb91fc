//! Offline source: an in-memory DuckDB loaded from the files in `data/`.

mod errors;
mod load;

pub use errors::sql_error;

use crate::project::timezone::Zone;
use crate::source::deadline::Watchdog;
use crate::source::value::{self, Column};
use crate::source::zoned::Localizer;
use crate::source::{Source, SqlError, Visit};
use crate::util::diag::Diagnostics;
use crate::util::interrupt;
use duckdb::types::{TimeUnit, Value};
use duckdb::Connection;
use errors::offline_limit;
use load::Loader;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

pub struct DuckSource {
    zone: Zone,
    /// Connections are not `Sync`; each query borrows one from this pool and
    /// new ones are cloned from the first, sharing the same database.
    pool: Mutex<Vec<Connection>>,
    base: Mutex<Connection>,
    /// The folder of the database file, when there is one, and of what
    /// DuckDB writes out beyond its memory limit; removed with the source.
    _scratch: tempfile::TempDir,
}

impl DuckSource {
    /// Opens a database in time zone `zone`, allowed `memory` bytes (DuckDB's
    /// `memory_limit`), and loads `data/`. The tables stay in memory while
    /// `data/` is under half of `memory`; past that they go into a database
    /// file in a temporary folder, so DuckDB can move what it is not using
    /// out of memory (an in-memory database cannot; it fails instead). What
    /// a query needs beyond `memory` (a big join, a sort) goes to the same
    /// folder. Problems with individual files are reported to `diags`; the
    /// tables that did load stay usable.
    ///
    /// # Errors
    /// The temporary folder cannot be made, or DuckDB refuses to open.
    pub fn open(
        data_dir: &Path,
        zone: Zone,
        memory: u64,
        display: &dyn Fn(&Path) -> PathBuf,
        diags: &Diagnostics,
    ) -> anyhow::Result<DuckSource> {
        let scratch = tempfile::Builder::new().prefix("vcd-duckdb-").tempdir()?;
        let file = (data_bytes(data_dir) > memory / 2).then(|| scratch.path().join("data.duckdb"));
        let conn = open_offline(zone, memory, scratch.path(), file.as_deref())?;
        let loader = Loader { conn: &conn, display, diags };
        loader.load_dir(data_dir);
        // From here on each query runs on one thread (several queries still run
        // at once, one per core): DuckDB adds up doubles in whatever order its
        // threads finish, so a parallel mean differs in its last digits from run
        // to run, and the same input must give the same bytes. Loading above ran
        // in parallel; it keeps the files' row order either way.
        conn.execute_batch("SET threads = 1; SET enable_external_access = false; SET lock_configuration = true")?;
        Ok(DuckSource { zone, pool: Mutex::new(Vec::new()), base: Mutex::new(conn), _scratch: scratch })
    }

    fn checkout(&self) -> Result<Connection, SqlError> {
        if let Some(c) = self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop() {
            return Ok(c);
        }
        let base = self.base.lock().unwrap_or_else(|e| e.into_inner());
        base.try_clone().map_err(|e| SqlError { message: e.to_string(), position: None })
    }

    /// Runs `work` on a pooled connection, interrupted once `timeout` has
    /// passed or on Ctrl-C ([`interrupt`]). An interrupted connection is not
    /// put back: the interrupt may land after its statement ended and would
    /// stop the next one.
    fn on_connection<T>(
        &self,
        timeout: Option<Duration>,
        work: impl FnOnce(&Connection) -> Result<T, SqlError>,
    ) -> Result<T, SqlError> {
        if interrupt::stopping() {
            return Err(SqlError::cancelled());
        }
        let conn = self.checkout()?;
        let handle = conn.interrupt_handle();
        let on_stop = handle.clone();
        let watchdog = Watchdog::arm(timeout, move || handle.interrupt());
        let running = interrupt::while_running(move || on_stop.interrupt());
        let result = work(&conn);
        drop(running);
        if interrupt::stopping() {
            return result.map_err(|_| SqlError::cancelled());
        }
        if watchdog.disarm() {
            return match (result, timeout) {
                (Err(_), Some(limit)) => Err(SqlError::past(limit)),
                (other, _) => other,
            };
        }
        self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(conn);
        result
    }
}

impl Source for DuckSource {
    fn stream(
        &self,
        sql: &str,
        params: &[Json],
        timeout: Option<Duration>,
        visit: &mut Visit,
    ) -> Result<Vec<Column>, SqlError> {
        self.on_connection(timeout, |conn| stream_on(conn, self.zone, sql, params, visit))
    }

    /// A table in the in-memory database; it goes when the data is reloaded.
    fn keep(&self, name: &str, sql: &str, timeout: Option<Duration>) -> Result<bool, SqlError> {
        let statement = format!("CREATE OR REPLACE TABLE {} AS (\n{sql}\n)", super::sql_ident(name));
        self.on_connection(timeout, |conn| {
            conn.execute_batch(&statement).map_err(|e| sql_error(&e.to_string(), sql)).map(|()| true)
        })
    }
}

/// A database that never reaches the network: the extensions vcd needs are
/// compiled in (parquet, json, and icu for time zones), and DuckDB may
/// neither download nor load any other, so a query that needs one fails with
/// [`missing_extension`]'s message instead of downloading it mid-build. It
/// lives in `file`, or in memory when there is none; `scratch` takes what
/// does not fit in `memory` bytes.
fn open_offline(zone: Zone, memory: u64, scratch: &Path, file: Option<&Path>) -> anyhow::Result<Connection> {
    duckdb_icu::register().map_err(|code| anyhow::anyhow!("DuckDB refused its time zone extension (code {code})"))?;
    let config = duckdb::Config::default()
        .enable_autoload_extension(false)?
        .with("autoinstall_known_extensions", "false")?
        .with("allow_community_extensions", "false")?
        .with("allow_extension_repositories", "forbidden")?
        .with("temp_directory", &scratch.to_string_lossy())?
        .with("memory_limit", &format!("{}KiB", memory / 1024))?;
    let conn = match file {
        Some(file) => Connection::open_with_flags(file, config)?,
        None => Connection::open_in_memory_with_flags(config)?,
    };
    // Data comes from `data/` only: no http(s):// reads in a query.
    conn.execute_batch(&format!(
        "SET disabled_filesystems = 'HTTPFileSystem'; SET GLOBAL TimeZone = '{}'",
        zone.name()
    ))?;
    Ok(conn)
}

/// The bytes of the files in `data/` (0 when it cannot be read).
fn data_bytes(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries.flatten().filter_map(|e| e.metadata().ok()).filter(|m| m.is_file()).map(|m| m.len()).sum()
}

fn stream_on(
    conn: &Connection,
    zone: Zone,
    sql: &str,
    params: &[Json],
    visit: &mut Visit,
) -> Result<Vec<Column>, SqlError> {
    let err = |e: duckdb::Error| {
        let raw = e.to_string();
        offline_limit(&raw, sql).unwrap_or_else(|| sql_error(&raw, sql))
    };
    let mut stmt = conn.prepare(sql).map_err(err)?;
    // A streaming execution: DuckDB makes each chunk of rows when it is fetched,
    // so stopping early leaves the rest of a huge result unmade (`query`
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
    let localizer = Localizer::new(zone, &columns);
    while let Some(row) = rows.next().map_err(err)? {
        let mut values = Vec::with_capacity(columns.len());
        for (i, hint) in hints.iter().enumerate() {
            let v: Value = row.get(i).map_err(err)?;
            values.push(to_json(v, *hint));
        }
        localizer.apply(&mut values);
        if !visit(&columns, values) {
            break;
        }
    }
    Ok(columns)
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

/// A single-quoted SQL string literal (for file paths, which cannot be bound in DDL).
pub fn sql_string(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;
    use std::io::Write;

    /// Data over half the memory goes into a database file; under it, into
    /// memory; both give the same answers.
    #[test]
    fn big_data_is_kept_in_a_file_and_answers_the_same() {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = std::io::BufWriter::new(std::fs::File::create(dir.path().join("t.csv")).unwrap());
        writeln!(csv, "id,label").unwrap();
        let rows: u64 = 400_000;
        for i in 0..rows {
            writeln!(csv, "{i},a label long enough to make the file about thirty megabytes {}", i % 97).unwrap();
        }
        drop(csv);
        let sql = "SELECT count(*) AS n, sum(id) AS s, count(DISTINCT label) AS d FROM t";
        let expected = serde_json::json!([rows, rows * (rows - 1) / 2, 97]);
        for (memory, in_file) in [(48 << 20, true), (1 << 30, false)] {
            let diags = Diagnostics::default();
            let source = DuckSource::open(dir.path(), Zone::default(), memory, &|p| p.to_path_buf(), &diags).unwrap();
            assert!(diags.into_sorted().is_empty());
            assert_eq!(source._scratch.path().join("data.duckdb").exists(), in_file, "memory {memory}");
            let result = source.run(sql, &[], 10).unwrap();
            assert_eq!(serde_json::to_value(&result.rows[0]).unwrap(), expected, "memory {memory}");
        }
    }
}
