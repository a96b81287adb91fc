//! Loading `data/` into PostgreSQL as bulk loads are done: the schema, its
//! keys and indexes set aside, every CSV streamed in with COPY, then the keys
//! and indexes put back and checked once. Over several connections where the
//! schema allows (see [`staged`]), else in one transaction; either way a
//! failure leaves the database as it was.

mod copy;
mod jobs;
mod set_aside;
mod staged;

use self::copy::{copy_error, copy_file, CopyError};
use self::jobs::Step;
use self::set_aside::SetAside;
use super::{connect, pg_message, sql_error, Target};
use crate::project::timezone::Zone;
use crate::source::sql_ident;
use crate::util::diag::{excerpt, Diagnostic};
use crate::util::interrupt;
use crate::util::progress::Meter;
use postgres::Client;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Settings for the sessions that load: PostgreSQL builds an index and checks
/// a foreign key faster with more memory and its parallel workers (which the
/// query sessions turn off, for bytes that do not change from run to run; a
/// load has no results for them to change).
const LOAD_SETTINGS: &str = "SET maintenance_work_mem = '256MB'; SET max_parallel_workers_per_gather = 2";

/// Rows loaded per table, and where the time went.
pub struct LoadReport {
    pub tables: Vec<(String, u64)>,
    pub elapsed: Duration,
    /// Streaming the files in, summed over the connections.
    pub copying: Duration,
    /// Putting the keys and indexes back, which checks every row against
    /// them, summed over the connections.
    pub constraints: Duration,
    /// How many connections loaded the files: 1 for a load in one transaction.
    pub connections: usize,
}

/// Replaces the tables named by `data/*.csv` with the files' contents, over
/// up to `jobs` connections besides `client` (opened to `target`, in `zone`).
/// `display` turns paths into the project-relative form used in messages.
///
/// Errors name the file and line where there is one: `schema.sql`'s failing
/// statement, a CSV record the server rejects, a key violated (found by
/// looking the key up in the file).
pub fn load(
    client: &mut Client,
    target: &Target,
    zone: Zone,
    data_dir: &Path,
    display: &dyn Fn(&Path) -> PathBuf,
    jobs: usize,
) -> Result<LoadReport, Diagnostic> {
    let started = Instant::now();
    let schema_path = data_dir.join("schema.sql");
    let schema = std::fs::read_to_string(&schema_path).map_err(|e| {
        Diagnostic::in_file(display(&schema_path), format!("loading into PostgreSQL needs this schema file: {e}"))
    })?;
    let files = csv_files(data_dir, display)?;
    let cancel = cancel_hook(&[&*client], target);
    let _running = interrupt::while_running(move || cancel());
    let load = Load { schema: &schema, schema_path: &schema_path, files: &files, data_dir, display, started };
    if jobs > 1 && !files.is_empty() {
        if let Some(report) = load.over_connections(client, target, zone, jobs)? {
            return Ok(report);
        }
    }
    // Ctrl-C while staging: its cancel went to statements that have ended.
    stopped()?;
    load.in_one_transaction(client)
}

/// `Err` once Ctrl-C asked to stop: the check between statements, whose
/// cancel requests reach only a statement running when it came.
fn stopped() -> Result<(), Diagnostic> {
    match interrupt::stopping() {
        true => Err(Diagnostic::new(interrupt::CANCELLED)),
        false => Ok(()),
    }
}

/// A cancel request for every statement running on `clients`.
fn cancel_hook(clients: &[&Client], target: &Target) -> Arc<dyn Fn() + Send + Sync> {
    let tokens: Vec<_> = clients.iter().map(|c| c.cancel_token()).collect();
    let connector = target.tls.connector.clone();
    Arc::new(move || {
        for token in &tokens {
            let _ = token.cancel_query(connector.clone());
        }
    })
}

/// What one load reads.
struct Load<'a> {
    schema: &'a str,
    schema_path: &'a Path,
    /// Table name → its CSV file.
    files: &'a BTreeMap<String, PathBuf>,
    data_dir: &'a Path,
    display: &'a dyn Fn(&Path) -> PathBuf,
    started: Instant,
}

/// What a step of a load over several connections does.
enum Work {
    Copy(String),
    /// Statements putting back keys and indexes of the table.
    Restore(String, String),
}

impl Load<'_> {
    fn general(e: postgres::Error) -> Diagnostic {
        Diagnostic::new(format!("PostgreSQL: {}", pg_message(&e)))
    }

    /// A server error on `table`, named at its file's line where one can be found.
    fn on_table(&self, e: CopyError, table: &str) -> Diagnostic {
        match (e, self.files.get(table)) {
            (CopyError::Cancelled, _) => Diagnostic::new(interrupt::CANCELLED),
            (e, Some(path)) => copy_error(&e, path, self.display),
            (CopyError::Pg(e), None) => Self::general(e),
            (CopyError::Io(e), None) => Diagnostic::new(e.to_string()),
        }
    }

    fn meter(&self) -> Meter {
        let total = self.files.values().filter_map(|p| std::fs::metadata(p).ok()).map(|m| m.len()).sum();
        Meter::new(&format!("loading {}", (self.display)(self.data_dir).display()), total)
    }

    /// The load over `jobs` connections of its own (see [`staged`]); `Ok(None)`
    /// when it cannot be: fewer than two connections to be had, or a schema
    /// that does not stage. Steps: each file copied (largest first); each
    /// table's keys and indexes once it is in; each foreign key once both its
    /// tables have their keys.
    fn over_connections(
        &self,
        client: &mut Client,
        target: &Target,
        zone: Zone,
        jobs: usize,
    ) -> Result<Option<LoadReport>, Diagnostic> {
        let mut workers: Vec<Client> = (0..jobs).map_while(|_| connect(target, zone).ok()).collect();
        if workers.len() < 2 {
            return Ok(None);
        }
        let tables: Vec<String> = self.files.keys().cloned().collect();
        // A server without advisory locks loads in one transaction.
        if staged::lock(client).is_err() {
            return Ok(None);
        }
        let Some(staged) = staged::prepare(client, self.schema, &tables).ok().flatten() else { return Ok(None) };
        let outcome = self.staged(client, &mut workers, staged, &tables, target);
        if outcome.is_err() {
            staged::discard(client);
        }
        outcome.map(Some)
    }

    /// The steps of a load over `workers` into what [`staged::prepare`] made,
    /// then the swap; on an error the caller drops the staging schema.
    fn staged(
        &self,
        client: &mut Client,
        workers: &mut [Client],
        staged: staged::Staged,
        tables: &[String],
        target: &Target,
    ) -> Result<LoadReport, Diagnostic> {
        // The other sessions parse the files as this one would have after
        // running schema.sql: with the settings it made (a `SET datestyle`).
        let settings = client
            .query("SELECT name, setting FROM pg_settings WHERE source = 'session' AND name <> 'search_path'", &[])
            .map_err(Self::general)?;
        for w in workers.iter_mut() {
            for row in &settings {
                let (name, value): (String, String) = (row.get(0), row.get(1));
                w.query("SELECT set_config($1, $2, false)", &[&name, &value]).map_err(Self::general)?;
            }
            w.batch_execute(&format!("{LOAD_SETTINGS}; SET search_path = {}", staged.search_path))
                .map_err(Self::general)?;
        }
        let steps = self.steps(tables, staged.set_aside);
        let meter = self.meter();
        let cancel = cancel_hook(&workers.iter().collect::<Vec<_>>(), target);
        let on_stop = cancel.clone();
        let _running = interrupt::while_running(move || on_stop());
        let outcome = jobs::run(
            workers,
            &steps,
            |w, work| {
                // A Ctrl-C between steps: its cancel reached none of them.
                if interrupt::stopping() {
                    return Err((CopyError::Cancelled, String::new()));
                }
                match work {
                    Work::Copy(table) => {
                        let copy = |w: &mut Client| -> Result<u64, CopyError> {
                            let mut tx = w.transaction().map_err(CopyError::Pg)?;
                            // FREEZE needs the table made or emptied in the same transaction.
                            tx.batch_execute(&format!("TRUNCATE {}", sql_ident(table))).map_err(CopyError::Pg)?;
                            let rows = copy_file(&mut tx, table, &self.files[table], &meter)?;
                            tx.commit().map_err(CopyError::Pg)?;
                            Ok(rows)
                        };
                        copy(w).map(Some).map_err(|e| (e, table.clone()))
                    }
                    Work::Restore(table, sql) => {
                        w.batch_execute(sql).map(|()| None).map_err(|e| (CopyError::Pg(e), table.clone()))
                    }
                }
            },
            || cancel(),
        );
        drop(meter);
        let results = match outcome {
            Ok(results) if results.iter().all(Option::is_some) => results,
            Ok(_) => unreachable!("every step's waits are on earlier steps"),
            Err((e, table)) => return Err(self.on_table(e, &table)),
        };
        stopped()?;
        staged::swap(client, &staged.target, tables, advance_sequences).map_err(Self::general)?;
        let mut report = LoadReport {
            tables: Vec::new(),
            elapsed: self.started.elapsed(),
            copying: Duration::ZERO,
            constraints: Duration::ZERO,
            connections: workers.len(),
        };
        for (step, (rows, took)) in steps.iter().zip(results.into_iter().flatten()) {
            match (&step.work, rows) {
                (Work::Copy(table), Some(rows)) => {
                    report.tables.push((table.clone(), rows));
                    report.copying += took;
                }
                _ => report.constraints += took,
            }
        }
        report.tables.sort();
        Ok(report)
    }

    /// The steps of a load over several connections, in the order a free
    /// connection prefers them: the biggest file first, so the longest copy
    /// does not start last.
    fn steps(&self, tables: &[String], set_aside: SetAside) -> Vec<Step<Work>> {
        let size = |t: &String| std::fs::metadata(&self.files[t]).map(|m| m.len()).unwrap_or(0);
        let mut by_size: Vec<&String> = tables.iter().collect();
        by_size.sort_by_key(|t| std::cmp::Reverse(size(t)));
        let mut steps: Vec<Step<Work>> = by_size
            .iter()
            .map(|t| Step { tables: vec![(*t).clone()], after: vec![], work: Work::Copy((*t).clone()) })
            .collect();
        let copied: BTreeMap<String, usize> = by_size.iter().enumerate().map(|(i, t)| ((*t).clone(), i)).collect();
        let mut keys: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for (table, sql) in &set_aside.keys {
            keys.entry(table).or_default().push(sql);
        }
        let mut keyed: BTreeMap<String, usize> = BTreeMap::new();
        for t in &by_size {
            if let Some(sqls) = keys.remove(t.as_str()) {
                keyed.insert((*t).clone(), steps.len());
                steps.push(Step {
                    tables: vec![(*t).clone()],
                    after: copied.get(*t).copied().into_iter().collect(),
                    work: Work::Restore((*t).clone(), sqls.join(";\n")),
                });
            }
        }
        // A foreign key waits for its own table and the one it references
        // (its key, or if it has none, its rows).
        let ready = |t: &str| keyed.get(t).or_else(|| copied.get(t)).copied();
        for (table, referenced, sql) in set_aside.foreign {
            let after = [ready(&table), ready(&referenced)].into_iter().flatten().collect();
            let mut locks = vec![table.clone()];
            if referenced != table {
                locks.push(referenced);
            }
            steps.push(Step { tables: locks, after, work: Work::Restore(table, sql) });
        }
        steps
    }

    /// The load in one transaction on `client`: the files one after another,
    /// then the keys and indexes.
    fn in_one_transaction(&self, client: &mut Client) -> Result<LoadReport, Diagnostic> {
        let mut tx = client.transaction().map_err(Self::general)?;
        tx.batch_execute(&LOAD_SETTINGS.replace("SET ", "SET LOCAL ")).map_err(Self::general)?;
        // Dropping and re-creating makes a second load give the same database; in
        // one transaction, a failure below restores every dropped table.
        if !self.files.is_empty() {
            let names: Vec<String> = self.files.keys().map(|t| sql_ident(t)).collect();
            tx.batch_execute(&format!("DROP TABLE IF EXISTS {} CASCADE", names.join(", "))).map_err(Self::general)?;
        }
        tx.batch_execute(self.schema).map_err(|e| {
            let err = sql_error(&e, self.schema);
            let d = Diagnostic::in_file((self.display)(self.schema_path), err.message);
            match err.position {
                Some((l, c)) => d.at(l, c).with_detail(excerpt(self.schema, l, c)),
                None => d,
            }
        })?;
        let order = load_order(&mut tx, self.files).map_err(Self::general)?;
        // Checking each row against a key or index as it arrives costs far more
        // than building the index once and checking a foreign key with one join
        // (PostgreSQL's manual, "Populating a Database"); CHECK and NOT NULL stay.
        let set_aside = SetAside::take(&mut tx, &order).map_err(Self::general)?;
        let meter = self.meter();
        let mut tables = Vec::new();
        let copying = Instant::now();
        for table in order {
            let rows = copy_file(&mut tx, &table, &self.files[&table], &meter).map_err(|e| self.on_table(e, &table))?;
            tables.push((table, rows));
        }
        drop(meter);
        let copying = copying.elapsed();
        let checking = Instant::now();
        set_aside.restore(&mut tx).map_err(|(e, table)| self.on_table(CopyError::Pg(e), &table))?;
        let constraints = checking.elapsed();
        advance_sequences(&mut tx).map_err(Self::general)?;
        stopped()?;
        tx.commit().map_err(Self::general)?;
        Ok(LoadReport { tables, elapsed: self.started.elapsed(), copying, constraints, connections: 1 })
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
