//! A query's result split by the values of one column, in one pass over its
//! rows, for the pages made from rows: each such page gets only its own rows
//! of the queries keyed like it (see `pipeline::slices`).

use crate::query::memo::Memo;
use crate::source::value::QueryResult;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::sync::Arc;

/// A result's rows grouped by one column: each value's text ([`value_text`])
/// → the indices of the rows holding it, in result order.
pub type Partition = HashMap<String, Vec<usize>>;

/// The text key values compare by: the value as JSON (`17`, `"17"`,
/// `"9007199254740993"`), so the number 17 and the text "17" are two values,
/// as they are to a chart's `filter`, and an integer beyond 2^53 (written as
/// a string of its digits) is never confused with its rounded neighbour.
pub fn value_text(value: &Json) -> String {
    value.to_string()
}

/// Splits `result` by its `key` column (empty if it has no such column).
/// Only row indices are kept; the rows stay in the result.
pub fn partition(result: &QueryResult, key: &str) -> Partition {
    let mut groups = Partition::new();
    let Some(col) = result.columns.iter().position(|c| c.name == key) else { return groups };
    for (i, row) in result.rows.iter().enumerate() {
        groups.entry(value_text(&row[col])).or_default().push(i);
    }
    groups
}

/// The indices of the rows whose key has the text `value` (none if no row has it).
pub fn indices<'a>(partition: &'a Partition, value: &str) -> &'a [usize] {
    partition.get(value).map_or(&[], Vec::as_slice)
}

/// The rows of `result` whose key has the text `value`, as a result of their own.
pub fn rows_of(result: &QueryResult, partition: &Partition, value: &str) -> QueryResult {
    let rows = indices(partition, value).iter().map(|&i| result.rows[i].clone()).collect();
    QueryResult { columns: result.columns.clone(), rows }
}

/// Splits of query results by a column, each made once and kept with the
/// result it was made from ([`Memo`]).
pub type Slicer = Memo<Partition>;

impl Memo<Partition> {
    /// `result`, the result of `query`, split by its `key` column.
    pub fn split(&self, query: &str, key: &str, result: &Arc<QueryResult>) -> Arc<Partition> {
        self.get(query, key, result, || partition(result, key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::value::Column;
    use serde_json::json;

    fn result(keys: &[Json]) -> Arc<QueryResult> {
        Arc::new(QueryResult {
            columns: vec![
                Column { name: "id".into(), sql_type: "JSON".into() },
                Column { name: "n".into(), sql_type: "BIGINT".into() },
            ],
            rows: keys.iter().enumerate().map(|(i, k)| vec![k.clone(), json!(i)]).collect(),
        })
    }

    #[test]
    fn a_result_splits_by_json_value_in_one_pass() {
        let r = result(&[json!(1), json!("1"), json!(1), json!(null), json!("x/y"), json!(1.0)]);
        let p = partition(&r, "id");
        assert_eq!(p.len(), 5);
        assert_eq!(indices(&p, &value_text(&json!(1))), [0, 2]);
        assert_eq!(indices(&p, &value_text(&json!("1"))), [1], "the text \"1\" is not the number 1");
        assert_eq!(indices(&p, &value_text(&json!(1.0))), [5]);
        assert!(indices(&p, &value_text(&json!(2))).is_empty());
        let own = rows_of(&r, &p, &value_text(&json!("x/y")));
        assert_eq!(own.rows, vec![vec![json!("x/y"), json!(4)]]);
        assert_eq!(own.columns, r.columns);
        assert!(partition(&r, "nope").is_empty());
    }

    #[test]
    fn a_split_is_made_once_per_result() {
        let slicer = Slicer::default();
        let (a, b) = (result(&[json!(1)]), result(&[json!(2)]));
        let first = slicer.split("q", "id", &a);
        assert!(Arc::ptr_eq(&first, &slicer.split("q", "id", &a)), "made once");
        let other = slicer.split("q", "id", &b);
        assert!(other.contains_key("2") && !other.contains_key("1"), "a new result is split anew");
        slicer.retain(|_, _, _| false);
        assert!(!Arc::ptr_eq(&other, &slicer.split("q", "id", &b)), "forgotten");
    }
}
