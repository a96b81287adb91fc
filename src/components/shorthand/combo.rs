//! `combo_chart()`: bars of one measure and a line of another over the same
//! x, each on its own axis (bars left, line right), for figures in units
//! that differ; from the page's rollup, so both follow every filter.

use super::channel::{channel, Channel, Measure};
use super::{invalid, DEFAULT_MIN_N};
use crate::components::args::finish_args;
use crate::components::scope;
use minijinja::value::{Kwargs, Value};
use minijinja::{Error, ErrorKind, State};
use serde_json::json;

/// The aggregates a combo chart's bars and line take.
const AGGS: &[&str] = crate::components::ROLLED_AGGS;

/// The arguments it takes.
const KNOWN: &[&str] = &[
    "x",
    "bar",
    "line",
    "bar_agg",
    "line_agg",
    "min_n",
    "title",
    "height",
    "description",
    "x_title",
    "x_format",
    "x_type",
    "x_scale",
    "bar_title",
    "bar_format",
    "bar_type",
    "line_title",
    "line_format",
    "line_type",
];

/// `{{ combo_chart("post_facts", x="month", bar="attributed_revenue", line="engagement_rate",
/// line_agg="mean", bar_format="currency", line_format="percent") }}`: per value of `x`, a
/// bar of `bar_agg` (default `sum`) of column `bar` on the left axis and a line of
/// `line_agg` (default `sum`) of column `line` on the right axis. Each of `x`, `bar`
/// and `line` takes `_title`, `_format` and `_type` as a shorthand's channels do. A
/// line of means fades its points over fewer than `min_n` values (default 10). Also
/// `title`, `height`, `description`. The subtitle says which axis is which. Errors
/// name the argument: a missing column (with did-you-mean), an aggregate it does not
/// take, a sum or mean of a column that is not a number.
pub fn combo_chart(state: &State, data: String, kwargs: Kwargs) -> Result<Value, Error> {
    const F: &str = "combo_chart";
    let scope = scope::of(state)?;
    let source = scope.read_or_columns(&data, F)?;
    let need = |name: &str| -> Result<String, Error> {
        kwargs.get::<Option<String>>(name)?.ok_or_else(|| {
            Error::new(ErrorKind::MissingArgument, format!("{F} needs {name}= (a column of query '{data}')"))
        })
    };
    let (x, bar, line) = (need("x")?, need("bar")?, need("line")?);
    let ch = |prefix: &str, field: &str| -> Result<Channel, Error> {
        Ok(channel(&kwargs, prefix, Some(field.to_string()), &source, &data, F)?.unwrap_or_default())
    };
    let (x, bar, line) = (ch("x", &x)?, ch("bar", &bar)?, ch("line", &line)?);
    let agg = |name: &str, c: &Channel| -> Result<String, Error> {
        let a = kwargs.get::<Option<String>>(name)?.unwrap_or_else(|| "sum".into());
        if !AGGS.contains(&a.as_str()) {
            return Err(invalid(format!("{F}: {name} must be one of {}, got '{a}'", AGGS.join(", "))));
        }
        if a != "count" && c.measure != Some(Measure::Quantitative) {
            return Err(invalid(format!("{F}: {name}=\"{a}\" needs a number column, and '{}' is not one", c.field)));
        }
        Ok(a)
    };
    let (bar_agg, line_agg) = (agg("bar_agg", &bar)?, agg("line_agg", &line)?);
    let min_n: Option<u32> = kwargs.get("min_n")?;
    if min_n.is_some() && line_agg != "mean" {
        return Err(invalid(format!("{F}: min_n= needs line_agg=\"mean\" (a sample size is a mean's)")));
    }
    let title: Option<String> = kwargs.get("title")?;
    let height: Option<f64> = kwargs.get("height")?;
    let description: Option<String> = kwargs.get("description")?;
    finish_args(&kwargs, F, KNOWN)?;
    let name = |c: &Channel| c.title.clone().unwrap_or_else(|| c.field.clone());
    let description = description.unwrap_or_else(|| {
        format!(
            "Bars of {} (left axis) and a line of {} (right axis) by {} (query {data}).",
            name(&bar).to_lowercase(),
            name(&line).to_lowercase(),
            name(&x).to_lowercase()
        )
    });
    let encoding = json!({"x": x.x(), "y": bar.y(), "yLine": line.y()});
    let part = |c: &Channel, agg: &str| json!({"field": c.field, "agg": agg, "title": name(c)});
    let mut spec = json!({
        "data": {"name": data},
        "description": description,
        "height": height.unwrap_or(260.0),
        "mark": {"type": "bar"},
        "encoding": encoding,
        "usermeta": {"vcd": {"combo": {
            "x": x.field, "bar": part(&bar, &bar_agg), "line": part(&line, &line_agg),
            "min_n": (line_agg == "mean").then(|| min_n.unwrap_or(DEFAULT_MIN_N)),
        }}}
    });
    if let Some(t) = title {
        spec["title"] = json!(t);
    }
    Ok(Value::from_safe_string(crate::chart::checked_marker(&spec)))
}
