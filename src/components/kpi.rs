//! KPI cards: `kpi()`, a figure with its change against a previous one, exact
//! at build time and in the browser (see [`crate::components::figure`]).

use crate::components::args::{as_num, finish_args};
use crate::components::deferred::{DeferredKpi, Look, RollupFile, Sure};
use crate::components::figure::{difference, Figure};
use crate::components::{format, invalid, FORMATS};
use crate::util::format::Num;
use crate::util::html::escape_for_markdown;
use crate::util::interval::{Method, Moments};
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
/// `spark_y` adds a trend line. A card of a mean (`agg="mean"`) names a small
/// sample (fewer than `min_n` values, default 10) and, with `ci=true`, shows
/// its 95 % interval (`docs/uncertainty.md`).
pub fn kpi(state: &minijinja::State, label: String, value: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let (fmt, decimals) = figure_format(&kwargs, "kpi")?;
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
    let ci: Option<bool> = kwargs.get("ci")?;
    let min_n: Option<u32> = kwargs.get("min_n")?;
    finish_args(&kwargs, "kpi", KPI_ARGS)?;
    let mean = data.is_some() && matches!(agg.as_deref(), Some("mean"));
    if !mean {
        let asked = if ci == Some(true) { Some("ci=true") } else { min_n.map(|_| "min_n=") };
        if let Some(arg) = asked {
            return Err(invalid(format!(
                "kpi {arg} needs data= and agg=\"mean\" (an interval and a sample size are a mean's), got {}",
                agg.as_deref().map_or("no agg".to_string(), |a| format!("agg=\"{a}\""))
            )));
        }
    }
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
    let look = Look { fmt: fmt.clone(), decimals, up_is_good, compare: compare.clone(), sure: None, inline: false };
    let (figures, bound) = match &data {
        Some(query) => {
            let sure =
                mean.then(|| (ci.unwrap_or(false), min_n.unwrap_or(crate::components::shorthand::DEFAULT_MIN_N)));
            let b = bind_kpi(state, query, &value, previous.as_ref(), agg.as_deref(), period, &look, sure)?;
            (b.figures, Some(b.spec))
        }
        None => {
            if agg.is_some() || period.is_some() {
                return Err(invalid("kpi agg= and period= need data= (the query whose rows they read)".into()));
            }
            let before = previous.as_ref().map(|p| number(p, "previous")).transpose()?.flatten();
            (look.figures(number(&value, "value")?.as_ref(), before.as_ref(), None), None)
        }
    };
    let mut html =
        format!("<div class=\"kpi\"><div class=\"kpi-label\">{}</div>{figures}", escape_for_markdown(&label));
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

impl Look {
    /// The card's value and, given a previous figure, its change line, and
    /// for a mean, given its moments, the line saying how sure it is.
    fn figures(&self, current: Option<&Figure>, before: Option<&Figure>, moments: Option<&Moments>) -> String {
        let text = current.map_or_else(|| "–".to_string(), |f| shown(f, &self.fmt, self.decimals));
        let inexact = current.is_some_and(|f| !f.exact);
        let tag = if self.inline { "span" } else { "div" };
        let mut html = format!(
            "<{tag} class=\"kpi-value\" data-value=\"{}\"{}>{}</{tag}>",
            current.map(Figure::text).unwrap_or_default(),
            if inexact { format!(" title=\"{}\"", escape_for_markdown(INEXACT)) } else { String::new() },
            escape_for_markdown(&text)
        );
        if let (Some(now), Some(before)) = (current, before) {
            html.push_str(&delta(now, before, &self.fmt, self.decimals, self.up_is_good, self.compare.as_deref()));
        }
        if let (Some(sure), Some(m)) = (&self.sure, moments) {
            html.push_str(&sure_line(sure, m, &self.fmt, self.decimals));
        }
        html
    }
}

/// The line under a card's mean saying how sure it is, as the runtime's
/// `sureLine` writes it (`docs/uncertainty.md`): the 95 % interval, as
/// `± 1.2 pts` (a t-interval's half width; points for a percentage, as the
/// change line) or `95% CI 6.1%–17.0%` (Wilson's, which is not symmetric),
/// then the count of values, named a small sample under `min_n`. Nothing
/// for a mean that needs no word: no interval asked and enough values.
fn sure_line(sure: &Sure, m: &Moments, fmt: &str, decimals: usize) -> String {
    let small = crate::util::interval::is_small(m.n, sure.min_n);
    let mut parts = Vec::new();
    if sure.ci {
        let amount = |x: f64| {
            let n = Num::from_f64(x);
            if fmt == "percent" && x.is_finite() {
                format!("{} pts", format(&points(&n), "number", decimals))
            } else {
                format(&n, fmt, decimals)
            }
        };
        match m.interval(sure.method) {
            Some((lo, hi)) if sure.method == Method::Wilson => {
                let end = |x: f64| format(&Num::from_f64(x), fmt, decimals);
                parts.push(format!("95% CI {}–{}", end(lo), end(hi)));
            }
            Some((lo, hi)) => parts.push(format!("± {}", amount((hi - lo) / 2.0))),
            None => parts.push("no interval".to_string()),
        }
    }
    if sure.ci || small {
        let n = m.n as u64;
        let values = if n == 1 { "1 value".to_string() } else { format!("{n} values") };
        parts.push(if small { format!("{values}: a small sample") } else { values });
    }
    if parts.is_empty() {
        return String::new();
    }
    let class = if small { "kpi-sure kpi-small" } else { "kpi-sure" };
    format!("<div class=\"{class}\">{}</div>", escape_for_markdown(&parts.join(" · ")))
}

const DEFAULT_COMPARE: &str = "vs previous period";

/// A figure's `format` (one of [`FORMATS`], `number` by default) and
/// `decimals` (the format's default; at most 12), as `kpi` and `value` read them.
fn figure_format(kwargs: &Kwargs, fname: &str) -> Result<(String, usize), Error> {
    let fmt: Option<String> = kwargs.get("format")?;
    let fmt = fmt.unwrap_or_else(|| "number".into());
    let Some((_, default_decimals)) = FORMATS.iter().find(|(f, _)| *f == fmt) else {
        let known: Vec<&str> = FORMATS.iter().map(|(f, _)| *f).collect();
        return Err(invalid(format!("{fname} format must be one of {}, got '{fmt}'", known.join(", "))));
    };
    let decimals: Option<usize> = kwargs.get("decimals")?;
    Ok((fmt, decimals.unwrap_or(*default_decimals).min(12)))
}

/// `{{ value("post_facts", "reach", agg="sum", format="compact") }}`: one
/// figure of a query's column inline in prose, following the page's filters
/// as a KPI card's does (the same figures, exact at build time and in the
/// browser, from a rollup where one answers). Arguments: the query, the
/// column, and optionally `agg` (sum by default; first, mean, min, max,
/// count), `format` and `decimals` as for `kpi`.
pub fn value(state: &minijinja::State, query: String, column: String, kwargs: Kwargs) -> Result<Value, Error> {
    let (fmt, decimals) = figure_format(&kwargs, "value")?;
    let agg: Option<String> = kwargs.get("agg")?;
    let agg = agg.unwrap_or_else(|| "sum".into());
    finish_args(&kwargs, "value", &["agg", "format", "decimals"])?;
    let look = Look { fmt: fmt.clone(), decimals, up_is_good: true, compare: None, sure: None, inline: true };
    let b = bind_kpi(state, &query, &Value::from(column), None, Some(&agg), None, &look, None)?;
    let mut spec = b.spec;
    spec["format"] = fmt.into();
    spec["decimals"] = decimals.into();
    // Inside a paragraph Markdown would read a script element's JSON as text
    // (backslashes, `_`, `*`); an attribute of an inline tag passes through
    // as written, its value escaped for HTML.
    Ok(Value::from_safe_string(format!(
        "<span class=\"vcd-value\" data-spec=\"{}\">{}</span>",
        escape_for_markdown(&spec.to_string()),
        b.figures
    )))
}

/// The title of a KPI value marked `≈` (the runtime writes the same).
const INEXACT: &str = "Approximate: these values have more digits than the browser can add exactly";

const KPI_ARGS: &[&str] = &[
    "format", "decimals", "previous", "compare", "good", "data", "agg", "spark", "spark_x", "spark_y", "period",
    "days", "ci", "min_n",
];

/// The aggregates a data-bound KPI can take over its rows (the runtime has the same).
const AGGS: &[&str] = &["first", "sum", "mean", "min", "max", "count"];

/// A KPI bound to a query's columns: its figures as HTML (or, over a query
/// too big to hold, the marker they replace) and the spec the runtime
/// recomputes them from.
struct BoundKpi {
    figures: String,
    spec: serde_json::Value,
}

/// A KPI's comparison of two windows of time (`period=`): the last `days` days
/// of the data against the `days` before them.
struct Period {
    column: String,
    days: i64,
}

impl DeferredKpi {
    /// The card's value and change, from its rollup's file (`None` if the
    /// rollup did not run: the card shows no figure, and the build has an error).
    pub fn figures(&self, file: Option<&RollupFile>) -> String {
        use crate::components::figure::{from_partials, Partials};
        let Some(f) = file else { return self.look.figures(None, None, None) };
        let rows = f.columns.first().map_or(0, Vec::len);
        let figure = |measure: usize, picked: &[usize]| {
            let at = f.grain + *f.at.get(measure)?;
            let column = |c: usize| f.columns.get(c);
            let (count, first) = (column(f.grain)?, column(at)?);
            let second = column(at + 1);
            let partials = picked.iter().map(|&r| Partials {
                rows: count[r].as_u64().unwrap_or(0),
                first: &first[r],
                second: second.map(|s| &s[r]),
            });
            from_partials(self.op, partials)
        };
        // The mean's moments over some rows, as the runtime's `rollupMoments` adds them.
        let moments = |picked: &[usize]| -> Option<Moments> {
            let at = f.grain + *f.at.first()?;
            let squares = self.sum_squares.and_then(|k| f.at.get(k)).and_then(|a| f.columns.get(f.grain + a));
            let number = |v: &serde_json::Value| match Num::from_json(v) {
                Some(Num::Finite(d)) => Some(d.to_f64()),
                _ => None,
            };
            let mut m = Moments::default();
            for &r in picked {
                let Some(sum) = f.columns.get(at).and_then(|c| number(&c[r])) else { continue };
                m.sum += sum;
                m.n += f.columns.get(at + 1).and_then(|c| number(&c[r])).unwrap_or(0.0);
                m.sum_squares += squares.and_then(|c| number(&c[r])).unwrap_or(0.0);
            }
            Some(m)
        };
        let all: Vec<usize> = (0..rows).collect();
        let (now, before, sure) = match self.days {
            Some(days) => {
                let day = |&r: &usize| f.columns.first().and_then(|c| day_of(&c[r]));
                match windows(&all, day, days) {
                    Some((now, before)) => (figure(0, &now), figure(0, &before), moments(&now)),
                    None => (None, None, None),
                }
            }
            None => (figure(0, &all), if self.previous { figure(1, &all) } else { None }, moments(&all)),
        };
        self.look.figures(now.as_ref(), before.as_ref(), sure.as_ref())
    }
}

/// The items of a period KPI's two windows: those whose day is among the
/// last `days` days of the data (up to its latest day), and those in the
/// `days` days before; `None` when no item has a day.
fn windows<T: Copy>(items: &[T], day: impl Fn(&T) -> Option<chrono::NaiveDate>, days: i64) -> Option<(Vec<T>, Vec<T>)> {
    let dated: Vec<(T, chrono::NaiveDate)> = items.iter().filter_map(|t| Some((*t, day(t)?))).collect();
    let end = dated.iter().map(|(_, d)| *d).max()?;
    let span = chrono::Duration::days(days);
    let within = |from: chrono::NaiveDate, to: chrono::NaiveDate| {
        dated.iter().filter(|(_, d)| *d > from && *d <= to).map(|(t, _)| *t).collect::<Vec<T>>()
    };
    Some((within(end - span, end), within(end - span - span, end - span)))
}

fn bind_kpi(
    state: &minijinja::State,
    query: &str,
    value: &Value,
    previous: Option<&Value>,
    agg: Option<&str>,
    period: Option<Period>,
    look: &Look,
    sure: Option<(bool, u32)>,
) -> Result<BoundKpi, Error> {
    use crate::components::scope::{check_field, Source};
    let scope = crate::components::scope::of(state)?;
    // The function the author called, for messages.
    let fname = if look.inline { "value" } else { "kpi" };
    let source = scope.read_or_columns(query, fname)?;
    let agg = agg.unwrap_or("first");
    if !AGGS.contains(&agg) {
        return Err(invalid(format!("{fname} agg must be one of {}, got '{agg}'", AGGS.join(", "))));
    }
    let column = |v: &Value, what: &str| -> Result<String, Error> {
        let name = v.as_str().ok_or_else(|| {
            invalid(format!("{fname} with data= takes the {what} as a column name of query '{query}', got {v}"))
        })?;
        check_field(source.columns(), query, name, &format!("{fname} {what}"))?;
        Ok(name.to_string())
    };
    let value_col = column(value, "value")?;
    let previous_col = previous.map(|p| column(p, "previous")).transpose()?;
    if let Some(period) = &period {
        if previous.is_some() {
            return Err(invalid("kpi period= compares two windows of the same column; leave out previous=".into()));
        }
        check_field(source.columns(), query, &period.column, &format!("{fname} period"))?;
    }
    let sure = sure.map(|(ci, min_n)| Sure {
        ci,
        min_n,
        method: if source.is_share(&value_col) { Method::Wilson } else { Method::T },
    });
    let look = &Look { sure, ..look.clone() };
    let ci = sure.is_some_and(|s| s.ci);
    let rollup =
        request_rollup(&scope, source.columns(), query, agg, &value_col, previous_col.as_deref(), period.as_ref(), ci);
    let number = rollup.as_ref().ok().map(|r| r.0);
    let sum_squares = rollup.as_ref().ok().and_then(|r| r.1);
    let mut spec = match &period {
        Some(p) => serde_json::json!({"query": query, "value": value_col, "agg": agg,
            "period": p.column, "days": p.days, "rollup": number}),
        None => serde_json::json!({"query": query, "value": value_col, "previous": previous_col, "agg": agg,
            "rollup": number}),
    };
    if let Some(s) = sure {
        spec["sure"] = serde_json::json!({"ci": s.ci, "min_n": s.min_n, "method": s.method.name(),
            "sum_squares": sum_squares});
    }
    let result = match source {
        Source::Rows(result) => {
            // With no rollup the runtime refigures the card from the rows.
            if number.is_none() {
                scope.load_rows(query);
            }
            result
        }
        Source::Engine(_) => {
            let rollup = rollup.map_err(|why| {
                invalid(format!(
                    "{fname}: {}; its agg='{agg}' cannot be computed by the engine because {why}",
                    scope.catalog.oversize_message(query)
                ))
            })?;
            let kpi = DeferredKpi {
                rollup: rollup.0,
                op: crate::query::rollup::Op::parse(agg).expect("a rollup was made of it"),
                days: period.as_ref().map(|p| p.days),
                previous: previous_col.is_some(),
                sum_squares: rollup.1,
                look: look.clone(),
            };
            let n = scope.defer_kpi(kpi);
            return Ok(BoundKpi { figures: DeferredKpi::marker(n), spec });
        }
    };
    let at = |col: &str| result.column_names().position(|c| c == col).unwrap_or(0);
    let figure = |col: &str, rows: &[&Vec<serde_json::Value>]| {
        crate::components::figure::aggregate(agg, rows.iter().map(|r| &r[at(col)]))
    };
    // The mean's moments over the rows, in their order, as the runtime's `rowMoments` adds them.
    let moments = |rows: &[&Vec<serde_json::Value>]| {
        let i = at(&value_col);
        Moments::of(rows.iter().filter_map(|r| match Num::from_json(&r[i]) {
            Some(Num::Finite(d)) => Some(d.to_f64()),
            _ => None,
        }))
    };
    let rows: Vec<&Vec<serde_json::Value>> = result.rows.iter().collect();
    let (now, before, sure) = match &period {
        Some(p) => {
            let d = at(&p.column);
            match windows(&rows, |r| day_of(&r[d]), p.days) {
                Some((now, before)) => (figure(&value_col, &now), figure(&value_col, &before), Some(moments(&now))),
                None => (None, None, None),
            }
        }
        None => {
            (figure(&value_col, &rows), previous_col.as_deref().and_then(|c| figure(c, &rows)), Some(moments(&rows)))
        }
    };
    Ok(BoundKpi { figures: look.figures(now.as_ref(), before.as_ref(), sure.as_ref()), spec })
}

/// Asks the page for a rollup of the card's figures when its aggregate
/// decomposes (not `first`) and its query takes no parameters (a variant is
/// already exact and small); returns the request's number on the page, or
/// why there is none, with where the value's sum of squares is among the
/// request's measures when `ci` asks for one. The request's measures are
/// the value's, then the previous column's, then the sum of squares.
#[allow(clippy::too_many_arguments)]
fn request_rollup(
    scope: &crate::components::scope::PageScope,
    columns: &[crate::source::value::Column],
    query: &str,
    agg: &str,
    value: &str,
    previous: Option<&str>,
    period: Option<&Period>,
    ci: bool,
) -> Result<(usize, Option<usize>), String> {
    use crate::query::rollup::{Measure, Op, Request};
    let op = Op::parse(agg).ok_or_else(|| format!("'{agg}' does not add up across groups"))?;
    // A variant is exact and small already, and so is a page's own slice of rows.
    if scope.catalog.params.contains_key(query) {
        return Err("the query takes parameters".into());
    }
    if scope.is_sliced(query) {
        return Err("the page reads its own rows of it".into());
    }
    let measure = |col: &str| Measure { op, field: (op != Op::Count).then(|| col.to_string()) };
    let mut measures: Vec<Measure> = std::iter::once(value).chain(previous).map(measure).collect();
    let sum_squares = (ci && op == Op::Mean).then(|| {
        measures.push(Measure { op: Op::SumSquares, field: Some(value.to_string()) });
        measures.len() - 1
    });
    if let Some(why) = crate::query::rollup::unsupported(columns, &measures) {
        return Err(why);
    }
    let days = period.map(|p| vec![p.column.clone()]).unwrap_or_default();
    let request = Request { query: query.to_string(), keys: Vec::new(), bins: Vec::new(), days, measures };
    Ok((scope.request_rollup(request), sum_squares))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::rollup::Op;
    use serde_json::json;

    /// A period card over a rollup by day: the last 5 days up to the latest
    /// (Jan 6–10) against the 5 before (Jan 1–5); a null day is in neither.
    #[test]
    fn a_deferred_period_card_compares_windows_of_its_rollup() {
        let look =
            Look { fmt: "number".into(), decimals: 0, up_is_good: true, compare: None, sure: None, inline: false };
        let kpi = DeferredKpi { rollup: 0, op: Op::Sum, days: Some(5), previous: false, sum_squares: None, look };
        let columns = vec![
            vec![json!("2024-01-01"), json!("2024-01-05"), json!("2024-01-10"), json!(null)],
            vec![json!(1), json!(2), json!(3), json!(4)],
            vec![json!(10), json!(20), json!(35), json!(1000)],
        ];
        let html = kpi.figures(Some(&RollupFile { columns: &columns, grain: 1, at: vec![1] }));
        assert!(html.contains("data-value=\"35\""), "{html}");
        assert!(html.contains("kpi-delta up good") && html.contains("&#43;5 "), "35 against 10 + 20: {html}");
        assert!(kpi.figures(None).contains("data-value=\"\""), "no rollup, no figure");
    }
}
