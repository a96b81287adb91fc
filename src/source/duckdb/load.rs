//! Loading `data/` into the offline database: `schema.sql` first, then each
//! CSV, Parquet and JSON file as a table named after it, in foreign-key order,
//! with every problem reported at its file and line.

use super::{sql_error, sql_string};
use crate::source::sql_ident;
use crate::util::diag::{Diagnostic, Diagnostics};
use duckdb::types::Value;
use duckdb::Connection;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// File extensions loaded as tables, and the DuckDB reader for each.
const READERS: &[(&str, &str)] = &[("csv", "read_csv"), ("parquet", "read_parquet"), ("json", "read_json_auto")];

/// CSV dialect: RFC 4180 with a header row; an unquoted empty field is NULL and
/// a quoted empty field ("") is an empty string, as in PostgreSQL's COPY.
const CSV_OPTIONS: &str = "header = true, delim = ',', quote = '\"', escape = '\"', allow_quoted_nulls = false";

/// DuckDB's default `max_line_size`, in bytes: a longer CSV record fails to load
/// unless the option is raised (DuckDB's `csv_reader_options.hpp`).
const DUCKDB_MAX_LINE_SIZE: u64 = 2_000_000;

/// Loads every data file into a table named after its stem.
pub(super) struct Loader<'a> {
    pub(super) conn: &'a Connection,
    pub(super) display: &'a dyn Fn(&Path) -> PathBuf,
    pub(super) diags: &'a Diagnostics,
}

impl Loader<'_> {
    pub(super) fn load_dir(&self, dir: &Path) {
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
