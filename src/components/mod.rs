//! Components: template functions that build a piece of dashboard from a few arguments.

pub mod args;
pub mod figure;
pub mod inputs;
pub mod scope;
pub mod shorthand;

use crate::components::args::{as_num, finish_args};
use crate::components::figure::{difference, Figure};
use crate::util::format::{Num, Style};
use crate::util::html::escape_for_markdown;
use minijinja::value::{Kwargs, Value};
use minijinja::{Error, ErrorKind};

/// The number formats a component accepts, and each one's default decimals.
const FORMATS: &[(&str, usize)] = &[("number", 0), ("percent", 1), ("currency", 2), ("compact", 1)];

fn invalid(msg: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, msg)
}

/// Formats `n` in one of [`FORMATS`] (`docs/formatting.md`; the runtime's `format` is the same).
fn format(n: &Num, format: &str, decimals: usize) -> String {
    let style = match format {
        "percent" => Style::Percent,
        "currency" => Style::Currency("$"),
        "compact" => Style::Compact,
        _ => Style::Number,
    };
    crate::util::format::format(n, style, decimals as u32)
}

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
    let at = |col: &str| result.column_names().position(|c| c == col).unwrap_or(0);
    if let Some(period) = period {
        if previous.is_some() {
            return Err(invalid("kpi period= compares two windows of the same column; leave out previous=".into()));
        }
        crate::components::scope::check_column(&result, query, &period.column, "kpi period")?;
        let (v, d) = (at(&value_col), at(&period.column));
        let dates: Vec<Option<chrono::NaiveDate>> = result.rows.iter().map(|r| day_of(&r[d])).collect();
        let Some(end) = dates.iter().flatten().max().copied() else {
            return Ok(BoundKpi {
                current: None,
                previous: None,
                spec: serde_json::json!({"query": query, "value": value_col, "agg": agg,
                    "period": period.column, "days": period.days}),
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
                "period": period.column, "days": period.days}),
        });
    }
    let previous_col = previous.map(|p| column(p, "previous")).transpose()?;
    let figure = |col: &str| crate::components::figure::aggregate(agg, result.rows.iter().map(|r| &r[at(col)]));
    Ok(BoundKpi {
        current: figure(&value_col),
        previous: previous_col.as_deref().and_then(figure),
        spec: serde_json::json!({"query": query, "value": value_col, "previous": previous_col, "agg": agg}),
    })
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

/// A template value as JSON (rows of a query are JSON values already).
fn json(v: &Value) -> serde_json::Value {
    serde_json::to_value(v).unwrap_or_default()
}

/// Formats a table cell as the browser runtime will ([`crate::util::format::cell`] and
/// `formatCell` in `vcd.js` follow one spec), so the first page rendered at
/// build time matches what the runtime draws.
fn cell(v: &Value, fmt: &str) -> String {
    crate::util::format::cell(&json(v), fmt)
}

/// A link template (`posts/{post_id}/`) filled from a row, below the site root.
/// Values are percent-encoded, so data cannot change the shape of the URL.
fn link(root: &str, template: &str, row: &Value) -> String {
    let mut out = String::from(root);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else { break };
        let name = &rest[start + 1..start + len];
        let value = row.get_attr(name).unwrap_or_default();
        // The value's text as a cell shows it (null is empty), as the runtime's href() has it.
        let text = crate::util::format::text(&json(&value));
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// A `{"column": "text"}` argument as a map.
fn string_map(v: Option<Value>, what: &str) -> Result<std::collections::BTreeMap<String, String>, Error> {
    let mut out = std::collections::BTreeMap::new();
    let Some(v) = v else { return Ok(out) };
    let keys = v.try_iter().map_err(|_| invalid(format!("table {what} must be a map like {{\"column\": \"...\"}}")))?;
    for key in keys {
        let value = v.get_item(&key).ok().filter(|x| x.as_str().is_some());
        let value = value.ok_or_else(|| invalid(format!("table {what}: the value for '{key}' must be text")))?;
        out.insert(key.to_string(), value.as_str().unwrap_or_default().to_string());
    }
    Ok(out)
}

use crate::util::format::CELL_FORMATS;

/// `{{ table(top_posts, columns=["caption", "reach"], formats={"reach": "number"},
/// links={"caption": "posts/{post_id}/"}, labels={"reach": "Reach"}, page_size=10) }}`:
/// a data table the browser can sort, search, page through and download as CSV.
/// The first page is rendered here so the table reads without JavaScript.
///
/// Given a query name (`table("top_posts", …)`) instead of rows, the table reads
/// the query's result file and follows the page's inputs in the browser.
pub fn table(state: &minijinja::State, rows: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let query = rows.as_str().map(String::from);
    let rows = match &query {
        Some(name) => {
            let result = crate::components::scope::of(state)?.read(name, "table")?;
            Value::from(minijinja::value::Serde(&*result))
        }
        None => rows,
    };
    // Links are written relative to the site root; the page knows the way there.
    let root = state
        .lookup("page")
        .and_then(|p| p.get_attr("root").ok())
        .and_then(|r| r.as_str().map(String::from))
        .unwrap_or_default();
    let columns: Option<Vec<String>> = kwargs.get("columns")?;
    let formats = string_map(kwargs.get("formats")?, "formats")?;
    let links = string_map(kwargs.get("links")?, "links")?;
    let labels = string_map(kwargs.get("labels")?, "labels")?;
    let page_size: Option<usize> = kwargs.get("page_size")?;
    let sort: Option<String> = kwargs.get("sort")?;
    finish_args(&kwargs, "table", &["columns", "formats", "links", "labels", "page_size", "sort"])?;
    let page_size = page_size.unwrap_or(25).max(1);

    let mut rows: Vec<Value> = rows
        .try_iter()
        .map_err(|_| invalid("table needs the rows of a query, e.g. table(top_posts)".into()))?
        .collect();
    let all: Vec<String> = match rows.first() {
        Some(first) => first.try_iter().map(|keys| keys.map(|k| k.to_string()).collect()).unwrap_or_default(),
        None => columns.clone().unwrap_or_default(),
    };
    let shown = columns.unwrap_or_else(|| all.clone());
    let check = |name: &str, what: &str| -> Result<(), Error> {
        if rows.is_empty() || all.iter().any(|c| c == name) {
            Ok(())
        } else {
            Err(invalid(format!(
                "table {what} '{name}' is not a column of the rows{} (they have: {})",
                crate::util::diag::suggestion(name, all.iter().map(String::as_str)),
                all.join(", ")
            )))
        }
    };
    for c in shown.iter().chain(formats.keys()).chain(links.keys()).chain(labels.keys()) {
        check(c, "column")?;
    }
    // `sort="-reach"`: the order the table opens in (the runtime starts from the same).
    let sort = sort.map(|s| match s.strip_prefix('-') {
        Some(c) => (c.to_string(), -1),
        None => (s, 1),
    });
    if let Some((c, _)) = &sort {
        if !shown.contains(c) {
            return Err(invalid(format!(
                "table sort column '{c}' must be one of the shown columns ({})",
                shown.join(", ")
            )));
        }
    }
    for (c, f) in &formats {
        if !CELL_FORMATS.contains(&f.as_str()) {
            return Err(invalid(format!(
                "table format for '{c}' must be one of {}, got '{f}'",
                CELL_FORMATS.join(", ")
            )));
        }
    }
    for (column, template) in &links {
        for part in template.split('{').skip(1) {
            check(part.split('}').next().unwrap_or(""), "link placeholder")?;
        }
        // A template that itself starts with a script scheme is a mistake in the page: say so
        // at build time. This does not cover every link: values are percent-encoded, but
        // letters are not, so `{x}:alert(1)` with x = "javascript" passes here; such a
        // filled link is refused later, by sanitize_html at build time and safeUrl() in the
        // browser, which drop it.
        if let Some(scheme) = crate::util::urlsafe::refused_scheme(template, crate::util::urlsafe::UrlKind::Link) {
            return Err(invalid(format!(
                "table link for '{column}' starts with {scheme}:, which runs script; links lead to pages below the site root \
                 (e.g. \"posts/{{post_id}}/\")"
            )));
        }
    }

    if let Some((c, dir)) = &sort {
        crate::util::format::sort_by_column(&mut rows, |r| json(&r.get_attr(c).unwrap_or_default()), *dir);
    }
    let fmt_of = |c: &str| formats.get(c).map_or("text", String::as_str);
    let mut spec = serde_json::json!({
        "fields": all,
        "columns": shown.iter().map(|c| serde_json::json!({
            "name": c,
            "label": labels.get(c).unwrap_or(c),
            "format": fmt_of(c),
            "link": links.get(c),
        })).collect::<Vec<_>>(),
        "rows": rows.iter().map(|r| all.iter().map(|c| serde_json::to_value(r.get_attr(c).unwrap_or_default()).unwrap_or_default()).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "page_size": page_size,
    });
    if let Some((c, dir)) = &sort {
        spec["sort"] = serde_json::json!({"column": c, "dir": dir});
    }
    // A query-bound table loads its rows (or the variant the inputs choose) at run time.
    if let Some(name) = query {
        spec["rows"] = serde_json::Value::Null;
        spec["query"] = name.into();
    }

    let mut html = String::from("<figure class=\"vcd-table\"><table><thead><tr>");
    for c in &shown {
        html.push_str(&format!("<th scope=\"col\">{}</th>", escape_for_markdown(labels.get(c).unwrap_or(c))));
    }
    html.push_str("</tr></thead><tbody>");
    for r in rows.iter().take(page_size) {
        html.push_str("<tr>");
        for c in &shown {
            let v = r.get_attr(c).unwrap_or_default();
            let class =
                if matches!(fmt_of(c), "number" | "percent" | "currency" | "compact") { " class=\"num\"" } else { "" };
            let text = escape_for_markdown(&cell(&v, fmt_of(c)));
            match links.get(c) {
                Some(t) => html.push_str(&format!(
                    "<td{class}><a href=\"{}\">{text}</a></td>",
                    escape_for_markdown(&link(&root, t, r))
                )),
                None => html.push_str(&format!("<td{class}>{text}</td>")),
            }
        }
        html.push_str("</tr>");
    }
    html.push_str(&format!(
        "</tbody></table><script type=\"application/json\" class=\"vcd-table-spec\">{}</script></figure>",
        crate::chart::script_json(&spec)
    ));
    Ok(Value::from_safe_string(html))
}

#[cfg(test)]
mod tests {
    use crate::render::template::environment;
    use minijinja::context;

    fn render(src: &str) -> Result<String, minijinja::Error> {
        environment()
            .template_from_named_str("t.md", src)?
            .render(context! { k => context! { now => 120, before => 100, rate => 0.052, prev_rate => 0.061 } })
    }

    #[test]
    fn kpi_shows_value_and_change() {
        let out = render("{{ kpi('Posts', k.now, previous=k.before) }}").unwrap();
        assert!(out.contains("<div class=\"kpi-value\" data-value=\"120\">120</div>"), "{out}");
        assert!(out.contains("kpi-delta up good"), "{out}");
        assert!(out.contains("&#43;20 &#40;&#43;20&#46;0%&#41; vs previous period"), "{out}");
    }

    #[test]
    fn percent_changes_are_in_points_and_direction_can_be_bad() {
        let out = render("{{ kpi('Rate', k.rate, format='percent', previous=k.prev_rate) }}").unwrap();
        assert!(
            out.contains("5&#46;2%") && out.contains("kpi-delta down bad") && out.contains("&#45;0&#46;9 pts"),
            "{out}"
        );
        let out = render("{{ kpi('Cost', k.rate, previous=k.prev_rate, good='down', format='percent') }}").unwrap();
        assert!(out.contains("kpi-delta down good"), "{out}");
    }

    #[test]
    fn table_renders_its_first_page_and_checks_columns() {
        let env = environment();
        let rows = minijinja::Value::from(minijinja::value::Serde(
            serde_json::json!([{"id": 1, "name": "<b>", "share": 0.25}, {"id": 2, "name": "b", "share": 0.5}]),
        ));
        let t = env.template_from_named_str("t.md", "{{ table(rows, columns=['name', 'share'], formats={'share': 'percent'}, links={'name': 'p/{id}/'}, page_size=1) }}").unwrap();
        let out = t.render(context! { rows => rows.clone(), page => context! { root => "../" } }).unwrap();
        assert!(
            out.contains("<td><a href=\"&#46;&#46;/p/1/\">&#60;b&#62;</a></td><td class=\"num\">25&#46;0%</td>"),
            "{out}"
        );
        assert!(!out.contains("<td>b</td>"), "only the first page is rendered: {out}");
        let bad = env
            .template_from_named_str("t.md", "{{ table(rows, links={'name': 'p/{idd}/'}) }}")
            .unwrap()
            .render(context! { rows => rows })
            .unwrap_err();
        assert!(
            bad.to_string().contains("table link placeholder 'idd' is not a column of the rows (did you mean 'id'?)"),
            "{bad}"
        );
    }

    #[test]
    fn table_sort_and_kpi_period_mistakes_are_errors() {
        let env = environment();
        let rows = minijinja::Value::from(minijinja::value::Serde(serde_json::json!([{"id": 1, "name": "a"}])));
        let e = env
            .template_from_named_str("t.md", "{{ table(rows, columns=['name'], sort='-id') }}")
            .unwrap()
            .render(context! { rows => rows })
            .unwrap_err();
        assert!(e.to_string().contains("table sort column 'id' must be one of the shown columns (name)"), "{e}");
        let e = render("{{ kpi('Posts', k.now, days=30) }}").unwrap_err();
        assert!(e.to_string().contains("kpi days= needs period="), "{e}");
        let e = render("{{ kpi('Posts', k.now, period='day') }}").unwrap_err();
        assert!(e.to_string().contains("kpi agg= and period= need data="), "{e}");
    }

    #[test]
    fn bad_arguments_are_errors() {
        let e = render("{{ kpi('Posts', k.now, prevous=1) }}").unwrap_err();
        assert!(e.to_string().contains("prevous"), "{e}");
        let e = render("{{ kpi('Posts') }}").unwrap_err();
        assert_eq!(e.kind(), minijinja::ErrorKind::MissingArgument, "{e}");
        let e = render("{{ kpi('Posts', k.now, format='money') }}").unwrap_err();
        assert!(e.to_string().contains("kpi format must be one of number, percent, currency, compact"), "{e}");
    }
}
