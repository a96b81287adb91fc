//! `funnel()`: ordered stages, each a column of a query added up over the
//! rows the page's filters keep, drawn as bars with the share of the first
//! stage each keeps and the share kept from the stage before.

use super::args::finish_args;
use super::invalid;
use crate::components::scope::{self, check_kind};
use crate::source::value::ColumnKind;
use minijinja::value::{Kwargs, Value};
use minijinja::{Error, State};
use serde_json::json;

/// `{{ funnel("post_facts", stages=["reach", "engagements", "link_clicks", "attributed_orders"],
/// labels=["Reached", "Engaged", "Clicked", "Ordered"]) }}`: one bar per stage, the sum of its
/// column (number columns), in the order given. Optional: `labels` (one per stage; default
/// the column names made readable), `title`, `height`, `format` of the totals on the axis
/// and in tooltips (number, percent, currency or compact), `description`. The runtime adds each stage's share of the first and of the one
/// before; its data table lists them. The sums come from the page's rollup, so they follow
/// every filter exactly ([`crate::chart::rollup::plan`]).
pub fn funnel(state: &State, data: String, kwargs: Kwargs) -> Result<Value, Error> {
    let scope = scope::of(state)?;
    let source = scope.read_or_columns(&data, "funnel")?;
    let stages: Vec<String> = kwargs
        .get::<Option<Vec<String>>>("stages")?
        .ok_or_else(|| invalid(format!("funnel needs stages=[…]: the columns of '{data}' to add up, in order")))?;
    let labels: Option<Vec<String>> = kwargs.get("labels")?;
    let title: Option<String> = kwargs.get("title")?;
    let height: Option<f64> = kwargs.get("height")?;
    let format: Option<String> = kwargs.get("format")?;
    let description: Option<String> = kwargs.get("description")?;
    finish_args(&kwargs, "funnel", &["stages", "labels", "title", "height", "format", "description"])?;
    if stages.len() < 2 {
        return Err(invalid(format!("funnel needs two stages or more, got {}", stages.len())));
    }
    for s in &stages {
        check_kind(source.columns(), &data, s, "funnel stage", ColumnKind::Number)?;
    }
    let labels = match labels {
        Some(l) if l.len() != stages.len() => {
            return Err(invalid(format!("funnel has {} stages but {} labels", stages.len(), l.len())));
        }
        Some(l) => l,
        None => stages.iter().map(|s| super::shorthand::humanise(s)).collect(),
    };
    if let Some(twice) = labels.iter().enumerate().find(|(i, l)| labels[..*i].contains(l)).map(|(_, l)| l) {
        return Err(invalid(format!("funnel labels must differ: '{twice}' names two stages (give labels=[…])")));
    }
    let format = super::chart_format("funnel", format)?;
    let description = description.unwrap_or_else(|| {
        format!(
            "Funnel of {} (query {data}): each stage's total and the share of the first it keeps.",
            labels.join(", ")
        )
    });
    let stage_list: Vec<_> = stages.iter().zip(&labels).map(|(c, l)| json!({"column": c, "label": l})).collect();
    let mut spec = json!({
        "data": {"name": data},
        "description": description,
        "height": height.unwrap_or(40.0 * stages.len() as f64 + 20.0),
        "mark": {"type": "bar"},
        "encoding": {
            "y": {"field": "stage", "type": "nominal", "sort": null, "title": null},
            "x": {"field": "total", "type": "quantitative", "title": null,
                  "axis": {"format": format, "formatType": super::shorthand::FORMAT_TYPE}}
        },
        "usermeta": {"vcd": {"funnel": {"stages": stage_list, "format": format}}}
    });
    if let Some(t) = title {
        spec["title"] = json!(t);
    }
    Ok(Value::from_safe_string(crate::chart::checked_marker(&spec)))
}
