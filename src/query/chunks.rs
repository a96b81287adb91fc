//! A large result in sorted chunks, for the tables that page through it: one
//! copy of the rows a table needs per column it can be sorted by, cut into
//! files of [`chunk_rows`] rows, and an index saying what each chunk holds of
//! the columns the page filters on, so the browser fetches only the chunks
//! that can hold the rows it shows.
//!
//! A set's folder is `data/<query>.t<h>/` (`<h>`: the FNV-1a hash of its
//! definition, 16 hex digits). It holds `0.json`, `1.json`, …: first the
//! chunks of the rows whose sort value is not null, in ascending table order
//! (`docs/formatting.md`, "Sorting"), then the chunks of the null rows in
//! query order; each chunk is `[[values of the first field…], …]`, one array
//! per field. Descending reads the first group backwards, each chunk's rows
//! reversed, then the nulls: exactly [`crate::util::format::table_order`].
//! `index.json` is `{"chunks": [[summary of each filter column…]…]}` (see
//! [`summary`]).

use crate::query::memo::Memo;
use crate::source::value::QueryResult;
use crate::util::hash::Fnv;
use serde_json::{json, Value as Json};
use std::collections::BTreeSet;
use std::sync::Arc;

/// Rows per chunk: a tenth of the rows a page may ship whole (`browser_rows`),
/// so reading ten chunks costs what one result at the threshold does. At the
/// default 5,000, 500 rows: about 20 KB gzipped for the demo's posts table.
pub fn chunk_rows(browser_rows: usize) -> usize {
    (browser_rows / 10).max(1)
}

/// Distinct values an index lists per chunk and column; past it, "any".
const INDEX_VALUES: usize = 16;

/// One sorted copy of the columns a table needs of a query's result.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ChunkSet {
    pub query: String,
    /// The columns each chunk holds, in result order.
    pub fields: Vec<String>,
    /// The column the rows are sorted by; `None`: the query's order.
    pub order: Option<String>,
    /// The columns the index summarizes: those the page's filters test.
    pub filters: Vec<String>,
    /// Rows per chunk ([`chunk_rows`]).
    pub rows: usize,
}

impl ChunkSet {
    /// Its folder under `data/`: `post_facts.t<16 hex digits>`.
    pub fn folder(&self) -> String {
        let mut h = Fnv::new();
        h.write(format!("{:?}", (&self.fields, &self.order, &self.filters, self.rows)).as_bytes());
        format!("{}.t{:016x}", self.query, h.finish())
    }
}

/// A result's rows in the ascending table order of one column: positions of
/// the non-null values (ties in query order), then of the nulls. With no
/// column, every position in query order, as values.
#[derive(Debug, Default)]
pub struct Order {
    pub values: Vec<usize>,
    pub nulls: Vec<usize>,
}

impl Order {
    /// Sorts `result` by `column` (the query's order for `None`, or a column it lacks).
    pub fn of(result: &QueryResult, column: Option<&str>) -> Order {
        let at = column.and_then(|c| result.columns.iter().position(|x| x.name == c));
        match at {
            Some(at) => {
                let (values, nulls) = crate::util::format::ascending(result.rows.len(), |i| &result.rows[i][at]);
                Order { values, nulls }
            }
            None => Order { values: (0..result.rows.len()).collect(), nulls: Vec::new() },
        }
    }

    /// How many chunks of `size` rows hold values, and how many nulls.
    pub fn chunk_counts(&self, size: usize) -> (usize, usize) {
        (self.values.len().div_ceil(size), self.nulls.len().div_ceil(size))
    }

    /// The positions of chunk `k` of `size` rows (empty past the last).
    pub fn chunk(&self, k: usize, size: usize) -> &[usize] {
        let (v, _) = self.chunk_counts(size);
        let (list, k) = if k < v { (&self.values, k) } else { (&self.nulls, k - v) };
        let start = (k * size).min(list.len());
        &list[start..(start + size).min(list.len())]
    }

    /// The first `n` positions in a direction (1 ascending, -1 descending),
    /// as [`crate::util::format::table_order`] has them.
    pub fn first(&self, n: usize, dir: i32) -> Vec<usize> {
        let values: Box<dyn Iterator<Item = &usize>> =
            if dir < 0 { Box::new(self.values.iter().rev()) } else { Box::new(self.values.iter()) };
        values.chain(self.nulls.iter()).take(n).copied().collect()
    }

    /// How many chunks of `size` rows there are.
    pub fn chunks(&self, size: usize) -> usize {
        let (v, n) = self.chunk_counts(size);
        v + n
    }
}

/// Orders of query results by a column, each made once and kept with the
/// result it was made from ([`Memo`]).
pub type Sorter = Memo<Order>;

impl Memo<Order> {
    /// `result`, the result of `query`, in the order of `column` (`None`: its own).
    pub fn order(&self, query: &str, column: Option<&str>, result: &Arc<QueryResult>) -> Arc<Order> {
        self.get(query, &Sorter::key(column), result, || Order::of(result, column))
    }

    /// The key an order is kept under: `+column`; the query's own order
    /// under "", which no column's key is.
    pub fn key(column: Option<&str>) -> String {
        column.map_or_else(String::new, |c| format!("+{c}"))
    }
}

/// The positions of `names` among the result's columns (names it lacks are skipped).
fn positions(result: &QueryResult, names: &[String]) -> Vec<usize> {
    names.iter().filter_map(|n| result.columns.iter().position(|c| &c.name == n)).collect()
}

/// Chunk `k` of `set` as its file: one array per field, in chunk order.
pub fn chunk_bytes(result: &QueryResult, set: &ChunkSet, order: &Order, k: usize) -> Vec<u8> {
    let rows = order.chunk(k, set.rows);
    let columns: Vec<Vec<&Json>> = positions(result, &set.fields)
        .into_iter()
        .map(|c| rows.iter().map(|&i| &result.rows[i][c]).collect())
        .collect();
    serde_json::to_vec(&columns).expect("JSON values serialise")
}

/// The index of `set` as its file: per chunk, a summary of each filter column.
pub fn index_bytes(result: &QueryResult, set: &ChunkSet, order: &Order) -> Vec<u8> {
    let filters = positions(result, &set.filters);
    let chunks: Vec<Json> = (0..order.chunks(set.rows))
        .map(|k| {
            let rows = order.chunk(k, set.rows);
            Json::from(filters.iter().map(|&c| summary(rows.iter().map(|&i| &result.rows[i][c]))).collect::<Vec<_>>())
        })
        .collect();
    serde_json::to_vec(&json!({ "chunks": chunks })).expect("JSON values serialise")
}

/// What a chunk holds of one column, for the browser to skip chunks no row
/// of which can pass a filter: `[texts, first day, last day]`.
///
/// - `texts`: the distinct values as the runtime's `text()` reads them (null
///   is `""`), sorted, when there are at most 16 and every value is text, a
///   boolean, null or an integer the browser reads exactly (|n| ≤ 2^53);
///   otherwise `null` ("any").
/// - the first and last day (`text(v).slice(0, 10)`, what a date range tests)
///   over the non-null values, when every one is text starting with ASCII;
///   otherwise `null`. A chunk whose days lie outside a range holds no row in it.
pub fn summary<'a>(values: impl Iterator<Item = &'a Json>) -> Json {
    let mut texts: Option<BTreeSet<String>> = Some(BTreeSet::new());
    let mut days: Option<(String, String)> = None;
    let mut dated = true;
    for v in values {
        if let Some(set) = &mut texts {
            let t = match v {
                Json::Null => Some(String::new()),
                Json::String(s) => Some(s.clone()),
                Json::Bool(b) => Some(b.to_string()),
                Json::Number(n) => n.as_i64().filter(|i| i.unsigned_abs() <= 1 << 53).map(|i| i.to_string()),
                _ => None,
            };
            match t {
                Some(t) if set.len() < INDEX_VALUES || set.contains(&t) => {
                    set.insert(t);
                }
                _ => texts = None,
            }
        }
        match v {
            Json::Null => {}
            Json::String(s) if dated => {
                let head: String = s.chars().take(10).collect();
                if !head.is_ascii() {
                    dated = false;
                } else if !head.is_empty() {
                    days = Some(match days.take() {
                        None => (head.clone(), head),
                        Some((lo, hi)) => (lo.min(head.clone()), hi.max(head)),
                    });
                }
            }
            _ => dated = false,
        }
    }
    let (first, last) = match days.filter(|_| dated) {
        Some((lo, hi)) => (Json::from(lo), Json::from(hi)),
        None => (Json::Null, Json::Null),
    };
    json!([texts.map(|t| t.into_iter().collect::<Vec<_>>()), first, last])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::value::Column;

    fn result(values: &[Json]) -> QueryResult {
        QueryResult {
            columns: vec![Column { name: "v".into(), sql_type: "x".into() }],
            rows: values.iter().map(|v| vec![v.clone()]).collect(),
        }
    }

    #[test]
    fn descending_reads_the_chunks_backwards() {
        let values: Vec<Json> = (0..1203).map(|i| if i % 7 == 0 { Json::Null } else { json!(i % 10) }).collect();
        let r = result(&values);
        let order = Order::of(&r, Some("v"));
        for dir in [1, -1] {
            let want = crate::util::format::table_order(values.len(), |i| &values[i], dir);
            assert_eq!(order.first(usize::MAX, dir), want);
            let (v, n) = order.chunk_counts(500);
            let mut read: Vec<usize> = Vec::new();
            let ks: Vec<usize> = if dir < 0 { (0..v).rev().collect() } else { (0..v).collect() };
            for k in ks {
                let c = order.chunk(k, 500);
                if dir < 0 {
                    read.extend(c.iter().rev())
                } else {
                    read.extend(c)
                }
            }
            (v..v + n).for_each(|k| read.extend(order.chunk(k, 500)));
            assert_eq!(read, want, "dir {dir}");
        }
    }

    #[test]
    fn summaries_list_texts_and_days_or_say_any() {
        let s = summary([json!("2024-05-01T10:00"), json!("2024-04-30"), Json::Null].iter());
        assert_eq!(s, json!([["", "2024-04-30", "2024-05-01T10:00"], "2024-04-30", "2024-05-01"]));
        let many: Vec<Json> = (0..17).map(|i| json!(format!("p{i}"))).collect();
        assert_eq!(summary(many.iter())[0], Json::Null);
        assert_eq!(summary([json!(1.5), json!(true)].iter()), json!([null, null, null]));
        assert_eq!(summary([json!(9007199254740993_i64)].iter())[0], Json::Null);
        assert_eq!(summary([json!(3), json!(false)].iter()), json!([["3", "false"], null, null]));
    }
}
