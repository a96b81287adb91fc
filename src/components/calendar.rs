//! `calendar_heatmap()`: a daily figure of a query drawn as a grid of days,
//! one row of weeks per year (Monday first), from the page's rollup at day grain.

use super::args::finish_args;
use super::invalid;
use crate::components::scope::{self, check_kind};
use crate::source::value::ColumnKind;
use minijinja::value::{Kwargs, Value};
use minijinja::{Error, State};
use serde_json::json;

/// The aggregates a day's cell can show.
const AGGS: &[&str] = super::ROLLED_AGGS;

/// `{{ calendar_heatmap("post_facts", date="posted_at", value="reach") }}`: one cell per
/// calendar day, coloured by the day's `agg` (`sum` by default; `count` of rows when no
/// `value` is given; also `mean`, `min`, `max`) of number column `value`, over the rows the
/// page's filters keep. `date` is a date or timestamp column; its day is the first ten
/// characters of the value (`YYYY-MM-DD`, the project's time zone), the day the tables
/// show, whatever the reader's zone. Every day of each year in view is drawn, the days
/// without rows blank. Optional: `format` of the figure (number, percent, currency or
/// compact), `value_title` (its name in the legend, tooltip and data table), `title`,
/// `description`, and with `agg="mean"` `min_n` (default 10): a day's mean over fewer
/// values is faded and its count named. Errors name the argument: an unknown column
/// (with did-you-mean), a `date` that is not a date, a `value` that is not a number.
pub fn calendar_heatmap(state: &State, data: String, kwargs: Kwargs) -> Result<Value, Error> {
    const F: &str = "calendar_heatmap";
    let scope = scope::of(state)?;
    let source = scope.read_or_columns(&data, F)?;
    let date: String = kwargs
        .get::<Option<String>>("date")?
        .ok_or_else(|| invalid(format!("{F} needs date= (a date or timestamp column of '{data}')")))?;
    let value: Option<String> = kwargs.get("value")?;
    let agg: Option<String> = kwargs.get("agg")?;
    let format: Option<String> = kwargs.get("format")?;
    let value_title: Option<String> = kwargs.get("value_title")?;
    let title: Option<String> = kwargs.get("title")?;
    let description: Option<String> = kwargs.get("description")?;
    let min_n: Option<u32> = kwargs.get("min_n")?;
    finish_args(&kwargs, F, &["date", "value", "agg", "format", "value_title", "title", "description", "min_n"])?;
    check_kind(source.columns(), &data, &date, &format!("{F}: date"), ColumnKind::Temporal)?;
    if let Some(v) = &value {
        check_kind(source.columns(), &data, v, &format!("{F}: value"), ColumnKind::Number)?;
    }
    let agg = agg.unwrap_or_else(|| if value.is_some() { "sum" } else { "count" }.into());
    if !AGGS.contains(&agg.as_str()) {
        return Err(invalid(format!("{F}: agg must be one of {}, got '{agg}'", AGGS.join(", "))));
    }
    if agg != "count" && value.is_none() {
        return Err(invalid(format!("{F}: agg=\"{agg}\" needs value= (the number column it takes the {agg} of)")));
    }
    if min_n.is_some() && agg != "mean" {
        return Err(invalid(format!("{F}: min_n= needs agg=\"mean\" (a sample size is a mean's)")));
    }
    let format = super::chart_format(F, format)?;
    let what = value_title.unwrap_or_else(|| match (&value, agg.as_str()) {
        (Some(v), "sum") => super::shorthand::humanise(v),
        (Some(v), a) => format!("{} of {}", super::shorthand::humanise(a), v),
        (None, _) => "Rows".into(),
    });
    let description = description.unwrap_or_else(|| {
        format!("Calendar of {} by day of {date}, one row of weeks per year (query {data}).", what.to_lowercase())
    });
    let min_n = (agg == "mean").then(|| min_n.unwrap_or(super::shorthand::DEFAULT_MIN_N));
    let mut spec = json!({
        "data": {"name": data},
        "description": description,
        "mark": {"type": "rect"},
        "encoding": {
            "x": {"field": "week", "type": "ordinal", "title": null},
            "y": {"field": "weekday", "type": "ordinal", "title": null},
            "color": {"field": "value", "type": "quantitative", "title": what}
        },
        "usermeta": {"vcd": {"calendar": {
            "date": date, "value": value, "agg": agg, "format": format, "title": what, "min_n": min_n
        }}}
    });
    if let Some(t) = title {
        spec["title"] = json!(t);
    }
    Ok(Value::from_safe_string(crate::chart::checked_marker(&spec)))
}
