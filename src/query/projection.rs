//! Some columns of a result: what a chart of one mark per row loads instead
//! of the whole result, `data/<query>.p<h>.json` (`<h>`: the FNV-1a hash of
//! the columns, 16 hex digits), rows as `data/<query>.json` has them with
//! only those columns.

use crate::source::value::QueryResult;
use crate::util::hash::Fnv;
use serde_json::{Map, Value as Json};

/// The columns of `query` a chart reads: those it encodes and those the
/// page's filters test on it (`pipeline::tables::projection` adds them).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Projection {
    pub query: String,
    /// In result order.
    pub fields: Vec<String>,
}

impl Projection {
    /// Its file, relative to `data/`.
    pub fn file(&self) -> String {
        let mut h = Fnv::new();
        h.write(format!("{:?}", self.fields).as_bytes());
        format!("{}.p{:016x}.json", self.query, h.finish())
    }

    /// Its bytes: every row of `result`, with only these columns.
    pub fn bytes(&self, result: &QueryResult) -> Vec<u8> {
        let at: Vec<(usize, &String)> =
            self.fields.iter().filter_map(|f| Some((result.columns.iter().position(|c| &c.name == f)?, f))).collect();
        let rows: Vec<Map<String, Json>> =
            result.rows.iter().map(|r| at.iter().map(|&(i, f)| (f.clone(), r[i].clone())).collect()).collect();
        serde_json::to_vec(&rows).expect("JSON values serialise")
    }
}
