//! Loading `data/` into PostgreSQL as bulk loads are done: the schema, its
//! keys and indexes set aside, every CSV streamed in with COPY, then the keys
//! and indexes put back and checked once; all in one transaction, so a
//! failure leaves the database as it was.

use crate::source::csvfile;
use crate::source::postgres::{pg_message, sql_error};
use crate::source::sql_ident;
use crate::util::diag::{excerpt, Diagnostic};
use postgres::Client;
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Rows loaded per table, and how long the whole load and its last step took.
pub struct LoadReport {
    pub tables: Vec<(String, u64)>,
    pub elapsed: Duration,
    /// Putting the keys and indexes back, which checks every row against them.
    pub constraints: Duration,
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
    // The keys and indexes are built after the data is in: PostgreSQL builds
    // an index and checks a foreign key faster with more memory and its
    // parallel workers (which the query sessions turn off, for bytes that do
    // not change from run to run; a load has no results for them to change).
    tx.batch_execute("SET LOCAL maintenance_work_mem = '256MB'; SET LOCAL max_parallel_workers_per_gather = 2")
        .map_err(general)?;
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
    // Checking each row against a key or index as it arrives costs far more
    // than building the index once and checking a foreign key with one join
    // (PostgreSQL's manual, "Populating a Database"); CHECK and NOT NULL stay.
    let set_aside = SetAside::take(&mut tx, &order).map_err(general)?;
    let mut tables = Vec::new();
    for table in order {
        let path = &files[&table];
        let rows = copy_file(&mut tx, &table, path, display).map_err(|e| copy_error(&e, path, display))?;
        tables.push((table, rows));
    }
    let checking = Instant::now();
    set_aside.restore(&mut tx).map_err(|(e, table)| match files.get(&table) {
        Some(path) => copy_error(&CopyError::Pg(e), path, display),
        None => general(e),
    })?;
    let constraints = checking.elapsed();
    advance_sequences(&mut tx).map_err(general)?;
    tx.commit().map_err(general)?;
    Ok(LoadReport { tables, elapsed: started.elapsed(), constraints })
}

/// The primary keys, unique constraints, foreign keys and other indexes of
/// the loaded tables, dropped while the data goes in.
struct SetAside {
    /// `(table, statement)`: keys first, then indexes, then foreign keys, the
    /// order they can be put back in.
    restore: Vec<(String, String)>,
}

impl SetAside {
    fn take(tx: &mut postgres::Transaction, tables: &[String]) -> Result<SetAside, postgres::Error> {
        let constraints = tx.query(
            "SELECT t.relname::text, c.conname::text, pg_get_constraintdef(c.oid), c.contype = 'f'
             FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid
             WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1) AND c.contype IN ('p', 'u', 'f')
             ORDER BY c.contype = 'f', t.relname, c.conname",
            &[&tables],
        )?;
        let indexes = tx.query(
            "SELECT t.relname::text, x.relname::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid
             WHERE t.relnamespace = current_schema()::regnamespace AND t.relname = ANY($1)
               AND NOT EXISTS (SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid)
             ORDER BY t.relname, x.relname",
            &[&tables],
        )?;
        let mut drops = Vec::new();
        let mut keys = Vec::new();
        let mut foreign = Vec::new();
        for row in &constraints {
            let (table, name, def, is_fk): (String, String, String, bool) =
                (row.get(0), row.get(1), row.get(2), row.get(3));
            let add = format!("ALTER TABLE {} ADD CONSTRAINT {} {def}", sql_ident(&table), sql_ident(&name));
            let drop = format!("ALTER TABLE {} DROP CONSTRAINT {}", sql_ident(&table), sql_ident(&name));
            if is_fk {
                // Foreign keys go first, or the keys they lean on cannot be dropped.
                drops.insert(0, drop);
                foreign.push((table, add));
            } else {
                drops.push(drop);
                keys.push((table, add));
            }
        }
        for row in &indexes {
            let (table, name, def): (String, String, String) = (row.get(0), row.get(1), row.get(2));
            drops.push(format!("DROP INDEX {}", sql_ident(&name)));
            keys.push((table, def));
        }
        for drop in &drops {
            tx.batch_execute(drop)?;
        }
        keys.extend(foreign);
        Ok(SetAside { restore: keys })
    }

    /// Puts everything back; a failure comes with the table it was on.
    fn restore(self, tx: &mut postgres::Transaction) -> Result<(), (postgres::Error, String)> {
        for (table, statement) in self.restore {
            tx.batch_execute(&statement).map_err(|e| (e, table))?;
        }
        Ok(())
    }
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

/// Streams one CSV into its table, a buffer at a time (the file is never
/// held whole), with a progress line on a terminal; columns are named from
/// the header so their order need not match.
fn copy_file(
    tx: &mut postgres::Transaction,
    table: &str,
    path: &Path,
    display: &dyn Fn(&Path) -> PathBuf,
) -> Result<u64, CopyError> {
    let header = csvfile::header(path).map_err(CopyError::Io)?;
    let cols: Vec<String> = header.iter().map(|c| sql_ident(c)).collect();
    // FREEZE writes the rows as already visible to every later transaction
    // (allowed because the table was made in this one), which spares the
    // server a pass over them later; a partitioned table does not take it.
    let plain: bool = tx
        .query_one("SELECT relkind = 'r' FROM pg_class WHERE oid = to_regclass($1)", &[&sql_ident(table)])
        .map(|r| r.get(0))
        .unwrap_or(false);
    let freeze = if plain { ", FREEZE true" } else { "" };
    let sql =
        format!("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true{freeze})", sql_ident(table), cols.join(", "));
    let file = std::fs::File::open(path).map_err(CopyError::Io)?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let label = format!("loading {}", display(path).display());
    let mut reader = crate::util::progress::Bytes::new(&label, size, file);
    let mut writer = tx.copy_in(&sql).map_err(CopyError::Pg)?;
    // 1 MB at a time: each write is sent as one CopyData message.
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = std::io::Read::read(&mut reader, &mut buf).map_err(CopyError::Io)?;
        if n == 0 {
            break;
        }
        writer.write_all(&buf[..n]).map_err(CopyError::Io)?;
    }
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
        // "Key (post_id)=(99) is not present in table ...", "Key (id)=(3) is duplicated."
        let detail = db.detail()?;
        let (col, rest) = detail.strip_prefix("Key (")?.split_once(")=(")?;
        let (val, _) = rest.split_once(')')?;
        if col.contains(',') {
            return None;
        }
        // A repeated key is pointed at where it repeats, not where it first appears.
        let repeat = detail.ends_with("is duplicated.") || detail.ends_with("already exists.");
        csvfile::find_nth_line(path, col, val, usize::from(repeat))
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
