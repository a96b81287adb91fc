//! A page per row gets only its row: each page made from a bracketed file
//! (`pages/posts/[post_id].md`) loads, of every query its charts, tables and
//! KPIs read that returns the key column, only the rows whose key equals its
//! own, so a post page weighs the same with a hundred posts or 100,000.
//!
//! Such a query still runs once, like any other; its result is split by key
//! value in one pass (`query::partition`) and each page's rows are written to
//! a file of their own, `data/<query>.by.<key>/<h>.json` ([`Slice::file`]),
//! where `<h>` is the 64-bit FNV-1a hash of the key value's JSON text in 16
//! hex digits. A hash names any value safely (slashes, dots, Unicode, long
//! texts, values that differ only in letter case on a case-insensitive disk),
//! and values compare by their JSON text: the number `17` and the text `"17"`
//! are two values, as they are to a chart's `filter`. The page's components
//! read the same rows at build time (`components::scope::PageScope::read`).

use crate::components::scope::Catalog;
use crate::page::Page;
use crate::query::chunks::ChunkSet;
use crate::query::partition::{self, Partition};
use crate::query::projection::Projection;
use crate::render::RenderedPage;
use crate::source::value::{ColumnKind, QueryResult};
use crate::util::diag::{excerpt, Diagnostic};
use crate::util::hash::Fnv;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};

/// The rows of `query` whose `key` column holds one value: what one page loads.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Slice {
    pub query: String,
    pub key: String,
    /// The value as JSON text (`17`, `"a/b"`; see [`partition::value_text`]).
    pub value: String,
}

impl Slice {
    /// The slice of `query` for a page whose `key` column holds `value`.
    pub fn new(query: &str, key: &str, value: &Json) -> Slice {
        Slice { query: query.to_string(), key: key.to_string(), value: partition::value_text(value) }
    }

    /// Its file, relative to `data/`: `post_daily.by.post_id/<16 hex digits>.json`.
    pub fn file(&self) -> String {
        let mut h = Fnv::new();
        h.write(self.value.as_bytes());
        format!("{}/{:016x}.json", folder(&self.query, &self.key), h.finish())
    }
}

/// The folder in `data/` that holds the slices of `query` by `key`: `post_daily.by.post_id`.
/// (Query and column names are identifiers, so it cannot be confused with a
/// result file, `<query>.json`, or a variant, `<query>.<hash>.json`.)
pub fn folder(query: &str, key: &str) -> String {
    format!("{query}.by.{key}")
}

/// What one page loads: the queries it reads whole (`data/<query>.json`, or
/// the variants of a query with parameters) and its slices.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Loads {
    pub whole: BTreeSet<String>,
    pub slices: Vec<Slice>,
    /// The sorted chunks its paged tables read (`pipeline::tables`).
    pub chunks: Vec<ChunkSet>,
    /// The columns its charts of one mark per row read (`pipeline::tables`).
    pub projections: Vec<Projection>,
}

/// What a rendered page loads. A page made from a bracketed file gets a slice
/// of each query its components read that returns its key column; it reads
/// every other query whole, as every other page does. A query with
/// `$parameters` is never sliced ([`Catalog::sliced`]): the browser swaps in
/// its pre-computed variants, each a whole result (and a `rows:` query, the
/// one pages are made from, cannot take parameters; see [`crate::page::expand`]).
///
/// Errors when a sliced query's key column holds another kind of value than
/// the `rows:` query's (text against numbers, say): since values compare as
/// JSON, no row would ever match, and every chart would be silently empty.
pub fn loads(page: &Page, rendered: &RenderedPage, catalog: &Catalog) -> Result<Loads, Diagnostic> {
    let mut loads = Loads::default();
    for (query, line) in &rendered.uses {
        match page.row_key() {
            Some((key, value)) if catalog.sliced(query, key) => {
                check_kinds(page, query, key, catalog)
                    .map_err(|d| d.at(*line, None).with_detail(excerpt(&page.body, *line, None)))?;
                loads.slices.push(Slice::new(query, key, value));
            }
            _ => {
                loads.whole.insert(query.clone());
            }
        }
    }
    Ok(loads)
}

/// Whether `query`'s `key` column can hold the values of the `rows:` query's.
fn check_kinds(page: &Page, query: &str, key: &str, catalog: &Catalog) -> Result<(), Diagnostic> {
    let Some((rows, _)) = &page.front.rows else { return Ok(()) };
    let column = |q: &str| catalog.columns(q)?.iter().find(|c| c.name == key).cloned();
    let (Some(theirs), Some(ours)) = (column(query), column(rows)) else { return Ok(()) };
    let (a, b) = (theirs.kind(), ours.kind());
    if a == b || a == ColumnKind::Other || b == ColumnKind::Other {
        return Ok(());
    }
    Err(Diagnostic::in_file(
        &page.source,
        format!(
            "each page made from this file loads only the rows of '{query}' whose '{key}' equals its own, but \
             '{key}' is {} in '{query}' and {} in '{rows}', so no row would match; cast one to the other's type \
             in SQL",
            theirs.sql_type, ours.sql_type
        ),
    ))
}

/// Points each sliced query's entry in a page's manifest (see
/// [`crate::pipeline::variants::manifest`]) at the page's slice:
/// `"file": "post_daily.by.post_id/….json"`, which the runtime's `fileFor`
/// loads instead of `<query>.json`.
pub fn point(manifest: &mut Json, loads: &Loads) {
    for s in &loads.slices {
        if let Some(entry) = manifest["queries"].get_mut(&s.query) {
            entry["file"] = Json::from(s.file());
        }
    }
}

/// The bytes of one slice file, written straight from the result's rows: the
/// rows of `result` (split by the slice's key in `split`) holding the slice's
/// value, as `data/<query>.json` would list them; `[]` for a value with no
/// rows, so its page draws an empty chart rather than failing to load.
pub fn bytes(result: &QueryResult, split: &Partition, slice: &Slice) -> Vec<u8> {
    result.rows_to_json_bytes(partition::indices(split, &slice.value))
}

/// The data files a site needs: results written whole, slices, and chunk sets.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Needs {
    pub whole: BTreeSet<String>,
    pub slices: BTreeSet<Slice>,
    pub chunks: BTreeSet<ChunkSet>,
    pub projections: BTreeSet<Projection>,
}

/// The data files for the results of `queries` and pages loading `pages`:
/// every slice a page loads, and every result whole except one that pages
/// load only in slices (a dashboard page reading `post_daily` keeps
/// `post_daily.json`; a query no page reads is written whole, as always).
///
/// Errors if two values would share a slice file (a 64-bit hash collision),
/// rather than give one page the other's rows.
pub fn needs<'a>(
    queries: impl Iterator<Item = &'a String>,
    pages: impl Iterator<Item = &'a Loads> + Clone,
) -> Result<Needs, Diagnostic> {
    let read_whole: BTreeSet<&String> = pages.clone().flat_map(|l| &l.whole).collect();
    let slices: BTreeSet<Slice> = pages.clone().flat_map(|l| l.slices.iter().cloned()).collect();
    let chunks: BTreeSet<ChunkSet> = pages.clone().flat_map(|l| l.chunks.iter().cloned()).collect();
    let projections: BTreeSet<Projection> = pages.flat_map(|l| l.projections.iter().cloned()).collect();
    let only_sliced: BTreeSet<&String> = slices.iter().map(|s| &s.query).filter(|q| !read_whole.contains(q)).collect();
    let whole = queries.filter(|q| !only_sliced.contains(q)).cloned().collect();
    let mut files: BTreeMap<String, &Slice> = BTreeMap::new();
    for s in &slices {
        if let Some(other) = files.insert(s.file(), s) {
            return Err(Diagnostic::new(format!(
                "the values {} and {} of column '{}' hash to the same file, data/{}; rename one of them",
                other.value,
                s.value,
                s.key,
                s.file()
            )));
        }
    }
    Ok(Needs { whole, slices, chunks, projections })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::value::Column;
    use serde_json::json;

    fn result(key_type: &str, keys: &[Json]) -> QueryResult {
        QueryResult {
            columns: vec![
                Column { name: "id".into(), sql_type: key_type.into() },
                Column { name: "n".into(), sql_type: "BIGINT".into() },
            ],
            rows: keys.iter().enumerate().map(|(i, k)| vec![k.clone(), json!(i)]).collect(),
        }
    }

    #[test]
    fn any_value_names_a_file_and_values_compare_as_json() {
        let file = |v: Json| Slice::new("q", "id", &v).file();
        let name = file(json!("a/b ✨ ../x"));
        assert!(name.starts_with("q.by.id/") && name.ends_with(".json"), "{name}");
        let hash = &name["q.by.id/".len()..name.len() - ".json".len()];
        assert!(hash.len() == 16 && hash.chars().all(|c| c.is_ascii_hexdigit()), "{name}");
        assert_ne!(file(json!(17)), file(json!("17")));
        assert_ne!(file(json!("A")), file(json!("a")), "letter case is kept apart");
        assert_eq!(file(json!(17)), file(json!(17u64)));
        assert_eq!(file(json!("9007199254740993")), Slice::new("q", "id", &json!("9007199254740993")).file());
    }

    #[test]
    fn each_slice_file_holds_its_rows() {
        let r = result("JSON", &[json!(1), json!("1"), json!(1), json!(null), json!("x/y")]);
        let p = partition::partition(&r, "id");
        let bytes = |v: Json| String::from_utf8(super::bytes(&r, &p, &Slice::new("q", "id", &v))).unwrap();
        assert_eq!(bytes(json!(1)), r#"[{"id":1,"n":0},{"id":1,"n":2}]"#);
        assert_eq!(bytes(json!("x/y")), r#"[{"id":"x/y","n":4}]"#);
        assert_eq!(bytes(json!("1")), r#"[{"id":"1","n":1}]"#);
        assert_eq!(bytes(json!(2)), "[]", "a value with no rows is an empty slice");
    }

    #[test]
    fn a_result_only_sliced_is_not_written_whole() {
        let names: Vec<String> = ["daily", "facts", "other"].map(String::from).to_vec();
        let post = |id: i64| Loads {
            whole: ["facts".to_string()].into(),
            slices: vec![Slice::new("daily", "id", &json!(id))],
            ..Loads::default()
        };
        let pages = [post(1), post(2)];
        let n = needs(names.iter(), pages.iter()).unwrap();
        assert_eq!(n.whole, ["facts".to_string(), "other".to_string()].into());
        assert_eq!(n.slices.len(), 2);

        let dashboard = Loads { whole: ["daily".to_string()].into(), ..Loads::default() };
        let pages = [post(1), dashboard];
        assert!(needs(names.iter(), pages.iter()).unwrap().whole.contains("daily"));
    }

    #[test]
    fn the_manifest_names_each_slice() {
        let mut m = json!({"inputs": [], "queries": {"daily": {"columns": ["id"]}, "facts": {"columns": ["id"]}}});
        let s = Slice::new("daily", "id", &json!(3));
        point(&mut m, &Loads { slices: vec![s.clone()], ..Loads::default() });
        assert_eq!(m["queries"]["daily"]["file"], json!(s.file()));
        assert!(m["queries"]["facts"].get("file").is_none());
    }
}
