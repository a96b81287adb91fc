//! A result too big to hold (more than `max_rows` rows) that pages made from
//! rows read only in slices: streamed from the engine in one pass, split by
//! the key column as it goes, and kept on disk, so memory holds one key's
//! rows at a time whatever the result's size. Each page's own rows are read
//! back from it ([`Spill::rows_of`]), the same rows, in the same order, as a
//! result held whole gives (`query::partition::rows_of`).
//!
//! The file is anonymous (`tempfile::tempfile`): one file however many key
//! values, gone when vcd closes it. Each value's rows are stored as segments,
//! runs of consecutive rows with that value, so a query ordered by its key
//! (`ORDER BY post_id, metric_date`) gives one segment per value, and any
//! other order still reads back each value's rows in result order.

use crate::query::partition::value_text;
use crate::query::QueryFile;
use crate::source::value::{write_row_json, Column, QueryResult};
use crate::source::Source;
use crate::util::diag::Diagnostic;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::Mutex;

/// A query's result split by `key`, on disk.
#[derive(Debug)]
pub struct Spill {
    pub query: String,
    pub key: String,
    pub columns: Vec<Column>,
    /// How many rows the result has.
    pub rows: usize,
    file: Mutex<File>,
    /// Each key value's text ([`value_text`]) → its segments, in result
    /// order: byte offset and length in the file of rows written as JSON
    /// objects separated by commas.
    segments: HashMap<String, Vec<(u64, usize)>>,
}

/// The run of rows being gathered: one key value's consecutive rows.
struct Run {
    value: String,
    bytes: Vec<u8>,
}

impl Spill {
    /// Runs `q` (no parameters) on `source` and spills its rows by `key`.
    ///
    /// # Errors
    /// The query's own error (it ran once already, so only a changed database
    /// makes it fail here), `key` missing from its columns, or a failure to
    /// write the temporary file (a full disk): each a diagnostic on the query file.
    pub fn run(source: &dyn Source, q: &QueryFile, key: &str) -> Result<Spill, Diagnostic> {
        let fail = |message: String| Diagnostic::in_file(&q.path, message);
        let file = tempfile::tempfile().map_err(|e| fail(format!("cannot make a temporary file to spill to: {e}")))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
        let mut segments: HashMap<String, Vec<(u64, usize)>> = HashMap::new();
        let mut offset = 0u64;
        let mut rows = 0usize;
        let mut run: Option<Run> = None;
        let mut column: Option<usize> = None;
        let mut problem: Option<String> = None;
        let mut flush = |run: Run, out: &mut std::io::BufWriter<File>| -> std::io::Result<()> {
            out.write_all(&run.bytes)?;
            segments.entry(run.value).or_default().push((offset, run.bytes.len()));
            offset += run.bytes.len() as u64;
            Ok(())
        };
        let columns = source
            .stream(&q.run_sql, &[], q.timeout, &mut |columns, row| {
                let Some(k) = column.or_else(|| columns.iter().position(|c| c.name == key)) else {
                    problem = Some(format!("the result has no column '{key}' to split it by"));
                    return false;
                };
                column = Some(k);
                let value = value_text(&row[k]);
                let current = match run.take() {
                    Some(r) if r.value == value => r,
                    other => {
                        if let Some(done) = other {
                            if let Err(e) = flush(done, &mut out) {
                                problem = Some(format!("cannot write the spilled rows: {e}"));
                                return false;
                            }
                        }
                        Run { value, bytes: Vec::new() }
                    }
                };
                let mut current = current;
                if !current.bytes.is_empty() {
                    current.bytes.push(b',');
                }
                write_row_json(columns, &row, &mut current.bytes);
                rows += 1;
                run = Some(current);
                true
            })
            .map_err(|e| crate::query::sql_diagnostic(q, e))?;
        if let Some(message) = problem {
            return Err(fail(message));
        }
        let written = run.map_or(Ok(()), |r| flush(r, &mut out)).and_then(|()| out.flush());
        let file = written
            .map_err(|e| e.to_string())
            .and_then(|()| out.into_inner().map_err(|e| e.to_string()))
            .map_err(|e| fail(format!("cannot write the spilled rows: {e}")))?;
        Ok(Spill { query: q.name.clone(), key: key.to_string(), columns, rows, file: Mutex::new(file), segments })
    }

    /// How many distinct key values the result holds.
    pub fn values(&self) -> usize {
        self.segments.len()
    }

    /// The rows whose key has the text `value`, as the JSON of a result file
    /// (`[{...},{...}]`; `[]` when there are none).
    ///
    /// # Errors
    /// Reading the temporary file failed.
    pub fn bytes(&self, value: &str) -> std::io::Result<Vec<u8>> {
        let segments = self.segments.get(value).map_or(&[][..], Vec::as_slice);
        let mut out = Vec::with_capacity(2 + segments.iter().map(|(_, n)| n + 1).sum::<usize>());
        out.push(b'[');
        let mut file = self.file.lock().unwrap_or_else(|e| e.into_inner());
        for (i, &(at, len)) in segments.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            file.seek(SeekFrom::Start(at))?;
            let start = out.len();
            out.resize(start + len, 0);
            file.read_exact(&mut out[start..])?;
        }
        out.push(b']');
        Ok(out)
    }

    /// The rows whose key has the text `value`, as a result of their own.
    ///
    /// # Errors
    /// Reading the temporary file failed.
    pub fn rows_of(&self, value: &str) -> std::io::Result<QueryResult> {
        let bytes = self.bytes(value)?;
        let objects: Vec<serde_json::Map<String, Json>> = serde_json::from_slice(&bytes)?;
        let rows = objects
            .into_iter()
            .map(|mut o| self.columns.iter().map(|c| o.remove(&c.name).unwrap_or(Json::Null)).collect())
            .collect();
        Ok(QueryResult { columns: self.columns.clone(), rows })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::duckdb::DuckSource;
    use crate::util::diag::Diagnostics;
    use std::path::PathBuf;

    fn engine() -> (DuckSource, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let source =
            DuckSource::open(dir.path(), Default::default(), 1 << 30, &|p| p.to_path_buf(), &Diagnostics::default());
        (source.unwrap(), dir)
    }

    fn query(sql: &str) -> QueryFile {
        QueryFile::new("q".into(), PathBuf::from("queries/q.sql"), sql.into())
    }

    #[test]
    fn each_value_reads_back_its_rows_in_result_order_as_a_held_result_would_write_them() {
        let (source, _dir) = engine();
        // Keys out of order, a key coming back, a null key, text "1" beside number 1.
        let sql = "SELECT * FROM (VALUES (1, 'a', 1.5), (2, 'b', NULL), (1, 'c', 2.0), (NULL, 'd', 3.0), \
                   (1, 'e', 1e300)) AS t(k, s, x)";
        let q = query(sql);
        let spill = Spill::run(&source, &q, "k").unwrap();
        let held = source.run(sql, &[], usize::MAX).unwrap();
        let split = crate::query::partition::partition(&held, "k");
        assert_eq!((spill.rows, spill.values()), (5, 3));
        for value in ["1", "2", "null", "\"1\"", "7"] {
            let indices = crate::query::partition::indices(&split, value);
            assert_eq!(spill.bytes(value).unwrap(), held.rows_to_json_bytes(indices), "value {value}");
            let rows: Vec<_> = indices.iter().map(|&i| held.rows[i].clone()).collect();
            assert_eq!(spill.rows_of(value).unwrap().rows, rows, "value {value}");
        }
        assert_eq!(spill.bytes("7").unwrap(), b"[]");
    }

    #[test]
    fn a_missing_key_or_a_failing_query_is_a_diagnostic_on_the_query_file() {
        let (source, _dir) = engine();
        let e = Spill::run(&source, &query("SELECT 1 AS a"), "k").unwrap_err();
        assert!(e.message.contains("no column 'k'"), "{}", e.message);
        assert_eq!(e.file.as_deref(), Some(std::path::Path::new("queries/q.sql")));
        assert!(Spill::run(&source, &query("SELECT nope"), "k").is_err());
    }
}
