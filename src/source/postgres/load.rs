//! Loading `data/` into PostgreSQL: schema, then every CSV with COPY in foreign-key
//! order, all in one transaction, so a failure leaves the database as it was.

use crate::source::csvfile;
use crate::source::postgres::{pg_message, sql_error};
use crate::source::sql_ident;
use crate::util::diag::{excerpt, Diagnostic};
use postgres::Client;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Rows loaded per table, and how long the whole load took.
pub struct LoadReport {
    pub tables: Vec<(String, u64)>,
    pub elapsed: Duration,
}

/// Replaces the tables named by `data/*.csv` with the files' contents.
/// `display` turns paths into the project-relative form used in messages.
pub fn load(
    client: &mut Client,
    data_dir: &Path,
    display: &dyn Fn(&Path) -> PathBuf,
) -> Result<LoadReport, Diagnostic> {
    let started = Instant::now();
    let schema_path = data_dir.join("schema.sql");
    let schema = std::fs::read_to_string(&schema_path).map_err(|e| {
        Diagnostic::in_file(display(&schema_path), format!("loading into PostgreSQL needs this schema file: {e}"))
    })?;
    let files = csv_files(data_dir, display)?;
    let general = |e: postgres::Error| Diagnostic::new(format!("PostgreSQL: {}", pg_message(&e)));

    let mut tx = client.transaction().map_err(general)?;
    // Dropping and re-creating makes a second load give the same database; in
    // one transaction, a failure below restores every dropped table.
    if !files.is_empty() {
        let names: Vec<String> = files.keys().map(|t| sql_ident(t)).collect();
        tx.batch_execute(&format!("DROP TABLE IF EXISTS {} CASCADE", names.join(", "))).map_err(general)?;
    }
    tx.batch_execute(&schema).map_err(|e| {
        let err = sql_error(&e, &schema);
        let d = Diagnostic::in_file(display(&schema_path), err.message);
        match err.position {
            Some((l, c)) => d.at(l, c).with_detail(excerpt(&schema, l, c)),
            None => d,
        }
    })?;
    let order = load_order(&mut tx, &files).map_err(general)?;
    let mut tables = Vec::new();
    for table in order {
        let path = &files[&table];
        let rows = copy_file(&mut tx, &table, path).map_err(|e| copy_error(&e, path, display))?;
        tables.push((table, rows));
    }
    advance_sequences(&mut tx).map_err(general)?;
    tx.commit().map_err(general)?;
    Ok(LoadReport { tables, elapsed: started.elapsed() })
}

fn csv_files(dir: &Path, display: &dyn Fn(&Path) -> PathBuf) -> Result<BTreeMap<String, PathBuf>, Diagnostic> {
    let entries =
        std::fs::read_dir(dir).map_err(|e| Diagnostic::in_file(display(dir), format!("cannot read folder: {e}")))?;
    let mut files = BTreeMap::new();
    for entry in entries.flatten() {
        let path = entry.path();
        if path.extension().and_then(|e| e.to_str()) == Some("csv") {
            if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
                files.insert(stem.to_string(), path.clone());
            }
        }
    }
    Ok(files)
}

/// Tables ordered so every referenced table is loaded before the tables that reference it.
fn load_order(
    tx: &mut postgres::Transaction,
    files: &BTreeMap<String, PathBuf>,
) -> Result<Vec<String>, postgres::Error> {
    let rows = tx.query(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c WHERE c.contype = 'f'",
        &[],
    )?;
    let unquote = |s: String| s.trim_matches('"').to_string();
    let mut deps: BTreeMap<String, BTreeSet<String>> = files.keys().map(|t| (t.clone(), BTreeSet::new())).collect();
    for row in rows {
        let (from, to) = (unquote(row.get(0)), unquote(row.get(1)));
        if from != to && deps.contains_key(&to) {
            if let Some(d) = deps.get_mut(&from) {
                d.insert(to);
            }
        }
    }
    let mut order = Vec::new();
    while !deps.is_empty() {
        let ready: Vec<String> =
            deps.iter().filter(|(_, d)| d.iter().all(|x| order.contains(x))).map(|(t, _)| t.clone()).collect();
        // A cycle cannot be ordered; load the rest and let the server report which row fails.
        let next = if ready.is_empty() { deps.keys().cloned().collect() } else { ready };
        for t in next {
            deps.remove(&t);
            order.push(t);
        }
    }
    Ok(order)
}

/// Streams one CSV into its table; columns are named from the header so their order need not match.
fn copy_file(tx: &mut postgres::Transaction, table: &str, path: &Path) -> Result<u64, CopyError> {
    let header = csvfile::header(path).map_err(CopyError::Io)?;
    let cols: Vec<String> = header.iter().map(|c| sql_ident(c)).collect();
    let sql = format!("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true)", sql_ident(table), cols.join(", "));
    let mut file = std::fs::File::open(path).map_err(CopyError::Io)?;
    let mut writer = tx.copy_in(&sql).map_err(CopyError::Pg)?;
    std::io::copy(&mut file, &mut writer).map_err(CopyError::Io)?;
    writer.flush().map_err(CopyError::Io)?;
    writer.finish().map_err(CopyError::Pg)
}

enum CopyError {
    Io(std::io::Error),
    Pg(postgres::Error),
}

/// A COPY failure at the CSV's line: PostgreSQL names it in the error context
/// (`COPY t, line 3, column fee: "abc"`); a key violation names only the key,
/// so the line is found by looking the key up in the file.
fn copy_error(e: &CopyError, path: &Path, display: &dyn Fn(&Path) -> PathBuf) -> Diagnostic {
    let shown = display(path);
    let e = match e {
        CopyError::Io(io) => return Diagnostic::in_file(shown, format!("cannot read: {io}")),
        CopyError::Pg(pg) => pg,
    };
    let d = Diagnostic::in_file(&shown, pg_message(e));
    let Some(db) = e.as_db_error() else { return d };
    // A badly formed record is named as the `csv` crate reads it: the line it starts on, and why.
    if let Err(problem) = csvfile::survey(path) {
        return problem.diagnostic(&shown);
    }
    // PostgreSQL's "line N" is where the record ends; a record with quoted line breaks starts above it.
    let context_line = db
        .where_()
        .and_then(|w| w.split(", line ").nth(1))
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse::<u64>().ok())
        .and_then(|n| csvfile::record_start(path, n));
    let key_line = || {
        // "Key (post_id)=(99) is not present in table ..." / "Key (id)=(3) already exists."
        let detail = db.detail()?;
        let (col, rest) = detail.strip_prefix("Key (")?.split_once(")=(")?;
        let (val, _) = rest.split_once(')')?;
        if col.contains(',') {
            return None;
        }
        csvfile::find_line(path, col, val)
    };
    match context_line.or_else(key_line) {
        Some(line) => d.at(line as usize, None),
        None => d,
    }
}

/// Moves every sequence behind a serial/identity column past the largest loaded id,
/// so rows inserted later do not collide with loaded ones.
fn advance_sequences(tx: &mut postgres::Transaction) -> Result<(), postgres::Error> {
    let rows = tx.query(
        "SELECT table_name::text, column_name::text, pg_get_serial_sequence(quote_ident(table_name), column_name)::text
         FROM information_schema.columns
         WHERE table_schema = current_schema() AND pg_get_serial_sequence(quote_ident(table_name), column_name) IS NOT NULL",
        &[],
    )?;
    for row in rows {
        let (table, column, seq): (String, String, String) = (row.get(0), row.get(1), row.get(2));
        let sql = format!(
            "SELECT setval(CAST(CAST($1 AS text) AS regclass), COALESCE((SELECT max({c}) FROM {t}), 1), (SELECT max({c}) FROM {t}) IS NOT NULL)",
            c = sql_ident(&column),
            t = sql_ident(&table)
        );
        tx.query(&sql, &[&seq])?;
    }
    Ok(())
}
