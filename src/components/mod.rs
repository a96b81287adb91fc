//! Components: template functions that build a piece of dashboard from a few arguments.

pub mod args;
pub mod calendar;
pub mod deferred;
pub mod figure;
pub mod funnel;
pub mod inputs;
pub mod kpi;
pub mod layout;
pub mod sankey;
pub mod scope;
pub mod shorthand;
pub mod table;

pub use kpi::{kpi, value};
pub use table::table;

use crate::util::format::{Num, Style};
use minijinja::value::Value;
use minijinja::{Error, ErrorKind};

/// The aggregates a chart's figure takes where the engine computes it from a
/// rollup (`calendar_heatmap`, `combo_chart`): each adds up across groups.
pub(crate) const ROLLED_AGGS: &[&str] = &["sum", "mean", "count", "min", "max"];

/// The number formats a component accepts, and each one's default decimals.
pub(crate) const FORMATS: &[(&str, usize)] = &[("number", 0), ("percent", 1), ("currency", 2), ("compact", 1)];

/// A chart's `format=` (one of [`FORMATS`], `number` when not given), or an
/// error naming the function and the formats it takes.
pub(crate) fn chart_format(function: &str, format: Option<String>) -> Result<String, Error> {
    let format = format.unwrap_or_else(|| "number".into());
    if FORMATS.iter().any(|(f, _)| *f == format) {
        return Ok(format);
    }
    let known: Vec<&str> = FORMATS.iter().map(|(f, _)| *f).collect();
    Err(invalid(format!("{function} format must be one of {}, got '{format}'", known.join(", "))))
}

pub(crate) fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

/// Formats `n` in one of [`FORMATS`] (`docs/formatting.md`; the runtime's `format` is the same).
pub(crate) fn format(n: &Num, format: &str, decimals: usize) -> String {
    let style = match format {
        "percent" => Style::Percent,
        "currency" => Style::Currency("$"),
        "compact" => Style::Compact,
        _ => Style::Number,
    };
    crate::util::format::format(n, style, decimals as u32)
}

/// A template value as JSON (rows of a query are JSON values already).
pub(crate) fn json(v: &Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}
