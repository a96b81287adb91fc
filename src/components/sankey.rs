//! `sankey()`: flows of a measure through two or more category columns in
//! turn (platform → post type → order source), from the page's rollup.

use super::args::finish_args;
use super::invalid;
use crate::components::scope::{self, check_field, check_kind};
use crate::source::value::ColumnKind;
use minijinja::value::{Kwargs, Value};
use minijinja::{Error, State};
use serde_json::json;

/// `{{ sankey("attributed_flows", steps=["platform", "post_type", "order_source"],
/// value="revenue") }}`: a column of nodes per step (each value of that column, its
/// height the sum of number column `value` over the rows holding it, or their count
/// without `value`) and a band between neighbouring steps for each pair of values, as
/// wide as the rows they share; bands are coloured by the first step's value, so a
/// flow can be followed to the end. The sums come from a rollup grouped by every step,
/// so they follow the page's filters exactly. Optional: `labels` (one per step, for the
/// columns' headings), `format` of the figures (number, percent, currency or compact),
/// `value_title`, `title`, `height` (pixels, default 360), `description`. A null value
/// is a node of its own, "(none)". Its data table lists each path's figure.
pub fn sankey(state: &State, data: String, kwargs: Kwargs) -> Result<Value, Error> {
    const F: &str = "sankey";
    let scope = scope::of(state)?;
    let source = scope.read_or_columns(&data, F)?;
    let steps: Vec<String> = kwargs.get::<Option<Vec<String>>>("steps")?.ok_or_else(|| {
        invalid(format!("{F} needs steps=[…]: two or more columns of '{data}', in the order flows take"))
    })?;
    let value: Option<String> = kwargs.get("value")?;
    let labels: Option<Vec<String>> = kwargs.get("labels")?;
    let format: Option<String> = kwargs.get("format")?;
    let value_title: Option<String> = kwargs.get("value_title")?;
    let title: Option<String> = kwargs.get("title")?;
    let height: Option<f64> = kwargs.get("height")?;
    let description: Option<String> = kwargs.get("description")?;
    finish_args(&kwargs, F, &["steps", "value", "labels", "format", "value_title", "title", "height", "description"])?;
    if steps.len() < 2 {
        return Err(invalid(format!("{F} needs two steps or more, got {}", steps.len())));
    }
    for (i, s) in steps.iter().enumerate() {
        check_field(source.columns(), &data, s, &format!("{F} step"))?;
        if steps[..i].contains(s) {
            return Err(invalid(format!("{F}: step '{s}' is named twice")));
        }
    }
    if let Some(v) = &value {
        check_kind(source.columns(), &data, v, &format!("{F}: value"), ColumnKind::Number)?;
    }
    let labels = match labels {
        Some(l) if l.len() != steps.len() => {
            return Err(invalid(format!("{F} has {} steps but {} labels", steps.len(), l.len())));
        }
        Some(l) => l,
        None => steps.iter().map(|s| super::shorthand::humanise(s)).collect(),
    };
    let format = super::chart_format(F, format)?;
    let what = value_title.unwrap_or_else(|| value.as_deref().map_or("Rows".into(), super::shorthand::humanise));
    let description = description.unwrap_or_else(|| {
        format!("Flows of {} from {} (query {data}).", what.to_lowercase(), labels.join(" to ").to_lowercase())
    });
    let step_list: Vec<_> = steps.iter().zip(&labels).map(|(c, l)| json!({"column": c, "label": l})).collect();
    let mut spec = json!({
        "data": {"name": data},
        "description": description,
        "height": height.unwrap_or(360.0),
        "mark": {"type": "area"},
        "encoding": {
            "x": {"field": "x", "type": "quantitative", "title": null},
            "y": {"field": "y", "type": "quantitative", "title": null}
        },
        "usermeta": {"vcd": {"sankey": {"steps": step_list, "value": value, "format": format, "title": what}}}
    });
    if let Some(t) = title {
        spec["title"] = json!(t);
    }
    Ok(Value::from_safe_string(crate::chart::checked_marker(&spec)))
}
