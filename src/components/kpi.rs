//! KPI cards: `kpi()`, a figure with its change against a previous one, exact
//! at build time and in the browser (see [`crate::components::figure`]).

use crate::components::args::{as_num, finish_args};
use crate::components::figure::{difference, Figure};
use crate::components::{format, invalid, FORMATS};
use crate::util::format::Num;
use crate::util::html::escape_for_markdown;
use minijinja::value::{Kwargs, Value};
use minijinja::Error;

/// A KPI figure as the card shows it: `≈` before a figure whose last digits
/// cannot be trusted (see [`Figure`]).
fn shown(f: &Figure, fmt: &str, decimals: usize) -> String {
    let text = format(&f.num, fmt, decimals);
    if f.exact {
        text
    } else {
        format!("≈{text}")
    }
}

/// `{{ kpi("Posts", k.posts, previous=k.prev_posts, compare="vs previous 90 days") }}`:
/// a KPI card with its value and, given a previous value, the change in absolute
/// and relative terms, coloured by whether the change is good (`good="down"` for
/// figures where less is better). Arguments: label, value, and optionally
/// `format` (number, percent, currency, compact), `decimals`, `previous`,
/// `compare` (the text after the change) and `good` (up or down).
///
/// With `data="query"`, value and previous name columns instead, aggregated over
/// the query's rows with `agg` (first, sum, mean, min, max, count); the card then
/// follows the page's inputs in the browser. `spark="query"` with `spark_x` and
/// `spark_y` adds a trend line.
pub fn kpi(state: &minijinja::State, label: String, value: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let fmt: Option<String> = kwargs.get("format")?;
    let fmt = fmt.unwrap_or_else(|| "number".into());
    let Some((_, default_decimals)) = FORMATS.iter().find(|(f, _)| *f == fmt) else {
        let known: Vec<&str> = FORMATS.iter().map(|(f, _)| *f).collect();
        return Err(invalid(format!("kpi format must be one of {}, got '{fmt}'", known.join(", "))));
    };
    let decimals: Option<usize> = kwargs.get("decimals")?;
    let decimals = decimals.unwrap_or(*default_decimals).min(12);
    let previous: Option<Value> = kwargs.get("previous")?;
    let compare: Option<String> = kwargs.get("compare")?;
    let good: Option<String> = kwargs.get("good")?;
    let up_is_good = match good.as_deref() {
        None | Some("up") => true,
        Some("down") => false,
        Some(other) => return Err(invalid(format!("kpi good must be 'up' or 'down', got '{other}'"))),
    };
    let data: Option<String> = kwargs.get("data")?;
    let agg: Option<String> = kwargs.get("agg")?;
    let spark: Option<String> = kwargs.get("spark")?;
    let spark_x: Option<String> = kwargs.get("spark_x")?;
    let spark_y: Option<String> = kwargs.get("spark_y")?;
    let period: Option<String> = kwargs.get("period")?;
    let days: Option<i64> = kwargs.get("days")?;
    finish_args(&kwargs, "kpi", KPI_ARGS)?;
    let period = match (period, days) {
        (Some(column), days) => Some(Period { column, days: days.unwrap_or(90).max(1) }),
        (None, Some(_)) => return Err(invalid("kpi days= needs period= (the date column to count days on)".into())),
        (None, None) => None,
    };

    let number = |v: &Value, what: &str| -> Result<Option<Figure>, Error> {
        if v.is_none() || v.is_undefined() {
            return Ok(None);
        }
        let n = as_num(v).ok_or_else(|| invalid(format!("kpi {what} must be a number, got {v}")))?;
        Ok(Some(Figure { num: n, exact: true }))
    };
    // A period KPI compares with the window before; say so unless told otherwise.
    let compare_auto = compare.is_none();
    let compare = compare.or_else(|| period.as_ref().map(|p| format!("vs the {} days before", p.days)));
    let (current, before, bound) = match &data {
        Some(query) => {
            let b = bind_kpi(state, query, &value, previous.as_ref(), agg.as_deref(), period)?;
            (b.current, b.previous, Some(b.spec))
        }
        None => {
            if agg.is_some() || period.is_some() {
                return Err(invalid("kpi agg= and period= need data= (the query whose rows they read)".into()));
            }
            let before = previous.as_ref().map(|p| number(p, "previous")).transpose()?.flatten();
            (number(&value, "value")?, before, None)
        }
    };
    let text = current.as_ref().map_or_else(|| "–".to_string(), |f| shown(f, &fmt, decimals));
    let inexact = current.as_ref().is_some_and(|f| !f.exact);
    let mut html = format!(
        "<div class=\"kpi\"><div class=\"kpi-label\">{}</div><div class=\"kpi-value\" data-value=\"{}\"{}>{}</div>",
        escape_for_markdown(&label),
        current.as_ref().map(Figure::text).unwrap_or_default(),
        if inexact { format!(" title=\"{}\"", escape_for_markdown(INEXACT)) } else { String::new() },
        escape_for_markdown(&text)
    );
    if let (Some(now), Some(before)) = (&current, &before) {
        html.push_str(&delta(now, before, &fmt, decimals, up_is_good, compare.as_deref()));
    }
    if let Some(mut spec) = bound {
        spec["format"] = fmt.clone().into();
        spec["decimals"] = decimals.into();
        spec["up_is_good"] = up_is_good.into();
        spec["compare"] = compare.clone().unwrap_or_else(|| DEFAULT_COMPARE.into()).into();
        spec["compare_auto"] = compare_auto.into();
        html.push_str(&format!(
            "<script type=\"application/json\" class=\"vcd-kpi-spec\">{}</script>",
            crate::chart::script_json(&spec)
        ));
    }
    match (spark, spark_x, spark_y) {
        (Some(q), Some(x), Some(y)) => {
            let scope = crate::components::scope::of(state)?;
            let result = scope.read(&q, "kpi spark")?;
            let spec = crate::components::shorthand::sparkline(&result, &q, &x, &y)?;
            html.push_str(&crate::chart::html(None, "vcd-chart vcd-spark", &spec));
        }
        (None, None, None) => {}
        _ => return Err(invalid("kpi sparkline needs all of spark=, spark_x= and spark_y=".into())),
    }
    html.push_str("</div>");
    Ok(Value::from_safe_string(html))
}

const DEFAULT_COMPARE: &str = "vs previous period";

/// The title of a KPI value marked `≈` (the runtime writes the same).
const INEXACT: &str = "Approximate: these values have more digits than the browser can add exactly";

const KPI_ARGS: &[&str] = &[
    "format", "decimals", "previous", "compare", "good", "data", "agg", "spark", "spark_x", "spark_y", "period", "days",
];

/// The aggregates a data-bound KPI can take over its rows (the runtime has the same).
const AGGS: &[&str] = &["first", "sum", "mean", "min", "max", "count"];

/// A KPI bound to a query's columns: its values now and the spec the runtime recomputes it from.
struct BoundKpi {
    current: Option<Figure>,
    previous: Option<Figure>,
    spec: serde_json::Value,
}

/// A KPI's comparison of two windows of time (`period=`): the last `days` days
/// of the data against the `days` before them.
struct Period {
    column: String,
    days: i64,
}

fn bind_kpi(
    state: &minijinja::State,
    query: &str,
    value: &Value,
    previous: Option<&Value>,
    agg: Option<&str>,
    period: Option<Period>,
) -> Result<BoundKpi, Error> {
    let scope = crate::components::scope::of(state)?;
    let result = scope.read(query, "kpi")?;
    let agg = agg.unwrap_or("first");
    if !AGGS.contains(&agg) {
        return Err(invalid(format!("kpi agg must be one of {}, got '{agg}'", AGGS.join(", "))));
    }
    let column = |v: &Value, what: &str| -> Result<String, Error> {
        let name = v.as_str().ok_or_else(|| {
            invalid(format!("kpi with data= takes the {what} as a column name of query '{query}', got {v}"))
        })?;
        crate::components::scope::check_column(&result, query, name, &format!("kpi {what}"))?;
        Ok(name.to_string())
    };
    let value_col = column(value, "value")?;
    let previous_col = previous.map(|p| column(p, "previous")).transpose()?;
    if let Some(period) = &period {
        if previous.is_some() {
            return Err(invalid("kpi period= compares two windows of the same column; leave out previous=".into()));
        }
        crate::components::scope::check_column(&result, query, &period.column, "kpi period")?;
    }
    let rollup = request_rollup(&scope, &result, query, agg, &value_col, previous_col.as_deref(), period.as_ref());
    let at = |col: &str| result.column_names().position(|c| c == col).unwrap_or(0);
    if let Some(period) = period {
        let (v, d) = (at(&value_col), at(&period.column));
        let dates: Vec<Option<chrono::NaiveDate>> = result.rows.iter().map(|r| day_of(&r[d])).collect();
        let Some(end) = dates.iter().flatten().max().copied() else {
            return Ok(BoundKpi {
                current: None,
                previous: None,
                spec: serde_json::json!({"query": query, "value": value_col, "agg": agg,
                    "period": period.column, "days": period.days, "rollup": rollup}),
            });
        };
        let window = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
            let rows = result.rows.iter().zip(&dates).filter(|(_, d)| d.is_some_and(|d| d > from && d <= to));
            crate::components::figure::aggregate(agg, rows.map(|(r, _)| &r[v]))
        };
        let span = chrono::Duration::days(period.days);
        return Ok(BoundKpi {
            current: window(end - span, end),
            previous: window(end - span - span, end - span),
            spec: serde_json::json!({"query": query, "value": value_col, "agg": agg,
                "period": period.column, "days": period.days, "rollup": rollup}),
        });
    }
    let figure = |col: &str| crate::components::figure::aggregate(agg, result.rows.iter().map(|r| &r[at(col)]));
    Ok(BoundKpi {
        current: figure(&value_col),
        previous: previous_col.as_deref().and_then(figure),
        spec: serde_json::json!({"query": query, "value": value_col, "previous": previous_col, "agg": agg,
            "rollup": rollup}),
    })
}

/// Asks the page for a rollup of the card's figures when its aggregate
/// decomposes (not `first`) and its query takes no parameters (a variant is
/// already exact and small); returns the request's number on the page.
/// The request's measures are the value's, then the previous column's.
fn request_rollup(
    scope: &crate::components::scope::PageScope,
    result: &crate::source::value::QueryResult,
    query: &str,
    agg: &str,
    value: &str,
    previous: Option<&str>,
    period: Option<&Period>,
) -> Option<usize> {
    use crate::query::rollup::{Measure, Op, Request};
    let op = Op::parse(agg)?;
    // A variant is exact and small already, and so is a page's own slice of rows.
    if scope.catalog.params.contains_key(query) || scope.is_sliced(query) {
        return None;
    }
    let measure = |col: &str| Measure { op, field: (op != Op::Count).then(|| col.to_string()) };
    let measures: Vec<Measure> = std::iter::once(value).chain(previous).map(measure).collect();
    if crate::query::rollup::unsupported(result, &measures).is_some() {
        return None;
    }
    let days = period.map(|p| vec![p.column.clone()]).unwrap_or_default();
    Some(scope.request_rollup(Request { query: query.to_string(), keys: Vec::new(), bins: Vec::new(), days, measures }))
}

/// The calendar day of an ISO date or timestamp value (its first ten characters).
fn day_of(v: &serde_json::Value) -> Option<chrono::NaiveDate> {
    let s = v.as_str()?;
    chrono::NaiveDate::parse_from_str(s.get(..10)?, "%Y-%m-%d").ok()
}

/// The change line under a KPI: `▲ 12 (+11.2%) vs previous period`. For a
/// percentage the change is in percentage points, since a relative change of a
/// rate is easy to misread.
fn delta(now: &Figure, before: &Figure, fmt: &str, decimals: usize, up_is_good: bool, compare: Option<&str>) -> String {
    let change = difference(now, before);
    let diff = change.to_f64();
    let (arrow, direction) = match diff.partial_cmp(&0.0) {
        Some(std::cmp::Ordering::Greater) => ("▲", "up"),
        Some(std::cmp::Ordering::Less) => ("▼", "down"),
        _ => ("■", "flat"),
    };
    let tone = match (direction, up_is_good) {
        ("flat", _) => "neutral",
        ("up", true) | ("down", false) => "good",
        _ => "bad",
    };
    let sign = if diff > 0.0 { "+" } else { "" };
    let change = if fmt == "percent" {
        format!("{sign}{} pts", shown(&Figure { num: points(&change.num), ..change }, "number", decimals))
    } else {
        let abs = shown(&change, fmt, decimals);
        let before = before.to_f64();
        let rel = if before != 0.0 {
            format!(" ({sign}{})", format(&Num::from_f64(diff / before.abs()), "percent", 1))
        } else {
            String::new()
        };
        format!("{sign}{abs}{rel}")
    };
    let compare = compare.unwrap_or(DEFAULT_COMPARE);
    format!(
        "<div class=\"kpi-delta {direction} {tone}\"><span aria-hidden=\"true\">{arrow}</span> {} {}</div>",
        escape_for_markdown(&change),
        escape_for_markdown(compare)
    )
}

/// A percentage-point change: the ratio difference ×100 (exact on the decimal).
fn points(n: &Num) -> Num {
    match n {
        Num::Finite(d) => Num::Finite(d.shift(2)),
        other => other.clone(),
    }
}
