//! A table's sparkline column (`sparkline={"query": …, "key": …, "x": …,
//! "y": …}`): each row's series from a second query, drawn as a small SVG
//! line after the other columns. The build writes the first page's lines;
//! the runtime's `sparkCell` builds the same elements from the shards
//! (`query::sparks`) for the rows it shows.

use crate::components::args::MapArg;
use crate::components::invalid;
use crate::components::scope::PageScope;
use crate::query::sparks::{Lines, Spark, SparkSet, HEIGHT, WIDTH};
use crate::source::value::ColumnKind;
use crate::util::format::CELL_FORMATS;
use crate::util::html::escape_for_markdown;
use minijinja::value::Value;
use minijinja::Error;
use serde_json::{json, Value as Json};
use std::sync::Arc;

/// The keys `sparkline=` takes; `query`, `key`, `x` and `y` are required.
const KEYS: &[&str] = &["query", "key", "x", "y", "label", "format"];

/// A checked sparkline column with its lines.
pub struct SparkColumn {
    pub set: SparkSet,
    lines: Arc<Lines>,
}

/// Reads `sparkline={"query": "post_daily", "key": "post_id", "x":
/// "metric_date", "y": "reach", "label": "Daily reach", "format": "compact"}`:
/// the query must be held (not past `max_rows`) and hold `key`, `x` and a
/// number column `y`; `key` must also be a column of the table's rows
/// (`fields`). `label` (the column's heading and the start of each line's
/// description) defaults to `y`; `format` (a cell format for the figures in
/// the description) to `number`. Records the set on the page.
pub fn read(v: Value, scope: &PageScope, fields: &[String]) -> Result<SparkColumn, Error> {
    let map = MapArg::new(&v, "table sparkline", KEYS, r#"{"query": "daily", "key": "id", "x": "day", "y": "reach"}"#)?;
    let required = |name: &str| -> Result<String, Error> {
        map.text(name)?
            .ok_or_else(|| invalid(format!("table sparkline needs '{name}' (it takes: {})", KEYS.join(", "))))
    };
    let query = required("query")?;
    let (key, x, y) = (required("key")?, required("x")?, required("y")?);
    let format = map.text("format")?.unwrap_or_else(|| "number".into());
    if !CELL_FORMATS.contains(&format.as_str()) {
        return Err(invalid(format!(
            "table sparkline format must be one of {}, got '{format}'",
            CELL_FORMATS.join(", ")
        )));
    }
    let result = scope.peek(&query, "table sparkline")?;
    for (c, what) in [(&key, "key"), (&x, "x")] {
        crate::components::scope::check_column(&result, &query, c, &format!("table sparkline {what}"))?;
    }
    crate::components::scope::check_kind(&result.columns, &query, &y, "table sparkline y", ColumnKind::Number)?;
    if !fields.is_empty() && !fields.contains(&key) {
        return Err(invalid(format!(
            "table sparkline key '{key}' is not a column of the table's rows{} (they have: {})",
            crate::util::diag::suggestion(&key, fields.iter().map(String::as_str)),
            fields.join(", ")
        )));
    }
    let label = map.text("label")?.unwrap_or_else(|| y.clone());
    let set = SparkSet { query, key, x, y, format, label };
    let lines = scope.catalog.sparker.lines(&set, &result);
    scope.request_sparks(set.clone());
    Ok(SparkColumn { set, lines })
}

impl SparkColumn {
    /// For the table's spec: where the shards are and which column keys them.
    pub fn spec(&self) -> Json {
        json!({"folder": self.set.folder(), "shards": self.lines.shards.len(), "key": self.set.key, "size": [WIDTH, HEIGHT]})
    }

    /// The column's heading.
    pub fn head(&self) -> String {
        format!("<th scope=\"col\" class=\"vcd-spark-head\">{}</th>", escape_for_markdown(&self.set.label))
    }

    /// The cell of a row whose key value is `key`: its line, or empty. It
    /// carries the key's text (`data-key`), for the runtime's first redraw
    /// to take the line rather than fetch it again.
    pub fn cell(&self, key: &Json) -> String {
        let key = crate::util::format::text(key);
        let line = self.lines.get(&key).map(svg).unwrap_or_default();
        format!("<td class=\"vcd-spark\" data-key=\"{}\">{line}</td>", escape_for_markdown(&key))
    }
}

/// A line as SVG markup; the runtime's `sparkCell` makes the same elements,
/// attributes in the same order. Coordinates are made from numbers only; the
/// description, which holds data, is escaped.
fn svg(s: &Spark) -> String {
    let label = escape_for_markdown(&s.label);
    format!(
        "<svg viewBox=\"0 0 {WIDTH} {HEIGHT}\" width=\"{WIDTH}\" height=\"{HEIGHT}\" role=\"img\" aria-label=\"{label}\">\
         <title>{label}</title><path d=\"{}\"></path><circle cx=\"{}\" cy=\"{}\" r=\"2\"></circle></svg>",
        s.d, s.cx, s.cy
    )
}
