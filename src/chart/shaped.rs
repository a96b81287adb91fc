//! The rollup requests of the charts the runtime shapes from their figures
//! rather than drawing rows: a box plot (rows counted per value and box, or
//! per interval of the value past `browser_rows`), a funnel (each stage's
//! sum), a calendar (each day's figure), a Sankey diagram (each path's
//! sum) and a combo chart (its bars' and line's figures per x). `chart::rollup::plan` turns them into what a chart needs.

use crate::query::rollup::{self, Bin, Measure, Op, Request};
use crate::source::value::Column;
use serde_json::{json, Value as Json};

/// A box plot's rollup: how many rows hold each value of its number column,
/// per box (`usermeta.vcd.box`: the value column and the keys of a box). A
/// value's count is all a quartile needs, so the runtime works out each box
/// exactly from it under any filter, and the page ships one row per
/// distinct value in a box rather than one per row.
pub(super) fn box_counts(query: &str, b: &Json, columns: &[Column]) -> Result<Request, String> {
    let value = b.get("value").and_then(Json::as_str).unwrap_or_default().to_string();
    let mut keys: Vec<String> = b
        .get("keys")
        .and_then(Json::as_array)
        .into_iter()
        .flatten()
        .filter_map(|k| k.as_str().map(String::from))
        .collect();
    keys.push(value.clone());
    if let Some(k) = keys.iter().find(|k| !columns.iter().any(|c| &&c.name == k)) {
        return Err(format!("'{k}' is not a column of '{query}'"));
    }
    let measures = vec![Measure { op: Op::Count, field: None }];
    Ok(Request { query: query.to_string(), keys, bins: Vec::new(), days: Vec::new(), measures })
}

/// How many equal intervals a box plot's value is cut into past `browser_rows`.
pub const BOX_BINS: u32 = 200;

/// A box plot over more distinct values than a page may ship: its rollup
/// counts the rows in each of [`BOX_BINS`] equal intervals of the value's
/// extent, per box, and the runtime reads each interval as its middle. Its
/// quartiles and whiskers are then within one interval's width of the
/// exact ones, which the chart says (the second part, for
/// `usermeta.vcd.box.bins`: `{"alias", "start", "step", "count"}`); its
/// counts stay exact under every filter. `extent` is the value's least and
/// greatest (`None` when unknown).
pub(super) fn binned_boxes(
    query: &str,
    b: &Json,
    columns: &[Column],
    extent: Option<(f64, f64)>,
) -> Result<(Request, Json), String> {
    let value = b["value"].as_str().unwrap_or_default();
    let keys: Vec<String> =
        b["keys"].as_array().into_iter().flatten().filter_map(|k| k.as_str().map(String::from)).collect();
    if let Some(k) =
        keys.iter().chain(std::iter::once(&value.to_string())).find(|k| !columns.iter().any(|c| &&c.name == k))
    {
        return Err(format!("'{k}' is not a column of '{query}'"));
    }
    let (lo, hi) = extent.unwrap_or((0.0, 1.0));
    let step = if hi > lo { (hi - lo) / f64::from(BOX_BINS) } else { 1.0 / f64::from(BOX_BINS) };
    let mut alias = format!("{value} interval");
    while columns.iter().any(|c| c.name == alias) || keys.contains(&alias) {
        alias.push('_');
    }
    let bin = Bin { field: value.to_string(), alias: alias.clone(), start: lo, step, count: BOX_BINS, log: false };
    let measures = vec![Measure { op: Op::Count, field: None }];
    let meta = json!({"alias": alias, "start": lo, "step": step, "count": BOX_BINS});
    Ok((Request { query: query.to_string(), keys, bins: vec![bin], days: Vec::new(), measures }, meta))
}

/// A funnel's rollup: the sum of each stage's column (`usermeta.vcd.funnel`),
/// with no keys of its own, so each stage's total follows every filter.
pub(super) fn funnel_sums(query: &str, f: &Json, columns: &[Column]) -> Result<Request, String> {
    let stages: Vec<String> =
        f["stages"].as_array().into_iter().flatten().filter_map(|s| s["column"].as_str().map(String::from)).collect();
    let measures: Vec<Measure> = stages.iter().map(|c| Measure { op: Op::Sum, field: Some(c.clone()) }).collect();
    if let Some(why) = rollup::unsupported(columns, &measures) {
        return Err(why);
    }
    Ok(Request { query: query.to_string(), keys: Vec::new(), bins: Vec::new(), days: Vec::new(), measures })
}

/// A calendar heatmap's rollup (`usermeta.vcd.calendar`): per day of its
/// date column, the rows, then its aggregate of the value (none for a count
/// of rows), then for a mean the count of values (for small samples).
pub(super) fn calendar_days(query: &str, c: &Json, columns: &[Column]) -> Result<Request, String> {
    let date = c["date"].as_str().unwrap_or_default().to_string();
    if !columns.iter().any(|x| x.name == date) {
        return Err(format!("'{date}' is not a column of '{query}'"));
    }
    let mut measures = vec![Measure { op: Op::Count, field: None }];
    let op = c["agg"].as_str().and_then(Op::parse).unwrap_or(Op::Count);
    if let (Some(value), true) = (c["value"].as_str(), op != Op::Count) {
        measures.push(Measure { op, field: Some(value.to_string()) });
        if op == Op::Mean {
            measures.push(Measure { op: Op::Valid, field: Some(value.to_string()) });
        }
    }
    if let Some(why) = rollup::unsupported(columns, &measures) {
        return Err(why);
    }
    Ok(Request { query: query.to_string(), keys: Vec::new(), bins: Vec::new(), days: vec![date], measures })
}

/// A Sankey diagram's rollup (`usermeta.vcd.sankey`): grouped by every step,
/// the sum of its value (or the rows, without one), so each band between two
/// steps is the sum of the paths through both.
pub(super) fn sankey_paths(query: &str, s: &Json, columns: &[Column]) -> Result<Request, String> {
    let keys: Vec<String> =
        s["steps"].as_array().into_iter().flatten().filter_map(|x| x["column"].as_str().map(String::from)).collect();
    if let Some(k) = keys.iter().find(|k| !columns.iter().any(|c| &&c.name == k)) {
        return Err(format!("'{k}' is not a column of '{query}'"));
    }
    let measure = match s["value"].as_str() {
        Some(v) => Measure { op: Op::Sum, field: Some(v.to_string()) },
        None => Measure { op: Op::Count, field: None },
    };
    let measures = vec![measure];
    if let Some(why) = rollup::unsupported(columns, &measures) {
        return Err(why);
    }
    Ok(Request { query: query.to_string(), keys, bins: Vec::new(), days: Vec::new(), measures })
}

/// A combo chart's rollup (`usermeta.vcd.combo`): per value of its x, the
/// bars' figure, the line's, and for a line of means its count of values.
pub(super) fn combo_figures(query: &str, c: &Json, columns: &[Column]) -> Result<Request, String> {
    let x = c["x"].as_str().unwrap_or_default().to_string();
    if !columns.iter().any(|col| col.name == x) {
        return Err(format!("'{x}' is not a column of '{query}'"));
    }
    let measure = |part: &Json| {
        let op = part["agg"].as_str().and_then(Op::parse).unwrap_or(Op::Sum);
        Measure { op, field: (op != Op::Count).then(|| part["field"].as_str().unwrap_or_default().to_string()) }
    };
    let mut measures = vec![measure(&c["bar"]), measure(&c["line"])];
    if measures[1].op == Op::Mean {
        measures.push(Measure { op: Op::Valid, field: measures[1].field.clone() });
    }
    if let Some(why) = rollup::unsupported(columns, &measures) {
        return Err(why);
    }
    Ok(Request { query: query.to_string(), keys: vec![x], bins: Vec::new(), days: Vec::new(), measures })
}
