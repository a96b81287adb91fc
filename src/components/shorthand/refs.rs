//! Reference lines and bands on a chart shorthand (`ref_x=`, `ref_y=`,
//! `ref_band=`): fixed values, or one per row of a query, each with a label.
//! They reach the runtime as `usermeta.vcd.refs`, which draws them as layers
//! over the chart; a query's rows follow the page's filters there.

use super::invalid;
use crate::components::args::MapArg;
use crate::components::scope::{check_field, PageScope};
use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::Error;
use serde_json::{json, Value as Json};

/// Every reference a chart asks for, checked, as `usermeta.vcd.refs`:
/// each `{"axis": "x"|"y", "value": n}` or `{"axis", "query", "column"}` for
/// a line, `{"axis", "from": n, "to": n}` or `{"axis", "query", "from":
/// column, "to": column}` for a band, with `"label"` (text in which a query's
/// `{column}` is filled from each row). `value_axis` is the axis a band
/// lies on (the chart's value axis); `quantitative` says which axes take
/// numbers.
///
/// Accepted forms: `ref_y=0.05`, `ref_y=[0.05, 0.1]`,
/// `ref_y={"value": 0.05, "label": "Target"}`,
/// `ref_y={"query": "viral_thresholds", "column": "threshold", "label": "{platform}"}`,
/// `ref_band={"from": 0.02, "to": 0.04, "label": "Usual"}` (a list of these too).
pub(super) fn read(
    scope: &PageScope,
    fname: &str,
    kwargs: &Kwargs,
    value_axis: &str,
    quantitative: impl Fn(&str) -> bool,
) -> Result<Vec<Json>, Error> {
    let mut out = Vec::new();
    for (arg, axis, band) in [("ref_x", "x", false), ("ref_y", "y", false), ("ref_band", value_axis, true)] {
        let Some(v) = kwargs.get::<Option<Value>>(arg)? else { continue };
        if !quantitative(axis) {
            return Err(invalid(format!("{fname}: {arg} needs a number axis, and the {axis} axis is not one")));
        }
        let items: Vec<Value> = if v.kind() == ValueKind::Seq { v.try_iter()?.collect() } else { vec![v] };
        for item in items {
            out.push(one(scope, fname, arg, axis, band, &item)?);
        }
    }
    Ok(out)
}

fn one(scope: &PageScope, fname: &str, arg: &str, axis: &str, band: bool, v: &Value) -> Result<Json, Error> {
    let what = if band { "{\"from\": 1, \"to\": 2}" } else { "a number" };
    let number = |v: &Value, key: &str| -> Result<f64, Error> {
        match crate::components::args::as_num(v) {
            Some(crate::util::format::Num::Finite(d)) => Ok(d.to_f64()),
            _ => Err(invalid(format!("{fname}: {arg} {key} must be a number, got {v}"))),
        }
    };
    if v.kind() != ValueKind::Map {
        if band {
            return Err(invalid(format!("{fname}: {arg} takes {what} or a query's columns, got {v}")));
        }
        return Ok(json!({"axis": axis, "value": number(v, "value")?, "label": ""}));
    }
    let known: &[&str] = if band { &["from", "to", "query", "label"] } else { &["value", "query", "column", "label"] };
    let name = format!("{fname}: {arg}");
    let map = MapArg::new(v, &name, known, what)?;
    let label = map.text("label")?.unwrap_or_default();
    let mut out = json!({"axis": axis, "label": label});
    match map.text("query")? {
        Some(query) => {
            let result = scope.read(&query, fname)?;
            scope.load_rows(&query);
            let columns: &[&str] = if band { &["from", "to"] } else { &["column"] };
            for key in columns {
                let column = map.text(key)?.ok_or_else(|| {
                    invalid(format!("{fname}: {arg} with a query needs \"{key}\": a column of '{query}'"))
                })?;
                check_field(&result.columns, &query, &column, &format!("{fname}: {arg} {key}"))?;
                out[*key] = json!(column);
            }
            for name in placeholders(&label) {
                check_field(&result.columns, &query, &name, &format!("{fname}: {arg} label"))?;
            }
            out["query"] = json!(query);
        }
        None if band => {
            for key in ["from", "to"] {
                let x = map.get(key).ok_or_else(|| invalid(format!("{fname}: {arg} needs \"{key}\" (a number)")))?;
                out[key] = json!(number(&x, key)?);
            }
        }
        None => {
            let x = map
                .get("value")
                .ok_or_else(|| invalid(format!("{fname}: {arg} needs \"value\" (a number) or \"query\"")))?;
            out["value"] = json!(number(&x, "value")?);
        }
    }
    Ok(out)
}

/// The column names a label's `{column}` placeholders name.
fn placeholders(label: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = label;
    while let Some(i) = rest.find('{') {
        let Some(j) = rest[i..].find('}') else { break };
        out.push(rest[i + 1..i + j].to_string());
        rest = &rest[i + j + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn placeholders_are_the_names_in_braces() {
        assert_eq!(super::placeholders("{platform} from {Store Name}"), vec!["platform", "Store Name"]);
        assert!(super::placeholders("Target").is_empty());
    }
}
