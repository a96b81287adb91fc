//! One CSV streamed into its table with COPY, and a failure named at the file's line.

use crate::source::csvfile;
use crate::source::postgres::pg_message;
use crate::source::sql_ident;
use crate::util::diag::Diagnostic;
use crate::util::progress::Meter;
use postgres::GenericClient;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Streams one CSV into its table, a buffer at a time (the file is never
/// held whole), with a progress line on a terminal; columns are named from
/// the header so their order need not match.
pub fn copy_file(client: &mut impl GenericClient, table: &str, path: &Path, meter: &Meter) -> Result<u64, CopyError> {
    let header = csvfile::header(path).map_err(CopyError::Io)?;
    let cols: Vec<String> = header.iter().map(|c| sql_ident(c)).collect();
    // FREEZE writes the rows as already visible to every later transaction
    // (allowed because the table was made in this one), which spares the
    // server a pass over them later; a partitioned table does not take it.
    let plain: bool = client
        .query_one("SELECT relkind = 'r' FROM pg_class WHERE oid = to_regclass($1)", &[&sql_ident(table)])
        .map(|r| r.get(0))
        .unwrap_or(false);
    let freeze = if plain { ", FREEZE true" } else { "" };
    let sql =
        format!("COPY {} ({}) FROM STDIN WITH (FORMAT csv, HEADER true{freeze})", sql_ident(table), cols.join(", "));
    let file = std::fs::File::open(path).map_err(CopyError::Io)?;
    let mut reader = meter.reader(file);
    let mut writer = client.copy_in(&sql).map_err(CopyError::Pg)?;
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

pub enum CopyError {
    Io(std::io::Error),
    Pg(postgres::Error),
    /// Ctrl-C came before the step started.
    Cancelled,
}

/// A COPY failure at the CSV's line: PostgreSQL names it in the error context
/// (`COPY t, line 3, column fee: "abc"`); a key violation names only the key,
/// so the line is found by looking the key up in the file.
pub fn copy_error(e: &CopyError, path: &Path, display: &dyn Fn(&Path) -> PathBuf) -> Diagnostic {
    let shown = display(path);
    let e = match e {
        CopyError::Io(io) => return Diagnostic::in_file(shown, format!("cannot read: {io}")),
        CopyError::Cancelled => return Diagnostic::new(crate::util::interrupt::CANCELLED),
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
