//! Rows gathered while a query streams: the first [`AS_VALUES`] as values,
//! the rest as JSON text, so a result that turns out to have more rows than
//! vcd may hold (`max_rows`, found out only by reading one row past it)
//! costs a fraction of the memory it would as values: at 100,000 posts the
//! first million rows of `post_daily` took 576 MB as values, and about a
//! tenth of that as text. A result within the limit is read back into
//! values exactly: serde_json writes every value it can hold and reads it
//! back equal (`float_roundtrip`: a double is written as the shortest text
//! that reads back as the same double).

use serde_json::Value as Json;

/// Rows kept as values before the rest go to text: a result this small
/// never pays for the round trip.
pub const AS_VALUES: usize = 100_000;

/// Bytes of text per block; each block is freed as soon as it is read back.
const BLOCK: usize = 8 << 20;

/// Rows in the order they came: values, then blocks of text, one row per line
/// (`[value, …]\n`).
#[derive(Debug)]
pub struct Staged {
    as_values: usize,
    values: Vec<Vec<Json>>,
    text: Vec<Vec<u8>>,
    count: usize,
}

impl Staged {
    /// Keeps the first `as_values` rows as values.
    pub fn new(as_values: usize) -> Staged {
        Staged { as_values, values: Vec::new(), text: Vec::new(), count: 0 }
    }

    /// How many rows it holds.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub fn push(&mut self, row: Vec<Json>) {
        self.count += 1;
        if self.values.len() < self.as_values {
            self.values.push(row);
            return;
        }
        if self.text.last().is_none_or(|b| b.len() >= BLOCK) {
            self.text.push(Vec::with_capacity(BLOCK + BLOCK / 8));
        }
        let block = self.text.last_mut().expect("a block was just made");
        serde_json::to_writer(&mut *block, &row).expect("JSON values always serialise");
        block.push(b'\n');
    }

    /// Every row as values, in order. Reading back each block frees it, so
    /// the text and the values it becomes are never both held whole.
    pub fn into_rows(self) -> Vec<Vec<Json>> {
        let mut rows = self.values;
        rows.reserve_exact(self.count - rows.len());
        for block in self.text {
            let stream = serde_json::Deserializer::from_slice(&block).into_iter::<Vec<Json>>();
            rows.extend(stream.map(|row| row.expect("the text was written from values")));
        }
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rows_past_the_values_read_back_exactly_and_in_order() {
        let rows: Vec<Vec<Json>> = vec![
            vec![json!(1), json!("a")],
            vec![json!(0.1 + 0.2), json!("line\nbreak \"quoted\" ✨")],
            vec![json!(3.0), json!(null)],
            vec![json!(u64::MAX), json!(i64::MIN)],
            vec![json!(-0.0), json!({"b": [1, {"z": 2, "a": 3}], "a": true})],
            vec![json!(1e300), json!(5e-324)],
            vec![json!("170141183460469231731687303715884105727"), json!([])],
        ];
        for as_values in [0, 1, 3, rows.len()] {
            let mut staged = Staged::new(as_values);
            rows.iter().for_each(|r| staged.push(r.clone()));
            assert_eq!(staged.len(), rows.len());
            let back = staged.into_rows();
            assert_eq!(back, rows, "kept {as_values} as values");
            // Equal as JSON and as text: the same numbers, in the same form, keys in the same order.
            assert_eq!(json!(back).to_string(), json!(rows).to_string());
        }
    }
}
