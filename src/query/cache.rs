//! The query result cache: each result stored under a hash of its SQL and of the
//! data files it can read, so an unchanged query over unchanged data is not run
//! again, and a build whose queries all hit the cache never loads the data at all.

use crate::project::timezone::Zone;
use crate::source::value::{Column, QueryResult};
use crate::util::hash::Fnv;
use serde_json::Value as Json;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folder (inside the project) holding cached results; safe to delete at any time.
pub const DIR: &str = ".vcd-cache";

/// A stored result: `{"columns": [[name, SQL type], …], "rows": [[value, …], …]}`.
#[derive(serde::Deserialize)]
struct Stored {
    columns: Vec<[String; 2]>,
    rows: Vec<Vec<Json>>,
}

/// [`Stored`], written from a result it borrows.
#[derive(serde::Serialize)]
struct StoredRef<'a> {
    columns: Vec<[&'a str; 2]>,
    rows: &'a [Vec<Json>],
}

pub struct Cache {
    dir: PathBuf,
    /// Hash of vcd's version, the time zone and every data file's name, size and modification time.
    fingerprint: u64,
    /// Keys read or written this run; the rest are pruned after a successful build.
    used: Mutex<BTreeSet<String>>,
}

impl Cache {
    /// A cache for the offline source over `data_dir`, whose queries run in
    /// time zone `zone`. (PostgreSQL results are never cached: the server's
    /// data can change without vcd seeing it.)
    pub fn offline(root: &Path, data_dir: &Path, zone: Zone) -> Cache {
        let mut h = Fnv::new();
        h.write(env!("CARGO_PKG_VERSION").as_bytes());
        h.write(crate::source::value::RESULT_FORMAT.as_bytes());
        h.write(zone.name().as_bytes());
        let mut entries: Vec<_> =
            std::fs::read_dir(data_dir).map(|d| d.flatten().map(|e| e.path()).collect()).unwrap_or_default();
        entries.sort();
        for path in entries {
            let Ok(meta) = std::fs::metadata(&path) else { continue };
            h.write(path.file_name().map(|n| n.as_encoded_bytes()).unwrap_or_default());
            h.write(&meta.len().to_le_bytes());
            let mtime =
                meta.modified().ok().and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok()).unwrap_or_default();
            h.write(&mtime.as_nanos().to_le_bytes());
        }
        Cache { dir: root.join(DIR), fingerprint: h.finish(), used: Mutex::new(BTreeSet::new()) }
    }

    fn key(&self, sql: &str) -> String {
        let mut h = Fnv::new();
        h.write(&self.fingerprint.to_le_bytes());
        h.write(sql.as_bytes());
        format!("{:016x}", h.finish())
    }

    /// Whether a result is stored for `sql` (without reading it).
    pub fn has(&self, sql: &str) -> bool {
        self.dir.join(format!("{}.json", self.key(sql))).is_file()
    }

    pub fn get(&self, sql: &str) -> Option<QueryResult> {
        let key = self.key(sql);
        let text = std::fs::read(self.dir.join(format!("{key}.json"))).ok()?;
        let stored: Stored = serde_json::from_slice(&text).ok()?;
        drop(text);
        self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(key);
        let columns = stored.columns.into_iter().map(|[name, sql_type]| Column { name, sql_type }).collect();
        Some(QueryResult { columns, rows: stored.rows })
    }

    /// Stores a result; a failure to write only costs a re-run next time.
    /// The rows are written straight from the result, never copied: a held
    /// result may be a million rows.
    pub fn put(&self, sql: &str, result: &QueryResult) {
        use std::io::Write;
        let key = self.key(sql);
        let columns: Vec<[&str; 2]> = result.columns.iter().map(|c| [c.name.as_str(), c.sql_type.as_str()]).collect();
        let stored = StoredRef { columns, rows: &result.rows };
        if std::fs::create_dir_all(&self.dir).is_ok() {
            let tmp = self.dir.join(format!("{key}.tmp"));
            let written = std::fs::File::create(&tmp)
                .and_then(|f| {
                    let mut out = std::io::BufWriter::with_capacity(1 << 20, f);
                    serde_json::to_writer(&mut out, &stored)?;
                    out.flush()
                })
                .and_then(|_| std::fs::rename(&tmp, self.dir.join(format!("{key}.json"))));
            if written.is_ok() {
                self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(key);
            }
        }
    }

    /// Removes entries this run did not use (old SQL, old data).
    pub fn prune(&self) {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let Ok(entries) = std::fs::read_dir(&self.dir) else { return };
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if !used.contains(name.trim_end_matches(".json")) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_stored_result_reads_back_exactly() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::offline(dir.path(), dir.path(), Zone::default());
        let result = QueryResult {
            columns: vec![
                Column { name: "n".into(), sql_type: "HUGEINT".into() },
                Column { name: "x".into(), sql_type: "DOUBLE".into() },
                Column { name: "j".into(), sql_type: "JSON".into() },
            ],
            rows: vec![
                vec![json!("170141183460469231731687303715884105727"), json!(0.1 + 0.2), json!({"b": 1, "a": [null]})],
                vec![json!(-9007199254740993i64), json!(null), json!("</script>")],
            ],
        };
        assert!(cache.get("SELECT 1").is_none());
        cache.put("SELECT 1", &result);
        assert!(cache.has("SELECT 1"));
        let back = cache.get("SELECT 1").unwrap();
        assert_eq!((back.columns, back.rows), (result.columns, result.rows));
        let text =
            std::fs::read_to_string(dir.path().join(DIR).join(format!("{}.json", cache.key("SELECT 1")))).unwrap();
        assert!(text.starts_with(r#"{"columns":[["n","HUGEINT"],["x","DOUBLE"],["j","JSON"]],"rows":[["#), "{text}");
    }
}
